package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// zmq4 trusts its peers more than a kernel may: it allocates whatever size a frame
// header announces (2^62 bytes panics the process), and its listening sockets finish
// each ZMTP handshake on their one accepting goroutine, so a peer that connects and says
// nothing keeps every other front end out. The kernel's sockets therefore listen through
// the "gomatcalc-tcp" transport (or "gomatcalc-ipc", on Unix sockets): a listener that does the greeting and the peer's
// READY itself (on a goroutine per connection, with a deadline), hands zmq4 only
// connections whose handshake is done, and then watches the frames a peer sends.

// Limits on what a peer may send or make the kernel wait for.
const (
	// maxMessage bounds a message's frames together (a frame alone, too): far above any
	// request a front end sends, far below what would hurt the kernel.
	maxMessage = 64 << 20
	// maxCommand bounds ZMTP commands (READY and its metadata, subscriptions).
	maxCommand = 64 << 10
	// handshakeTimeout is how long a new connection has for its greeting and READY.
	handshakeTimeout = 5 * time.Second
	// writeTimeout is how long a peer may leave the kernel's writes unread before it is
	// disconnected (a front end that stopped reading must not hold the others up).
	writeTimeout = 10 * time.Second
)

// The kernel's zmq4 transports: TCP, and Unix sockets for connection files of transport
// ipc.
var guardedTransports = map[string]guardedTransport{"gomatcalc-tcp": {"tcp"}, "gomatcalc-ipc": {"unix"}}

// peerLog takes notes about refused and disconnected peers (the kernel's log).
var peerLog atomic.Pointer[log.Logger]

func logPeer(format string, args ...any) {
	if l := peerLog.Load(); l != nil {
		l.Printf(format, args...)
	}
}

func init() {
	for name, t := range guardedTransports {
		if err := zmq4.RegisterTransport(name, t); err != nil {
			panic(err)
		}
	}
}

// errPeer is a peer that broke the rules: its connection is closed. It is a net.Error
// that is no timeout, which makes zmq4 drop the connection.
type errPeer struct{ msg string }

func (e *errPeer) Error() string   { return "zmtp: " + e.msg }
func (e *errPeer) Timeout() bool   { return false }
func (e *errPeer) Temporary() bool { return false }

var _ net.Error = (*errPeer)(nil)

// ZMTP 3.0 framing.
const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
	greetingLen = 64
)

// greeting is the 64 bytes a NULL-security ZMTP 3.0 peer opens with; zmq4 sends the same.
func greeting() []byte {
	g := make([]byte, greetingLen)
	g[0], g[9] = 0xff, 0x7f
	g[10], g[11] = 3, 0
	copy(g[12:32], "NULL")
	return g
}

// frameScanner follows the frames of a ZMTP byte stream (after the greeting) as it
// passes, without copying: where each message ends and whether a size is too large.
type frameScanner struct {
	limit   uint64 // most bytes a message may have
	header  [9]byte
	have    int    // header bytes seen
	left    uint64 // body bytes still to pass
	inBody  bool
	msgSize uint64 // bytes of the message so far
}

// scan consumes p. It returns the offsets just past each message or command that ends
// in p and, when a frame announces too much, the error and the offset of the header
// byte that told it (the bytes before it are fine).
func (s *frameScanner) scan(p []byte) (ends []int, bad int, err error) {
	i := 0
	for i < len(p) {
		if s.inBody {
			n := uint64(len(p) - i)
			if n > s.left {
				n = s.left
			}
			i += int(n)
			s.left -= n
			if s.left == 0 {
				s.inBody = false
				if s.header[0]&(flagMore|flagCommand) != flagMore {
					ends = append(ends, i)
					s.msgSize = 0
				}
			}
			continue
		}
		s.header[s.have] = p[i]
		s.have++
		need := 2
		if s.header[0]&flagLong != 0 {
			need = 9
		}
		if s.have < need {
			i++
			continue
		}
		var size uint64
		if need == 2 {
			size = uint64(s.header[1])
		} else {
			size = binary.BigEndian.Uint64(s.header[1:9])
		}
		limit := s.limit
		if s.header[0]&flagCommand != 0 {
			limit = maxCommand
		}
		if size > limit {
			return ends, i, &errPeer{fmt.Sprintf("a frame of %d bytes is over the limit of %d", size, limit)}
		}
		if s.msgSize+size > limit {
			return ends, i, &errPeer{fmt.Sprintf("a message of more than %d bytes is over the limit of %d", s.msgSize+size, limit)}
		}
		i++
		s.have = 0
		s.msgSize += size
		s.left = size
		s.inBody = true
		if size == 0 {
			s.inBody = false
			if s.header[0]&(flagMore|flagCommand) != flagMore {
				ends = append(ends, i)
				s.msgSize = 0
			}
		}
	}
	return ends, -1, nil
}

