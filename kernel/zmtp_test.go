package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// frameBytes encodes one frame as a peer would send it.
func frameBytes(flags byte, body []byte) []byte {
	return append(frameHeader(nil, flags, len(body)), body...)
}

func TestFrameScannerFindsMessageEndsWhateverTheChunks(t *testing.T) {
	var stream []byte
	var want []int
	add := func(b []byte, ends bool) {
		stream = append(stream, b...)
		if ends {
			want = append(want, len(stream))
		}
	}
	add(frameBytes(flagCommand, []byte("\x05READY")), true)
	add(frameBytes(flagMore, []byte("id")), false)
	add(frameBytes(flagMore, nil), false)
	add(frameBytes(0, bytes.Repeat([]byte("a"), 300)), true) // a long frame
	add(frameBytes(0, nil), true)                            // an empty message
	add(frameBytes(flagMore, bytes.Repeat([]byte("b"), 255)), false)
	add(frameBytes(0, []byte("c")), true)
	for _, chunk := range []int{1, 2, 3, 7, 64, len(stream)} {
		s := frameScanner{limit: 1 << 20}
		var got []int
		for i := 0; i < len(stream); i += chunk {
			end := min(i+chunk, len(stream))
			ends, _, err := s.scan(stream[i:end])
			if err != nil {
				t.Fatalf("chunks of %d: %v", chunk, err)
			}
			for _, e := range ends {
				got = append(got, i+e)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("chunks of %d: message ends %v, want %v", chunk, got, want)
		}
	}
}

func TestFrameScannerRefusesWhatIsTooLarge(t *testing.T) {
	huge := append([]byte{0, 3, 'a', 'b', 'c'}, flagLong, 0x40, 0, 0, 0, 0, 0, 0, 0) // 2^62
	s := frameScanner{limit: 1 << 20}
	_, bad, err := s.scan(huge)
	var perr *errPeer
	if !errors.As(err, &perr) || bad != len(huge)-1 {
		t.Errorf("2^62-byte frame: bad at %d, err %v; want the last header byte (%d) and errPeer", bad, err, len(huge)-1)
	}
	// Frames under the limit that add up to more.
	s = frameScanner{limit: 1000}
	part := frameBytes(flagMore, make([]byte, 400))
	if _, _, err := s.scan(slices.Concat(part, part)); err != nil {
		t.Fatalf("800 bytes: %v", err)
	}
	if _, _, err := s.scan(part); err == nil {
		t.Error("1200 bytes in one message must be refused")
	}
	// Commands have their own, smaller limit.
	s = frameScanner{limit: 1 << 30}
	if _, _, err := s.scan(frameHeader(nil, flagCommand, maxCommand+1)); err == nil {
		t.Error("a command over maxCommand must be refused")
	}
}

// FuzzFrameScanner: no input panics the scanner, and how the input is cut into reads
// does not change what it finds.
func FuzzFrameScanner(f *testing.F) {
	f.Add([]byte{0, 3, 'a', 'b', 'c', flagMore, 0, 0, 0}, uint8(2))
	f.Add([]byte{flagLong, 0, 0, 0, 0, 0, 0, 1, 0}, uint8(1))
	f.Add([]byte{flagLong | flagCommand, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, uint8(5))
	f.Fuzz(func(t *testing.T, stream []byte, cut uint8) {
		whole := frameScanner{limit: 1 << 16}
		wantEnds, wantBad, wantErr := whole.scan(stream)
		c := min(int(cut), len(stream))
		parts := frameScanner{limit: 1 << 16}
		ends, bad, err := parts.scan(stream[:c])
		if err == nil {
			var more []int
			more, bad, err = parts.scan(stream[c:])
			for _, e := range more {
				ends = append(ends, c+e)
			}
			if bad >= 0 {
				bad += c
			}
		}
		if !slices.Equal(ends, wantEnds) || bad != wantBad || (err == nil) != (wantErr == nil) {
			t.Errorf("cut at %d: ends %v bad %d err %v; whole: ends %v bad %d err %v", c, ends, bad, err, wantEnds, wantBad, wantErr)
		}
	})
}

// rawPeer connects to port and completes the ZMTP handshake as socketType.
func rawPeer(t *testing.T, port int, socketType string) net.Conn {
	t.Helper()
	return rawPeerAs(t, port, socketType, "")
}

// rawPeerAs is rawPeer presenting a ZeroMQ identity (none when empty).
func rawPeerAs(t *testing.T, port int, socketType, identity string) net.Conn {
	t.Helper()
	props := []string{"Socket-Type", socketType}
	if identity != "" {
		props = append(props, "Identity", identity)
	}
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(greeting()); err != nil {
		t.Fatal(err)
	}
	g := make([]byte, greetingLen)
	if _, err := io.ReadFull(c, g); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(command("READY", metadata(props...))); err != nil {
		t.Fatal(err)
	}
	if flags, body, err := readFrame(c, maxCommand); err != nil || flags&flagCommand == 0 || !bytes.HasPrefix(body, []byte("\x05READY")) {
		t.Fatalf("no READY from the kernel: %v %q", err, body)
	}
	c.SetDeadline(time.Time{})
	return c
}

// assertClosed waits for the kernel to close c.
func assertClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Error("the kernel did not close the connection")
	}
}

