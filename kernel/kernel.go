// Package kernel implements the Jupyter messaging protocol (version 5.3) over ZeroMQ.
//
// It owns the five sockets, message signing, headers, busy/idle status, execution
// counting and history, and hands the language part of every request to a lang.Session,
// as xeus does with its interpreter. It knows nothing of Go or yaegi.
package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Kernel serves one lang.Session to Jupyter front ends.
type Kernel struct {
	conn    *ConnectionInfo
	session lang.Session
	signer  *signer
	id      string // this kernel's session id, in every header it writes
	log     *log.Logger

	shell, control, stdin *router
	iopub                 *publisher
	sockets               []zmq4.Socket

	history        *history
	executionCount int
	failed         failure      // the last cell that failed with stop_on_error
	lastExecute    atomic.Int64 // when the last execute_request arrived (Unix ns)

	ctx         context.Context // Run's: ending it interrupts the running cell
	mu          sync.Mutex
	cancelCell  context.CancelFunc // cancels the running cell; nil when idle
	stdinReply  chan *Message
	stopping    chan struct{} // closed by shutdown_request
	stopOnce    sync.Once
	restartFlag bool
}

// New returns a kernel for session that will listen as conn says (conn as
// ReadConnectionFile checked it). Diagnostics go to logw (the process's stderr, never
// iopub).
func New(conn *ConnectionInfo, session lang.Session, logw io.Writer) *Kernel {
	h, err := signatureHash(conn.SignatureScheme)
	if err != nil {
		panic("kernel: " + err.Error())
	}
	k := &Kernel{
		conn:       conn,
		session:    session,
		signer:     newSchemeSigner(conn.Key, h),
		id:         newID(),
		log:        log.New(logw, "gomatcalc: ", log.LstdFlags),
		history:    newHistory(),
		stdinReply: make(chan *Message, 1),
		stopping:   make(chan struct{}),
	}
	peerLog.Store(k.log)
	return k
}

// Run listens on the connection's sockets and serves requests until a shutdown_request
// arrives or ctx ends. It reports whether the front end asked for a restart.
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		k.closeSockets()
	}()
	k.ctx = ctx
	if err := k.listen(ctx); err != nil {
		return false, err
	}
	if l, ok := k.session.(lang.Loader); ok {
		l.Load()
	}

	go k.heartbeat()
	k.shell.arrivals = &k.lastExecute
	shellMsgs := k.shell.receive(ctx, k.signer, k.log)
	controlMsgs := k.control.receive(ctx, k.signer, k.log)
	stdinMsgs := k.stdin.receive(ctx, k.signer, k.log)
	go k.serveControl(controlMsgs)
	go k.forwardInputReplies(stdinMsgs)

	k.publishStatus("starting", nil)
	// Shell requests are served on a goroutine of their own, so that a request that does
	// not end when interrupted cannot keep the kernel from stopping.
	served := make(chan error, 1)
	go func() { served <- k.serveShell(ctx, shellMsgs) }()
	select {
	case err := <-served:
		if err != nil {
			return false, err
		}
	case <-k.stopping:
		k.stopShell(served)
	case <-ctx.Done():
		k.stopShell(served)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.restartFlag, nil
}

// stopGrace is how long a request being served has to end once the kernel is stopping.
const stopGrace = time.Second

// serveShell handles shell requests one at a time until the kernel stops.
func (k *Kernel) serveShell(ctx context.Context, msgs <-chan *Message) error {
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return fmt.Errorf("shell socket closed")
			}
			select {
			case <-k.stopping:
				return nil
			default:
			}
			k.handle(k.shell, m)
		case <-k.stopping:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// stopShell interrupts the running cell and waits a little for the request to end. One
// that does not (compiled code that never looks at its context) is left behind: the
// process is ending.
func (k *Kernel) stopShell(served <-chan error) {
	k.Interrupt()
	select {
	case <-served:
	case <-time.After(stopGrace):
		k.log.Printf("shell: the running request did not end within %s of the interrupt; stopping anyway", stopGrace)
	}
}

// Interrupt cancels the running cell, if any (interrupt_request and SIGINT).
func (k *Kernel) Interrupt() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancelCell != nil {
		k.cancelCell()
	}
}

func (k *Kernel) listen(ctx context.Context) error {
	shell := zmq4.NewRouter(ctx)
	control := zmq4.NewRouter(ctx)
	stdin := zmq4.NewRouter(ctx)
	hb := zmq4.NewRep(ctx)
	k.sockets = []zmq4.Socket{shell, control, stdin, hb}
	for _, s := range []struct {
		sock zmq4.Socket
		port int
		name string
	}{{shell, k.conn.ShellPort, "shell"}, {control, k.conn.ControlPort, "control"},
		{stdin, k.conn.StdinPort, "stdin"}, {hb, k.conn.HBPort, "heartbeat"}} {
		if err := s.sock.Listen(k.conn.listenEndpoint(s.port)); err != nil {
			return fmt.Errorf("%s socket: %w", s.name, err)
		}
	}
	network, addr := k.conn.listenAddr(k.conn.IOPubPort)
	iopub, err := listenPublisher(network, addr, k.signer, k.log, k.missedNote)
	if err != nil {
		return fmt.Errorf("iopub socket: %w", err)
	}
	k.shell = &router{sock: shell, name: "shell", signer: k.signer}
	k.control = &router{sock: control, name: "control", signer: k.signer}
	k.stdin = &router{sock: stdin, name: "stdin", signer: k.signer}
	k.iopub = iopub
	return nil
}

