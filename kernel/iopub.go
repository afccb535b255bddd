package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"
)

// iopub is the kernel's own ZMTP 3.0 PUB socket rather than zmq4's: zmq4 writes to its
// subscribers one after the other from one goroutine, so a subscriber that stops reading
// stops iopub for every front end and keeps new ones from connecting, while messages pile
// up in its queue. Here each subscriber has its own queue and writer:
//
//   - publish never blocks: it encodes the message once and queues it for each subscriber;
//   - a subscriber whose queue holds more than subscriberSoftLimit bytes misses outputs
//     (stream, display and clear messages) until it catches up, and then gets a note on
//     stderr saying how much it missed; statuses, replies and errors are always queued;
//   - a subscriber over subscriberHardLimit, or one that leaves a write unread for
//     writeTimeout, is disconnected (ZeroMQ front ends reconnect by themselves);
//   - connecting and handshaking happen on goroutines of their own (see zmtp.go);
//   - what is published while nobody is subscribed is kept for a while (the backlog) and
//     goes to the next subscriber: a front end that connects iopub a little after shell
//     (jupyter console does not wait for iopub) still sees its first cell's statuses.
const (
	subscriberSoftLimit = 8 << 20
	subscriberHardLimit = 16 << 20

	backlogMessages = 256
	backlogBytes    = 4 << 20
	backlogAge      = 10 * time.Second
)

// publisher is the iopub socket.
type publisher struct {
	ln     *guardedListener
	signer *signer
	log    *log.Logger
	// note builds the message that tells a subscriber what it missed.
	note func(parent json.RawMessage, text string) *Message

	mu          sync.Mutex
	subs        map[*subscriber]bool
	backlog     []*queued // published while no subscriber had subscribed, oldest first
	backlogSize int
	closed      bool
	wg          sync.WaitGroup
}

// listenPublisher listens for subscribers on addr (a host:port for "tcp", a socket's path
// for "unix").
func listenPublisher(network, addr string, s *signer, logger *log.Logger, note func(json.RawMessage, string) *Message) (*publisher, error) {
	l, err := listen(network, addr)
	if err != nil {
		return nil, err
	}
	p := &publisher{signer: s, log: logger, note: note, subs: map[*subscriber]bool{}}
	p.ln = newGuardedListener(l, p.handshake)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// handshake completes the handshake of a new connection as a PUB socket.
func (p *publisher) handshake(c net.Conn) (net.Conn, error) {
	_, props, err := peerHandshake(c)
	if err != nil {
		return nil, err
	}
	if t := props["Socket-Type"]; t != "SUB" && t != "XSUB" {
		return nil, &errPeer{fmt.Sprintf("a %s socket cannot subscribe to iopub", t)}
	}
	c.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	defer c.SetWriteDeadline(time.Time{})
	if _, err := c.Write(command("READY", metadata("Socket-Type", "PUB"))); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *publisher) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s := &subscriber{p: p, conn: c, wake: make(chan struct{}, 1), done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.subs[s] = true
		p.wg.Add(2)
		p.mu.Unlock()
		go s.readSubscriptions()
		go s.write()
	}
}

// publish queues m for every subscriber whose subscriptions match its topic, or keeps it
// in the backlog while there is no subscriber.
func (p *publisher) publish(m *Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	frames, err := encode(m, p.signer)
	if err != nil {
		p.log.Printf("iopub: cannot encode %s: %v", m.Header.MsgType, err)
		return
	}
	it := &queued{frames: frames, parent: m.Parent, output: isOutput(m.Header.MsgType), at: time.Now()}
	for _, f := range frames {
		it.size += len(f) + 9
	}
	subscribed := false
	for s := range p.subs {
		subscribed = s.offer(it) || subscribed
	}
	if !subscribed && it.size <= backlogBytes {
		p.backlog = append(p.backlog, it)
		p.backlogSize += it.size
		for len(p.backlog) > backlogMessages || p.backlogSize > backlogBytes {
			p.backlogSize -= p.backlog[0].size
			p.backlog = p.backlog[1:]
		}
	}
}

// subscribe adds topic to s's subscriptions and hands s the backlog, in order: p.mu is
// held throughout, so nothing published meanwhile can overtake it.
func (p *publisher) subscribe(s *subscriber, topic []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.mu.Lock()
	s.topics = append(s.topics, append([]byte(nil), topic...))
	s.mu.Unlock()
	for _, it := range p.backlog {
		if time.Since(it.at) < backlogAge {
			s.offer(it)
		}
	}
	p.backlog, p.backlogSize = nil, 0
}

// isOutput reports whether a message of msgType may be dropped for a slow subscriber.
func isOutput(msgType string) bool {
	switch msgType {
	case "stream", "display_data", "update_display_data", "clear_output":
		return true
	}
	return false
}

// subscribers reports how many subscribers are connected (for tests).
func (p *publisher) subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.subs)
}

// close sends what is queued (for at most a second) and disconnects everyone.
func (p *publisher) close() {
	p.mu.Lock()
	p.closed = true
	subs := make([]*subscriber, 0, len(p.subs))
	for s := range p.subs {
		subs = append(subs, s)
	}
	p.mu.Unlock()
	p.ln.Close()
	deadline := time.Now().Add(time.Second)
	for _, s := range subs {
		s.finish(deadline)
	}
	p.wg.Wait()
}

func (p *publisher) remove(s *subscriber) {
	p.mu.Lock()
	delete(p.subs, s)
	p.mu.Unlock()
}

// queued is one encoded message on its way to subscribers.
type queued struct {
	frames [][]byte
	size   int
	parent json.RawMessage
	output bool
	at     time.Time // when it was published
	// note is set on the placeholder of a note about missed outputs.
	note *missed
}