// readFrame reads one frame (for handshakes and iopub subscriptions).
func readFrame(c net.Conn, limit uint64) (flags byte, body []byte, err error) {
	var h [9]byte
	if _, err := readFull(c, h[:2]); err != nil {
		return 0, nil, err
	}
	size := uint64(h[1])
	if h[0]&flagLong != 0 {
		if _, err := readFull(c, h[2:9]); err != nil {
			return 0, nil, err
		}
		size = binary.BigEndian.Uint64(h[1:9])
	}
	if h[0]&flagCommand != 0 && limit > maxCommand {
		limit = maxCommand
	}
	if size > limit {
		return 0, nil, &errPeer{fmt.Sprintf("a frame of %d bytes is over the limit of %d", size, limit)}
	}
	body = make([]byte, size)
	if _, err := readFull(c, body); err != nil {
		return 0, nil, err
	}
	return h[0], body, nil
}

func readFull(c net.Conn, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := c.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// frameHeader appends the header of a frame of size bytes.
func frameHeader(dst []byte, flags byte, size int) []byte {
	if size > 255 {
		dst = append(dst, flags|flagLong)
		return binary.BigEndian.AppendUint64(dst, uint64(size))
	}
	return append(dst, flags, byte(size))
}

// command encodes a ZMTP command frame.
func command(name string, body []byte) []byte {
	data := append([]byte{byte(len(name))}, name...)
	data = append(data, body...)
	return append(frameHeader(nil, flagCommand, len(data)), data...)
}

// metadata encodes ZMTP metadata properties (READY's body).
func metadata(props ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(props); i += 2 {
		b = append(b, byte(len(props[i])))
		b = append(b, props[i]...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(props[i+1])))
		b = append(b, props[i+1]...)
	}
	return b
}

// parseMetadata decodes READY's properties.
func parseMetadata(b []byte) (map[string]string, error) {
	props := map[string]string{}
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 1+n+4 {
			return nil, &errPeer{"truncated metadata"}
		}
		name := string(b[1 : 1+n])
		vlen := binary.BigEndian.Uint32(b[1+n : 1+n+4])
		b = b[1+n+4:]
		if uint64(vlen) > uint64(len(b)) {
			return nil, &errPeer{"truncated metadata"}
		}
		props[name] = string(b[:vlen])
		b = b[vlen:]
	}
	return props, nil
}

// peerHandshake sends the greeting and reads the peer's greeting and READY command. It
// returns the bytes it read, for zmq4 to read again, and the peer's READY properties.
func peerHandshake(c net.Conn) (read []byte, props map[string]string, err error) {
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(greeting()); err != nil {
		return nil, nil, err
	}
	g := make([]byte, greetingLen)
	if _, err := readFull(c, g); err != nil {
		return nil, nil, err
	}
	if g[0] != 0xff || g[9] != 0x7f || g[10] < 3 || !bytes.Equal(bytes.TrimRight(g[12:32], "\x00"), []byte("NULL")) {
		return nil, nil, &errPeer{"not a ZMTP 3 peer with NULL security"}
	}
	flags, body, err := readFrame(c, maxCommand)
	if err != nil {
		return nil, nil, err
	}
	if flags&flagCommand == 0 || len(body) < 6 || string(body[:6]) != "\x05READY" {
		return nil, nil, &errPeer{"no READY command after the greeting"}
	}
	if props, err = parseMetadata(body[6:]); err != nil {
		return nil, nil, err
	}
	read = append(g, frameHeader(nil, flags&^flagLong, len(body))...)
	return append(read, body...), props, nil
}

// guardedTransport is a zmq4 transport of the kernel's listening sockets.
type guardedTransport struct {
	network string // "tcp" or "unix"
}

// tcpNetwork is "tcp4" for an IPv4 address and "tcp6" for an IPv6 one: Go's "tcp" on
// 0.0.0.0 listens on every IPv6 address too, where the connection file said IPv4 only.
func tcpNetwork(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err == nil && ip != nil {
		if ip.To4() != nil {
			return "tcp4"
		}
		return "tcp6"
	}
	return "tcp"
}