// missedNote is the message that tells a slow iopub subscriber what it missed.
func (k *Kernel) missedNote(parent json.RawMessage, text string) *Message {
	m := k.newMessage("stream", &Message{RawHeader: parent}, map[string]string{"name": "stderr", "text": text})
	m.Identities = [][]byte{[]byte("kernel." + k.id + ".stream")}
	return m
}

func (k *Kernel) closeSockets() {
	if k.iopub != nil {
		k.iopub.close()
	}
	for _, s := range k.sockets {
		s.Close()
	}
}

// heartbeat echoes every ping on its own goroutine, as the protocol asks.
func (k *Kernel) heartbeat() {
	hb := k.sockets[3]
	for {
		msg, err := hb.Recv()
		if err != nil {
			return
		}
		if err := hb.Send(msg); err != nil {
			return
		}
	}
}

// serveControl answers control requests on their own goroutine, so that interrupt and
// shutdown work while a cell runs on the shell goroutine.
func (k *Kernel) serveControl(msgs <-chan *Message) {
	for m := range msgs {
		switch m.Header.MsgType {
		case "kernel_info_request", "interrupt_request", "shutdown_request":
			k.handle(k.control, m)
		default:
			// Other requests touch the session, which runs cells on the shell goroutine.
			k.log.Printf("control: %s is not served on control; ignored", m.Header.MsgType)
		}
	}
}

// forwardInputReplies hands input_reply messages to the cell waiting for one.
func (k *Kernel) forwardInputReplies(msgs <-chan *Message) {
	for m := range msgs {
		if m.Header.MsgType != "input_reply" {
			k.log.Printf("stdin: unexpected %s; ignored", m.Header.MsgType)
			continue
		}
		select {
		case k.stdinReply <- m:
		default:
			k.log.Printf("stdin: input_reply nobody asked for; ignored")
		}
	}
}

// shutdown ends Run once the reply is sent.
func (k *Kernel) shutdown(restart bool) {
	k.mu.Lock()
	k.restartFlag = restart
	k.mu.Unlock()
	k.Interrupt()
	k.stopOnce.Do(func() { close(k.stopping) })
}

// newMessage returns a message of msgType in reply to (or on behalf of) parent.
func (k *Kernel) newMessage(msgType string, parent *Message, content any) *Message {
	m := &Message{Header: newHeader(msgType, k.id), Metadata: json.RawMessage("{}")}
	if parent != nil {
		m.Parent = parent.RawHeader
		m.Identities = parent.Identities
	}
	data, err := json.Marshal(content)
	if err != nil {
		k.log.Printf("cannot encode %s content: %v", msgType, err)
		data = []byte("{}")
	}
	m.Content = data
	return m
}

// reply sends a reply to request on the socket it came in on.
func (k *Kernel) reply(sock *router, request *Message, msgType string, content any) {
	sock.send(k.newMessage(msgType, request, content), k.log)
}

// publish sends an iopub message whose parent is parent; the topic names its type.
func (k *Kernel) publish(msgType string, parent *Message, content any) {
	m := k.newMessage(msgType, parent, content)
	m.Identities = [][]byte{[]byte("kernel." + k.id + "." + msgType)}
	k.iopub.publish(m)
}

func (k *Kernel) publishStatus(state string, parent *Message) {
	k.publish("status", parent, map[string]string{"execution_state": state})
}

// router is a ROUTER socket (shell, control or stdin) with its one send lock.
type router struct {
	sock   zmq4.Socket
	name   string
	signer *signer
	mu     sync.Mutex
	// arrivals, when set, records when the last execute_request arrived (Unix ns).
	arrivals *atomic.Int64
}

func (r *router) send(m *Message, logger *log.Logger) {
	frames, err := encode(m, r.signer)
	if err != nil {
		logger.Printf("%s: cannot encode %s: %v", r.name, m.Header.MsgType, err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		logger.Printf("%s: send %s: %v", r.name, m.Header.MsgType, err)
	}
}

// receive reads the socket on its own goroutine and delivers the messages that decode and
// verify; the rest are logged and dropped.
func (r *router) receive(ctx context.Context, s *signer, logger *log.Logger) <-chan *Message {
	out := make(chan *Message, 256)
	go func() {
		defer close(out)
		for {
			raw, err := r.sock.Recv()
			if err != nil {
				if ctx.Err() == nil {
					logger.Printf("%s: receive: %v", r.name, err)
				}
				return
			}
			m, err := decode(raw.Frames, s)
			if err == nil && s != nil && !s.fresh(m.signature) {
				err = ErrReplayed
			}
			if err != nil {
				logger.Printf("%s: dropped a message: %v", r.name, err)
				continue
			}
			if r.arrivals != nil && m.Header.MsgType == "execute_request" {
				r.arrivals.Store(m.Received.UnixNano())
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