func TestAHugeFrameClosesOnlyThatConnection(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	for _, port := range []int{c.conn.ShellPort, c.conn.ControlPort, c.conn.StdinPort} {
		peer := rawPeer(t, port, "DEALER")
		peer.Write(frameHeader(nil, 0, 1<<62)[:9])
		assertClosed(t, peer)
	}
	peer := rawPeer(t, c.conn.HBPort, "REQ")
	peer.Write(frameHeader(nil, 0, 1<<40))
	assertClosed(t, peer)
	sub := rawPeer(t, c.conn.IOPubPort, "SUB")
	sub.Write(frameHeader(nil, 0, 1<<40))
	assertClosed(t, sub)
	c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.recv(c.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Errorf("got %s", r.Header.MsgType)
	}
}

func TestAPeerThatNeverHandshakesKeepsNobodyOut(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	for range 3 {
		silent, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.conn.ShellPort)))
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
	}
	// A new front end connects and is answered long before the silent peers time out.
	start := time.Now()
	dealer := zmq4.NewDealer(t.Context(), zmq4.WithID(zmq4.SocketIdentity("late")))
	defer dealer.Close()
	if err := dealer.Dial(c.conn.endpoint(c.conn.ShellPort)); err != nil {
		t.Fatal(err)
	}
	c.send(dealer, "kernel_info_request", map[string]any{})
	if r := c.recv(dealer); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}
	if took := time.Since(start); took > handshakeTimeout/2 {
		t.Errorf("the new front end waited %s: the silent peers held it up", took)
	}
}

func TestAStalledSubscriberMissesOutputsAndIsToldSo(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	stalled := rawPeer(t, c.conn.IOPubPort, "SUB")
	// (A receive buffer smaller than a segment would stall TCP itself once reading resumes.)
	stalled.(*net.TCPConn).SetReadBuffer(128 << 10)
	stalled.Write(frameBytes(0, []byte{1})) // subscribe to everything
	time.Sleep(100 * time.Millisecond)
	// Each cell prints 5 MB, cut to 4: more than socket buffers and the subscriber's
	// queue hold.
	for range 8 {
		id := c.send(c.shell, "execute_request", map[string]any{"code": "flood"})
		c.recv(c.shell)
		text := 0
		for _, m := range c.iopubUntilIdle(id) {
			if m.Header.MsgType == "stream" && content(t, m)["name"] == "stdout" {
				text += len(content(t, m)["text"].(string))
			}
		}
		if text != streamLimit {
			t.Errorf("the reading front end got %d bytes of stdout, want %d", text, streamLimit)
		}
	}
	// The stalled subscriber reads again: what it gets ends with a note of what it missed.
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		m := readMessage(t, stalled, c.signer)
		if m.Header.MsgType == "stream" && strings.Contains(content(t, m)["text"].(string), "were not sent to this front end") {
			return
		}
	}
}

// readMessage reads one whole message from a raw peer.
func readMessage(t *testing.T, c net.Conn, s *signer) *Message {
	t.Helper()
	m, err := tryReadMessage(c, s)
	if err != nil {
		t.Fatalf("reading a message: %v", err)
	}
	return m
}

func tryReadMessage(c net.Conn, s *signer) (*Message, error) {
	var frames [][]byte
	for {
		flags, body, err := readFrame(c, 1<<30)
		if err != nil {
			return nil, err
		}
		frames = append(frames, body)
		if flags&flagMore == 0 {
			return decode(frames, s)
		}
	}
}