// listen listens on addr: a host:port for "tcp" (IPv4 only or IPv6 only, as the address
// is), a socket's path for "unix".
func listen(network, addr string) (net.Listener, error) {
	if network == "tcp" {
		return net.Listen(tcpNetwork(addr), addr)
	}
	l, err := net.Listen("unix", addr)
	if err != nil && removeStaleSocket(addr) {
		l, err = net.Listen("unix", addr)
	}
	if err != nil {
		return nil, err
	}
	// Only the kernel's user may connect, as only they may read the key. (Closing the
	// listener removes the file.)
	if !strings.HasPrefix(addr, "@") { // "@" names an abstract socket: it has no file
		if err := os.Chmod(addr, 0o600); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// removeStaleSocket removes the socket file at path when nothing listens on it any more
// (a killed kernel leaves its files behind; libzmq removes them before it binds) and
// reports whether it did. A socket something listens on is left alone.
func removeStaleSocket(path string) bool {
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSocket == 0 {
		return false
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) && os.Remove(path) == nil
}

func (t guardedTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	return d.DialContext(ctx, t.network, addr)
}

func (t guardedTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := listen(t.network, addr)
	if err != nil {
		return nil, err
	}
	rt := &routes{inUse: map[string]bool{}}
	return newGuardedListener(l, func(c net.Conn) (net.Conn, error) {
		read, props, err := peerHandshake(c)
		if err != nil {
			return nil, err
		}
		// zmq4 reads the peer's READY again, with the identity it is to route by.
		route := rt.claim(c, identityOf(props))
		read = append(read[:greetingLen:greetingLen], readyWithIdentity(props, route)...)
		return &guardedConn{Conn: c, replay: read, swallow: greetingLen,
			in: frameScanner{limit: maxMessage}, out: frameScanner{limit: 1<<63 - 1},
			release: func() { rt.release(route) }}, nil
	}), nil
}

// routes gives every connection of a listening socket a routing identity of its own.
// zmq4's ROUTER sends a message to every connection whose peer presented the identity
// in its first frame, so a peer presenting a front end's identity (jupyter_client's is its
// session id, in every header on iopub) would receive that front end's replies and
// history. A peer keeps the identity it presents while no other connection of the socket
// holds it; otherwise, and for an empty identity or one starting with a zero byte (which
// ZeroMQ keeps for itself), it is routed by a zero byte, a number of 4 bytes and the
// identity it presented.
type routes struct {
	mu    sync.Mutex
	inUse map[string]bool
	next  uint32
}

// claim returns the route of connection c, whose peer presented an identity.
func (r *routes) claim(c net.Conn, presented string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	route := presented
	if presented == "" || presented[0] == 0 || r.inUse[presented] {
		if r.inUse[presented] {
			logPeer("a connection from %s to %s presented the identity %q of another connection; it is routed apart", c.RemoteAddr(), c.LocalAddr(), presented)
		}
		for route == presented || r.inUse[route] {
			r.next++
			route = string(binary.BigEndian.AppendUint32([]byte{0}, r.next)) + presented
		}
	}
	r.inUse[route] = true
	return route
}

func (r *routes) release(route string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.inUse, route)
}

// identityOf is the Identity property of a peer's READY, its name in any case (as zmq4
// reads it).
func identityOf(props map[string]string) string {
	for name, v := range props {
		if strings.EqualFold(name, "Identity") {
			return v
		}
	}
	return ""
}

// readyWithIdentity is the READY command of props with its Identity set to id.
func readyWithIdentity(props map[string]string, id string) []byte {
	kv := []string{"Identity", id}
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if !strings.EqualFold(name, "Identity") {
			kv = append(kv, name, props[name])
		}
	}
	return command("READY", metadata(kv...))
}

// presentedIdentity is the identity the peer routed by route presented (see routes): on
// stdin, the kernel addresses the front end of a shell request by it.
func presentedIdentity(route []byte) []byte {
	if len(route) >= 5 && route[0] == 0 {
		return route[5:]
	}
	return route
}

func (t guardedTransport) Addr(ep string) (string, error) {
	if t.network == "unix" {
		return ep, nil
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return "", err
	}
	if host == "" || host == "*" {
		host = "0.0.0.0"
	}
	if port == "" || port == "*" {
		port = "0"
	}
	return net.JoinHostPort(host, port), nil
}