// missed counts the outputs a subscriber did not get, for the note that follows them.
type missed struct {
	parent   json.RawMessage
	messages int
	bytes    int
}

// subscriber is one connected SUB socket with its queue.
type subscriber struct {
	p    *publisher
	conn net.Conn

	mu       sync.Mutex
	topics   [][]byte
	queue    []*queued
	bytes    int
	missing  *missed // the note being counted, while it is still queued
	gone     bool
	finishBy time.Time // set by finish: send what is queued until then, then close
	wake     chan struct{}
	done     chan struct{}
}

func (s *subscriber) subscribed(topic []byte) bool {
	for _, t := range s.topics {
		if bytes.HasPrefix(topic, t) {
			return true
		}
	}
	return false
}

// offer queues it unless the subscriber did not subscribe or is too far behind. It
// reports whether the subscriber subscribed to it (even when it is missed or too far
// behind and disconnected).
func (s *subscriber) offer(it *queued) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone || !s.finishBy.IsZero() || !s.subscribed(it.frames[0]) {
		return false
	}
	// An empty queue takes any message: only a subscriber that is behind misses any.
	switch {
	case it.output && s.bytes > 0 && s.bytes+it.size > subscriberSoftLimit:
		if s.missing == nil {
			s.missing = &missed{parent: it.parent}
			s.queue = append(s.queue, &queued{note: s.missing})
		}
		s.missing.messages++
		s.missing.bytes += it.size
		return true
	case s.bytes > 0 && s.bytes+it.size > subscriberHardLimit:
		s.p.log.Printf("iopub: %s is %d MB behind; disconnected", s.conn.RemoteAddr(), s.bytes>>20)
		s.closeLocked()
		return true
	}
	s.queue = append(s.queue, it)
	s.bytes += it.size
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// write sends the queue, one writev per message.
func (s *subscriber) write() {
	defer s.p.wg.Done()
	defer s.close()
	var bufs net.Buffers
	for {
		s.mu.Lock()
		for len(s.queue) == 0 {
			if s.gone || !s.finishBy.IsZero() {
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-s.done:
			}
			s.mu.Lock()
		}
		it := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.bytes -= it.size
		if it.note != nil {
			if s.missing == it.note {
				s.missing = nil
			}
			it = s.noteMessage(it.note)
		}
		deadline := time.Now().Add(writeTimeout)
		if !s.finishBy.IsZero() {
			deadline = s.finishBy
		}
		s.mu.Unlock()
		if it == nil {
			continue
		}

		bufs = bufs[:0]
		hdrs := make([]byte, 0, 9*len(it.frames))
		for i, f := range it.frames {
			var flags byte
			if i < len(it.frames)-1 {
				flags = flagMore
			}
			start := len(hdrs)
			hdrs = frameHeader(hdrs, flags, len(f))
			bufs = append(bufs, hdrs[start:len(hdrs):len(hdrs)], f)
		}
		s.conn.SetWriteDeadline(deadline)
		if _, err := bufs.WriteTo(s.conn); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && s.finishBy.IsZero() {
				s.p.log.Printf("iopub: %s left messages unread for %s; disconnected", s.conn.RemoteAddr(), writeTimeout)
			}
			return
		}
	}
}

// noteMessage is the encoded note about outputs the subscriber missed.
func (s *subscriber) noteMessage(m *missed) *queued {
	text := fmt.Sprintf("\n[gomatcalc: %d output messages (%.1f MB) were not sent to this front end: it was not reading them fast enough]\n",
		m.messages, float64(m.bytes)/1e6)
	frames, err := encode(s.p.note(m.parent, text), s.p.signer)
	if err != nil {
		return nil
	}
	return &queued{frames: frames}
}

// readSubscriptions reads what the subscriber sends: subscriptions, in ZMTP 3.0's
// messages or 3.1's commands. Its end is the connection's end.
func (s *subscriber) readSubscriptions() {
	defer s.p.wg.Done()
	defer s.close()
	inMessage := false // after a frame with the more flag: the rest of a message
	for {
		flags, body, err := readFrame(s.conn, maxCommand)
		if err != nil {
			var perr *errPeer
			if errors.As(err, &perr) {
				logPeer("closed the iopub connection from %s: %v", s.conn.RemoteAddr(), err)
			}
			return
		}
		if inMessage {
			inMessage = flags&flagMore != 0
			continue
		}
		inMessage = flags&(flagMore|flagCommand) == flagMore
		var sub byte
		var topic []byte
		switch {
		case flags&flagCommand != 0 && len(body) > 0 && int(body[0]) < len(body):
			name := string(body[1 : 1+int(body[0])])
			topic = body[1+int(body[0]):]
			switch name {
			case "SUBSCRIBE":
				sub = 1
			case "CANCEL":
				sub = 2
			default:
				continue
			}
		case flags&(flagCommand|flagMore) == 0 && len(body) > 0 && body[0] <= 1:
			sub, topic = 2-body[0], body[1:] // 1 subscribes, 0 cancels
		default:
			// Other messages from a subscriber mean nothing to a PUB socket.
			continue
		}
		if sub == 1 {
			s.p.subscribe(s, topic)
			continue
		}
		s.mu.Lock()
		for i, t := range s.topics {
			if bytes.Equal(t, topic) {
				s.topics = append(s.topics[:i], s.topics[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
	}
}

// finish lets the writer send what is queued until deadline, then closes.
func (s *subscriber) finish(deadline time.Time) {
	s.mu.Lock()
	s.finishBy = deadline
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	s.conn.SetReadDeadline(deadline)
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *subscriber) closeLocked() {
	if s.gone {
		return
	}
	s.gone = true
	s.queue = nil
	s.bytes = 0
	s.conn.Close()
	close(s.done)
	go s.p.remove(s)
}