// jupyter console sends its first cell as soon as kernel_info is answered, without
// waiting for iopub: what was published before it subscribed must still reach it.
func TestASubscriberThatComesLateGetsWhatNobodyGot(t *testing.T) {
	c, _ := startKernelWithoutIOPub(t, &fakeSession{})
	id := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	if rc := content(t, c.recv(c.shell)); rc["status"] != "ok" {
		t.Fatalf("reply %v", rc)
	}
	sub := rawPeer(t, c.conn.IOPubPort, "SUB")
	sub.Write(frameBytes(0, []byte{1})) // subscribe to everything
	sub.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []string
	for {
		m := readMessage(t, sub, c.signer)
		if m.Header.MsgType == "status" && parentID(m) == "" {
			got = append(got, "starting")
			continue
		}
		if parentID(m) != id {
			continue
		}
		got = append(got, m.Header.MsgType)
		if m.Header.MsgType == "status" && content(t, m)["execution_state"] == "idle" {
			break
		}
	}
	want := []string{"starting", "status", "execute_input", "stream", "execute_result", "status"}
	if !slices.Equal(got, want) {
		t.Errorf("the late subscriber got %v, want %v", got, want)
	}

	// Once someone has subscribed, a newcomer gets only what is published after it: its
	// first message answers a request sent after it subscribed (requests go on until it
	// has one, however long the kernel takes to read the subscription).
	late := rawPeer(t, c.conn.IOPubPort, "SUB")
	late.Write(frameBytes(0, []byte{1}))
	late.SetReadDeadline(time.Now().Add(10 * time.Second))
	first := make(chan *Message, 1)
	go func() {
		m, err := tryReadMessage(late, c.signer)
		if err != nil {
			m = nil
		}
		first <- m
	}()
	after := map[string]bool{}
	for {
		id := c.send(c.shell, "kernel_info_request", map[string]any{})
		after[id] = true
		c.recv(c.shell)
		select {
		case m := <-first:
			if m == nil {
				t.Fatal("the newcomer got nothing within 10 s")
			}
			if !after[parentID(m)] {
				t.Errorf("the newcomer's first message is a %s of %q, from before it subscribed", m.Header.MsgType, parentID(m))
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestOutputOverTheLimitIsCutWithANote(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	id := c.send(c.shell, "execute_request", map[string]any{"code": "flood"})
	if rc := content(t, c.recv(c.shell)); rc["status"] != "ok" {
		t.Fatalf("reply %v", rc)
	}
	var stdout, stderr strings.Builder
	for _, m := range c.iopubUntilIdle(id) {
		if m.Header.MsgType == "stream" {
			cm := content(t, m)
			if cm["name"] == "stdout" {
				stdout.WriteString(cm["text"].(string))
			} else {
				stderr.WriteString(cm["text"].(string))
			}
		}
	}
	if stdout.Len() != streamLimit {
		t.Errorf("stdout has %d bytes, want the limit %d", stdout.Len(), streamLimit)
	}
	// 5000 lines of 1000 bytes, 4 MB of them shown: 1 MB not shown.
	want := "[gomatcalc: this cell printed more than 4 MB; the rest of its output is not shown]\n[gomatcalc: 1.0 MB of output not shown]\n"
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

func TestABundleOverTheLimitKeepsItsTextCut(t *testing.T) {
	small := lang.Bundle{"text/plain": "x", "text/html": "<b>x</b>"}
	if got := small.Limited(); len(got) != 2 {
		t.Errorf("a small bundle changed: %v", got)
	}
	big := lang.Bundle{"text/plain": strings.Repeat("é", lang.BundleLimit), "text/html": "<p>"}
	got := big.Limited()
	text := got["text/plain"].(string)
	if len(got) != 1 || len(text) > streamLimit+200 || !strings.Contains(text, "only its text is shown, cut]") {
		t.Errorf("big bundle: %d types, %d bytes, ends %q", len(got), len(text), text[len(text)-80:])
	}
	if !strings.HasPrefix(text, "éé") || strings.ContainsRune(text, '\uFFFD') {
		t.Error("the cut text must stay valid UTF-8")
	}
}

// The kernel binds what the connection file says: 0.0.0.0 is IPv4's every address, not
// IPv6's too.
func TestTCPNetworkFollowsTheAddress(t *testing.T) {
	for addr, want := range map[string]string{"0.0.0.0:5555": "tcp4", "127.0.0.1:1": "tcp4", "[::]:5555": "tcp6", "[::1]:1": "tcp6", "localhost:1": "tcp"} {
		if got := tcpNetwork(addr); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
	l, err := net.Listen(tcpNetwork("0.0.0.0:0"), "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	if c, err := net.DialTimeout("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)), time.Second); err == nil {
		c.Close()
		t.Errorf("a listener on 0.0.0.0 accepted an IPv6 connection")
	}
}

// writeRequest sends a request of msgType, signed by the client's key, from a raw peer and
// returns its id.
func (c *client) writeRequest(peer net.Conn, msgType string, content any) string {
	c.t.Helper()
	m := &Message{Header: newHeader(msgType, "raw-session")}
	m.Content, _ = json.Marshal(content)
	frames, err := encode(m, c.signer)
	if err != nil {
		c.t.Fatal(err)
	}
	var b []byte
	for i, f := range frames {
		flags := byte(flagMore)
		if i == len(frames)-1 {
			flags = 0
		}
		b = append(b, frameBytes(flags, f)...)
	}
	if _, err := peer.Write(b); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

// assertNothingFor checks that a raw peer receives no message within d.
func assertNothingFor(t *testing.T, peer net.Conn, s *signer, d time.Duration, what string) {
	t.Helper()
	peer.SetReadDeadline(time.Now().Add(d))
	defer peer.SetReadDeadline(time.Time{})
	if m, err := tryReadMessage(peer, s); err == nil {
		t.Errorf("%s received a %s in reply to %s", what, m.Header.MsgType, parentID(m))
	}
}

// TestRepliesGoOnlyToTheConnectionThatAsked: ZeroMQ identities are no secret
// (jupyter_client's is its session id, in every header on iopub); a peer presenting one in
// use must not receive the replies of the connection that holds it.
func TestRepliesGoOnlyToTheConnectionThatAsked(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	for name, port := range map[string]int{"shell": c.conn.ShellPort, "control": c.conn.ControlPort} {
		a, b := rawPeerAs(t, port, "DEALER", "twin"), rawPeerAs(t, port, "DEALER", "twin")
		for _, p := range []struct {
			asks, other net.Conn
		}{{a, b}, {b, a}} {
			id := c.writeRequest(p.asks, "kernel_info_request", map[string]any{})
			p.asks.SetReadDeadline(time.Now().Add(10 * time.Second))
			if r := readMessage(t, p.asks, c.signer); parentID(r) != id {
				t.Fatalf("%s: the asking connection got a reply to %q, want %q", name, parentID(r), id)
			}
			assertNothingFor(t, p.other, c.signer, 300*time.Millisecond, name+": the other connection of the same identity")
		}
	}
	// A latecomer presenting the front end's own identity hears nothing of its requests.
	impostor := rawPeerAs(t, c.conn.ShellPort, "DEALER", "client")
	c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	c.send(c.shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 10})
	c.recv(c.shell)
	if r := c.recv(c.shell); r.Header.MsgType != "history_reply" {
		t.Fatalf("the front end got %s, want its history_reply", r.Header.MsgType)
	}
	assertNothingFor(t, impostor, c.signer, 300*time.Millisecond, "the impostor")
}

// TestStdinFindsAFrontEndWhoseIdentityWasTaken: a front end whose shell connection is
// routed apart (a peer held its identity first) still gets its input requests on stdin,
// and the peer gets nothing.
func TestStdinFindsAFrontEndWhoseIdentityWasTaken(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	squatter := rawPeerAs(t, c.conn.ShellPort, "DEALER", "front")
	id := zmq4.WithID(zmq4.SocketIdentity("front"))
	shell, stdin := zmq4.NewDealer(t.Context(), id), zmq4.NewDealer(t.Context(), id)
	defer shell.Close()
	defer stdin.Close()
	if err := shell.Dial(c.conn.endpoint(c.conn.ShellPort)); err != nil {
		t.Fatal(err)
	}
	if err := stdin.Dial(c.conn.endpoint(c.conn.StdinPort)); err != nil {
		t.Fatal(err)
	}
	c.send(shell, "execute_request", map[string]any{"code": "input", "allow_stdin": true})
	if req := c.recv(stdin); req.Header.MsgType != "input_request" {
		t.Fatalf("stdin got %s", req.Header.MsgType)
	}
	c.send(stdin, "input_reply", map[string]any{"value": "Ada"})
	if rc := content(t, c.recv(shell)); rc["status"] != "ok" {
		t.Errorf("execute reply %v", rc)
	}
	assertNothingFor(t, squatter, c.signer, 300*time.Millisecond, "the peer that took the identity first")
}

func TestRoutesKeepAFreeIdentityAndSetApartATakenOne(t *testing.T) {
	var conn net.Conn = &net.TCPConn{}
	r := &routes{inUse: map[string]bool{}}
	first := r.claim(conn, "a")
	second := r.claim(conn, "a")
	if first != "a" || second == "a" || string(presentedIdentity([]byte(second))) != "a" {
		t.Errorf("routes of two peers presenting a: %q, %q", first, second)
	}
	// None, and one starting with a zero byte (here the second peer's route).
	for _, id := range []string{"", second} {
		if route := r.claim(conn, id); route == id || route[0] != 0 {
			t.Errorf("identity %q routed as %q", id, route)
		}
	}
	r.release(first)
	if again := r.claim(conn, "a"); again != "a" {
		t.Errorf("a freed identity is routed as %q", again)
	}
}