// guardedListener accepts TCP connections and hands out those whose handshake, done on a
// goroutine of its own, succeeded.
type guardedListener struct {
	net.Listener
	ready     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func newGuardedListener(l net.Listener, handshake func(net.Conn) (net.Conn, error)) *guardedListener {
	g := &guardedListener{Listener: l, ready: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				select {
				case <-g.done:
					return
				default:
				}
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			go func() {
				hc, err := handshake(c)
				if err != nil {
					logPeer("refused a connection from %s to %s: %v", c.RemoteAddr(), c.LocalAddr(), err)
					c.Close()
					return
				}
				select {
				case g.ready <- hc:
				case <-g.done:
					hc.Close()
				}
			}()
		}
	}()
	return g
}

func (g *guardedListener) Accept() (net.Conn, error) {
	select {
	case c := <-g.ready:
		return c, nil
	case <-g.done:
		return nil, net.ErrClosed
	}
}

func (g *guardedListener) Close() error {
	g.closeOnce.Do(func() { close(g.done) })
	return g.Listener.Close()
}

// guardedConn is a connection whose handshake is done: zmq4 reads the peer's greeting
// and READY again from replay, and its own greeting (already sent) is swallowed. Past the
// handshake, it closes the connection on a frame over the limit, and on a write the peer
// leaves unread for writeTimeout; it sends each message with one write.
type guardedConn struct {
	net.Conn
	replay  []byte
	swallow int
	in, out frameScanner
	readErr error

	mu      sync.Mutex
	pending []byte // the message being written, up to its last frame

	release     func() // gives the connection's route back (routes), when set
	releaseOnce sync.Once
}

// Close closes the connection and gives its route back.
func (c *guardedConn) Close() error {
	if c.release != nil {
		c.releaseOnce.Do(c.release)
	}
	return c.Conn.Close()
}

func (c *guardedConn) Read(p []byte) (int, error) {
	if len(c.replay) > 0 {
		n := copy(p, c.replay)
		c.replay = c.replay[n:]
		return n, nil
	}
	if c.readErr != nil {
		return 0, c.readErr
	}
	n, err := c.Conn.Read(p)
	if _, bad, perr := c.in.scan(p[:n]); perr != nil {
		logPeer("closed the connection from %s to %s: %v", c.RemoteAddr(), c.LocalAddr(), perr)
		c.readErr = perr
		c.Conn.Close()
		if bad > 0 {
			return bad, nil
		}
		return 0, perr
	}
	return n, err
}

func (c *guardedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := len(p)
	if c.swallow > 0 {
		n := min(c.swallow, len(p))
		c.swallow -= n
		p = p[n:]
	}
	ends, _, _ := c.out.scan(p)
	last := 0
	for _, end := range ends {
		c.pending = append(c.pending, p[last:end]...)
		last = end
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	c.pending = append(c.pending, p[last:]...)
	if len(c.pending) > 1<<20 {
		// A long message goes out as it comes rather than all copied first.
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func (c *guardedConn) flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	c.Conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.Conn.Write(c.pending)
	c.pending = c.pending[:0]
	if cap(c.pending) > 1<<20 {
		c.pending = nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.Conn.Close()
		perr := &errPeer{"the peer left the kernel's messages unread for " + writeTimeout.String()}
		logPeer("closed the connection from %s to %s: %v", c.RemoteAddr(), c.LocalAddr(), perr)
		return perr
	}
	return err
}

// addr is the host:port the kernel listens on for port.
func (c *ConnectionInfo) addr(port int) string {
	ip := c.IP
	if ip == "*" {
		ip = "0.0.0.0"
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// listenAddr is where the kernel listens for port: the network ("tcp" or "unix") and the
// host:port or the socket's path.
func (c *ConnectionInfo) listenAddr(port int) (network, addr string) {
	if c.Transport == "ipc" {
		return "unix", c.socketPath(port)
	}
	return "tcp", c.addr(port)
}

// listenEndpoint is the zmq4 address the kernel listens on for port.
func (c *ConnectionInfo) listenEndpoint(port int) string {
	if c.Transport == "ipc" {
		return "gomatcalc-ipc://" + c.socketPath(port)
	}
	return "gomatcalc-tcp://" + c.addr(port)
}
