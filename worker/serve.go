package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gomatcalc/gomatcalc/internal/limits"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Serve is the worker's side: it loads a session with load and answers the supervisor's
// requests until the supervisor closes its end (or dies), then returns. It is all that a
// worker process runs.
func Serve(load func() (lang.Session, error)) error {
	files, err := inheritedFiles()
	if err != nil {
		return err
	}
	requests, events := files[0], files[1]
	// The session's goroutines write to os.Stderr between cells; descriptor 2 is left to
	// the Go runtime's own reports (see the package comment). The file that was os.Stderr
	// must stay reachable: collected, it would close descriptor 2.
	runtimeStderr := os.Stderr
	defer runtime.KeepAlive(runtimeStderr)
	os.Stderr = files[2]
	// Interrupts come as requests. A Ctrl-C in a terminal, or a front end signalling the
	// kernel's process group, must not end the session.
	signal.Ignore(os.Interrupt)
	// The kernel has said what is wrong with a malformed limit already.
	lim := limits.Find(nil)
	useLimits(lim)

	srv := &server{enc: json.NewEncoder(events), running: map[uint64]*running{}}
	session, err := load()
	if err != nil {
		srv.send(event{LoadError: err.Error()})
		return err
	}
	srv.session = session
	srv.send(event{Ready: true})
	if lim.MemoryLimited() {
		go srv.reportHeld()
	}

	dec := json.NewDecoder(requests)
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil // the supervisor is done with this worker
			}
			return fmt.Errorf("worker: reading a request: %w", err)
		}
		switch req.Method {
		case methodInterrupt:
			srv.interrupt(req.ID)
		case methodInput:
			srv.answer(req.ID, req.Input)
		case methodExecute:
			// Registered before it runs: an interrupt that follows at once must find it.
			srv.register(req.ID)
			go srv.handle(req)
		default:
			go srv.handle(req)
		}
	}
}

// server answers requests one at a time, as the kernel asks them; interrupts and input
// replies are taken while a call runs.
type server struct {
	session lang.Session
	one     sync.Mutex // one call at a time

	encMu sync.Mutex
	enc   *json.Encoder

	mu      sync.Mutex
	running map[uint64]*running
	seq     uint64
}

// running is an execute in progress: what cancels it and the input requests it waits on.
type running struct {
	ctx    context.Context
	cancel context.CancelFunc
	inputs map[uint64]chan inputReply
}

func (s *server) send(ev event) error {
	s.encMu.Lock()
	defer s.encMu.Unlock()
	return s.enc.Encode(ev)
}

func (s *server) handle(req request) {
	s.one.Lock()
	defer s.one.Unlock()
	ev := event{ID: req.ID, Done: true}
	switch req.Method {
	case methodExecute:
		res := s.execute(req)
		ev.Execute = &res
	case methodComplete:
		c := s.session.Complete(req.Code, req.Cursor)
		ev.Completion = &c
	case methodInspect:
		in := s.session.Inspect(req.Code, req.Cursor, req.Detail)
		in.Data = in.Data.Encodable()
		ev.Inspection = &in
	case methodIsComplete:
		c := s.session.IsComplete(req.Code)
		ev.Completeness = &c
	default:
		ev.Execute = &lang.ExecuteResult{Err: &lang.Error{Name: "InternalError", Value: "the worker has no method " + req.Method}}
	}
	if err := s.send(ev); err != nil {
		// Whatever JSON could not encode, the supervisor must get an answer.
		s.send(event{ID: req.ID, Done: true, Execute: &lang.ExecuteResult{Err: &lang.Error{
			Name: "InternalError", Value: "the answer could not be sent: " + err.Error()}}})
	}
}

// register makes the execute id's context, which an interrupt cancels even before the
// execute has begun.
func (s *server) register(id uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.running[id] = &running{ctx: ctx, cancel: cancel, inputs: map[uint64]chan inputReply{}}
	s.mu.Unlock()
}

func (s *server) execute(req request) lang.ExecuteResult {
	s.mu.Lock()
	r := s.running[req.ID] // registered by Serve
	s.mu.Unlock()
	defer r.cancel()
	defer func() {
		s.mu.Lock()
		delete(s.running, req.ID)
		s.mu.Unlock()
	}()
	var exec lang.ExecuteRequest
	if req.Execute != nil {
		exec = *req.Execute
	}
	out := &output{srv: s, id: req.ID}
	res := s.session.Execute(r.ctx, exec, out)
	out.flush()
	// Within the limits the kernel enforces anyway: a 100 MB value need not cross the pipe.
	res.Value = res.Value.Limited()
	res.Page = res.Page.Limited()
	for name, r := range res.UserExpressions {
		r.Value = r.Value.Limited()
		res.UserExpressions[name] = r
	}
	return res
}

func (s *server) interrupt(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.running[id]; r != nil {
		r.cancel()
	}
}

func (s *server) answer(id uint64, reply *inputReply) {
	if reply == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.running[id]; r != nil {
		if ch := r.inputs[reply.Seq]; ch != nil {
			ch <- *reply
			delete(r.inputs, reply.Seq)
		}
	}
}

// output is the lang.Output of an execute in the worker: everything goes to the
// supervisor as events of the call. Stream text is gathered for a few milliseconds or
// 64 KiB (a cell printing a million lines makes a million writes; an event each cost 5x
// the kernel's own handling), and always sent before anything else the cell shows.
type output struct {
	srv *server
	id  uint64

	mu      sync.Mutex
	name    string // the stream of pending
	pending strings.Builder
	timer   *time.Timer
}

const (
	streamDelay = 10 * time.Millisecond
	streamBatch = 64 << 10
)

func (o *output) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending.Len() > 0 && o.name != name {
		o.flushLocked()
	}
	o.name = name
	o.pending.WriteString(text)
	switch {
	case o.pending.Len() >= streamBatch:
		o.flushLocked()
	case o.timer == nil:
		o.timer = time.AfterFunc(streamDelay, o.flush)
	}
}

func (o *output) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *output) flushLocked() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	if o.pending.Len() == 0 {
		return
	}
	o.srv.send(event{ID: o.id, Stream: &stream{Name: o.name, Text: o.pending.String()}})
	o.pending.Reset()
}

func (o *output) Display(d lang.Display) {
	o.flush()
	d.Data = d.Data.Limited()
	if err := o.srv.send(event{ID: o.id, Display: &d}); err != nil {
		// Metadata JSON cannot encode: the display goes without it.
		d.Metadata = nil
		o.srv.send(event{ID: o.id, Display: &d})
	}
}

func (o *output) Clear(wait bool) {
	o.flush()
	o.srv.send(event{ID: o.id, Clear: &wait})
}

func (o *output) Input(prompt string, password bool) (string, error) {
	o.flush()
	s := o.srv
	reply := make(chan inputReply, 1)
	s.mu.Lock()
	r := s.running[o.id]
	if r == nil {
		s.mu.Unlock()
		return "", errors.New("input requested after the cell ended")
	}
	s.seq++
	seq := s.seq
	r.inputs[seq] = reply
	s.mu.Unlock()
	if err := s.send(event{ID: o.id, Input: &inputRequest{Seq: seq, Prompt: prompt, Password: password}}); err != nil {
		return "", err
	}
	got := <-reply
	switch {
	case got.NoStdin:
		return "", lang.ErrNoStdin
	case got.Error != "":
		return "", errors.New(got.Error)
	}
	return got.Text, nil
}
