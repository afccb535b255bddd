package kernel

import (
	"log"

	"github.com/go-zeromq/zmq4"
)

// iopubQueue bounds the messages waiting for the iopub writer, and iopubHWM the ones
// zmq4's PUB socket keeps for its subscribers (beyond it, zmq4 drops, as ZeroMQ does).
const (
	iopubQueue = 1024
	iopubHWM   = 10000
)

// publisher is the one goroutine that writes iopub. zmq4's PUB sends never block once
// its high-water mark is set, so a slow or vanished subscriber cannot stall a cell.
type publisher struct {
	sock     zmq4.Socket
	signer   *signer
	log      *log.Logger
	queue    chan *Message
	closing  chan struct{}
	finished chan struct{}
}

func newPublisher(sock zmq4.Socket, s *signer, logger *log.Logger) *publisher {
	if err := sock.SetOption(zmq4.OptionHWM, iopubHWM); err != nil {
		logger.Printf("iopub: cannot set high-water mark: %v", err)
	}
	p := &publisher{
		sock:     sock,
		signer:   s,
		log:      logger,
		queue:    make(chan *Message, iopubQueue),
		closing:  make(chan struct{}),
		finished: make(chan struct{}),
	}
	go p.run()
	return p
}

// publish queues m; after close it drops m.
func (p *publisher) publish(m *Message) {
	select {
	case p.queue <- m:
	case <-p.closing:
	}
}

func (p *publisher) run() {
	defer close(p.finished)
	for {
		select {
		case m := <-p.queue:
			p.send(m)
		case <-p.closing:
			for {
				select {
				case m := <-p.queue:
					p.send(m)
				default:
					return
				}
			}
		}
	}
}

func (p *publisher) send(m *Message) {
	frames, err := encode(m, p.signer)
	if err != nil {
		p.log.Printf("iopub: cannot encode %s: %v", m.Header.MsgType, err)
		return
	}
	if err := p.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		p.log.Printf("iopub: send %s: %v", m.Header.MsgType, err)
	}
}

// close sends what is queued and stops the writer.
func (p *publisher) close() {
	close(p.closing)
	<-p.finished
}
