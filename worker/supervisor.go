package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/internal/limits"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Options configure a Supervisor.
type Options struct {
	// Command returns a fresh command for each worker: a program that calls Serve. Its
	// Stdin, Stdout, Stderr and ExtraFiles are the Supervisor's to set; Dir and Env are
	// the caller's.
	Command func() *exec.Cmd
	// Info answers kernel_info, without waiting for a worker.
	Info lang.Info
	// Grace is how long an interrupted cell may take to stop before its worker is killed
	// and a fresh one started (0: DefaultGrace).
	Grace time.Duration
	// Log receives what the session's goroutines print before any cell has run; nil:
	// it is dropped.
	Log io.Writer
	// Limits are the server's (limits.Find): with a memory limit below the machine's
	// memory, a worker that uses more is ended (see watchMemory). The worker finds the
	// same limits in the environment and cgroup it inherits, and fits its runtime to them.
	Limits limits.Limits
}

// DefaultGrace is how long an interrupted cell has to stop. Interpreted code stops within
// milliseconds; what does not (a long call into compiled code, a compile of a cell of
// 100,000 lines) would otherwise hold the kernel until it ends, if ever.
const DefaultGrace = 5 * time.Second

// askTimeout bounds a question (complete, inspect, is_complete): a front end asks them
// as the user types, and no answer is better than a frozen kernel.
const askTimeout = 10 * time.Second

// Supervisor is a lang.Session whose session runs in a worker process. It starts a
// fresh worker whenever one ends.
type Supervisor struct {
	opts Options

	mu      sync.Mutex
	current *process
	closed  bool
	last    lang.Output // the latest cell's output: what goroutines print between cells
	lost    string      // how the previous session ended between cells, for the next cell
}

// New returns a Supervisor with no worker yet: Load, or the first request, starts one.
func New(opts Options) *Supervisor {
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	return &Supervisor{opts: opts}
}

// Load starts the first worker, if none has started (lang.Loader: the kernel calls it
// once its sockets listen; started before, the worker's loading slows the binding down
// enough that a front end's first connection is refused, and retried 100 ms later).
func (s *Supervisor) Load() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil && !s.closed {
		s.current = s.start()
	}
}

// Close ends the worker; the Supervisor answers nothing afterwards.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	p := s.current
	s.current, s.closed = nil, true
	s.mu.Unlock()
	if p != nil {
		p.kill(ending{name: "SessionClosed", msg: "the session was closed"})
		<-p.ended
	}
	return nil
}

// Info describes the session for kernel_info.
func (s *Supervisor) Info() lang.Info { return s.opts.Info }

// Execute runs a cell in the worker. When the worker ends meanwhile, the cell's error
// says what ended it; when an interrupt does not stop the cell within the grace, the
// worker is killed. Either way a fresh worker is starting when Execute returns.
func (s *Supervisor) Execute(ctx context.Context, req lang.ExecuteRequest, out lang.Output) lang.ExecuteResult {
	p, note, err := s.worker(true)
	if err != nil {
		return lang.ExecuteResult{Err: err}
	}
	if note != "" {
		out.Stream("stderr", note)
	}
	s.mu.Lock()
	s.last = out
	s.mu.Unlock()
	if err := p.waitReady(ctx); err != nil {
		return lang.ExecuteResult{Err: err}
	}
	if s.opts.Limits.MemoryLimited() {
		p.watchOnce.Do(func() { go p.watchMemory(s.opts.Limits) })
	}
	c := p.call(request{Method: methodExecute, Execute: &req}, out)
	p.tellMemory() // a cell runs: look more often
	select {
	case ev := <-c.answer:
		return executeResult(ev)
	case <-p.ended:
		return p.endedDuring(c)
	case <-ctx.Done():
	}
	p.send(request{ID: c.id, Method: methodInterrupt})
	grace := time.NewTimer(s.opts.Grace)
	defer grace.Stop()
	select {
	case ev := <-c.answer:
		return executeResult(ev)
	case <-p.ended:
	case <-grace.C:
		p.kill(ending{name: "Interrupted", msg: fmt.Sprintf("the cell did not stop within %s of the interrupt", s.opts.Grace)})
		<-p.ended
	}
	return p.endedDuring(c)
}

func executeResult(ev event) lang.ExecuteResult {
	if ev.Execute == nil {
		return lang.ExecuteResult{Err: &lang.Error{Name: "InternalError", Value: "the worker's answer had no result"}}
	}
	return *ev.Execute
}

// Complete, Inspect and IsComplete ask the worker, with no answer when it is busy for
// longer than askTimeout or ends.
func (s *Supervisor) Complete(code string, cursor int) lang.Completion {
	if ev, ok := s.ask(request{Method: methodComplete, Code: code, Cursor: cursor}); ok && ev.Completion != nil {
		return *ev.Completion
	}
	return lang.Completion{Start: cursor, End: cursor}
}

func (s *Supervisor) Inspect(code string, cursor, detail int) lang.Inspection {
	if ev, ok := s.ask(request{Method: methodInspect, Code: code, Cursor: cursor, Detail: detail}); ok && ev.Inspection != nil {
		return *ev.Inspection
	}
	return lang.Inspection{}
}

func (s *Supervisor) IsComplete(code string) lang.Completeness {
	if ev, ok := s.ask(request{Method: methodIsComplete, Code: code}); ok && ev.Completeness != nil {
		return *ev.Completeness
	}
	return lang.Completeness{Status: lang.Unknown}
}

func (s *Supervisor) ask(req request) (event, bool) {
	p, _, err := s.worker(false)
	if err != nil {
		return event{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), askTimeout)
	defer cancel()
	if p.waitReady(ctx) != nil {
		return event{}, false
	}
	c := p.call(req, nil)
	select {
	case ev := <-c.answer:
		return ev, true
	case <-p.ended:
	case <-ctx.Done():
	}
	p.forget(c.id)
	return event{}, false
}

// worker returns the running worker, started afresh when the last one has ended, and with
// takeNote how a session ended between cells (said once, with the next cell).
func (s *Supervisor) worker(takeNote bool) (*process, string, *lang.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, "", &lang.Error{Name: "SessionClosed", Value: "the session has been closed"}
	}
	if s.current == nil || s.current.hasEnded() {
		s.replaceLocked(s.current)
		if s.current == nil {
			s.current = s.start() // asked for again: try again
		}
	}
	note := ""
	if takeNote {
		note, s.lost = s.lost, ""
	}
	return s.current, note, nil
}

// ended is called once p has ended.
func (s *Supervisor) ended(p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == p && !s.closed {
		s.replaceLocked(p)
	}
}

// replaceLocked starts a worker in place of p (nil or ended). A worker that never loaded
// is replaced only when asked for again, so that a session that cannot start does not
// spin. s.mu is held.
func (s *Supervisor) replaceLocked(p *process) {
	if p != nil && p.wasReady() && !p.endedInCell {
		// Nobody was told: the next cell is, and the last one's output at once.
		s.lost = lostNote(p.end)
		if s.last != nil {
			s.last.Stream("stderr", s.lost)
		}
	}
	if p == nil || p.wasReady() {
		s.current = s.start()
	} else {
		s.current = nil
	}
}

func lostNote(end *lang.Error) string {
	return fmt.Sprintf("[gomatcalc: the Go session ended between cells (%s: %s) and a fresh one has started: the variables, functions and imports of earlier cells are gone]\n", end.Name, end.Value)
}

// forward delivers what the worker's goroutines print between cells to the latest
// cell's output, keeping characters whole.
func (s *Supervisor) forward(r io.ReadCloser, name string) {
	defer r.Close()
	buf := make([]byte, 32<<10)
	var held []byte
	for {
		n, err := r.Read(buf)
		b := append(held, buf[:n]...)
		cut := wholeRunes(b)
		if err != nil {
			cut = len(b)
		}
		if cut > 0 {
			s.mu.Lock()
			out := s.last
			s.mu.Unlock()
			switch {
			case out != nil:
				out.Stream(name, string(b[:cut]))
			case s.opts.Log != nil:
				s.opts.Log.Write(b[:cut])
			}
		}
		held = append([]byte(nil), b[cut:]...)
		if err != nil {
			return
		}
	}
}

// wholeRunes is the length of b without an unfinished UTF-8 character at its end.
func wholeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// process is one worker.
type process struct {
	sup *Supervisor
	cmd *exec.Cmd

	sendMu   sync.Mutex
	requests *os.File
	enc      *json.Encoder

	readyOnce sync.Once
	ready     chan struct{} // closed when the session has loaded, or failed to, or the process ended
	loaded    bool          // the session loaded (read after ready is closed)
	loadError string

	mu     sync.Mutex
	calls  map[uint64]*call
	lastID uint64
	killed *ending // why the supervisor killed it

	held       atomic.Uint64 // what the worker's Go runtime holds, in bytes, as it last said
	watchOnce  sync.Once     // starts watchMemory
	memoryNews chan struct{} // wakes watchMemory: a cell started, or held changed

	// ended is closed when the process has ended; end says how, and endedInCell whether
	// a cell was running then (its error tells).
	ended       chan struct{}
	end         *lang.Error
	endedInCell bool
	crash       crashReport
}

// call is a request waiting for its answer; out is an execute's output.
type call struct {
	id     uint64
	out    lang.Output
	answer chan event
}

func (s *Supervisor) start() *process {
	p := &process{sup: s, ready: make(chan struct{}), ended: make(chan struct{}), calls: map[uint64]*call{},
		memoryNews: make(chan struct{}, 1)}
	if err := p.launch(s.opts.Command()); err != nil {
		p.loadError = err.Error()
		p.end = &lang.Error{Name: "SessionError", Value: "the Go session could not start: " + err.Error()}
		close(p.ready)
		close(p.ended)
	}
	return p
}

func (p *process) launch(cmd *exec.Cmd) error {
	// Parent's end, child's end: requests, events, stderr (descriptor 5), stdout, crash.
	var parent, child [5]*os.File
	for i := range parent {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(parent[:i]...)
			closeAll(child[:i]...)
			return err
		}
		if i == 0 {
			parent[i], child[i] = w, r
		} else {
			parent[i], child[i] = r, w
		}
	}
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = child[3], child[4]
	cmd.ExtraFiles = []*os.File{child[0], child[1], child[2]}
	ownProcessGroup(cmd)
	err := cmd.Start()
	closeAll(child[:]...)
	if err != nil {
		closeAll(parent[:]...)
		return err
	}
	p.cmd = cmd
	p.requests, p.enc = parent[0], json.NewEncoder(parent[0])
	crashRead := make(chan struct{})
	go func() {
		p.crash.readFrom(parent[4])
		close(crashRead)
	}()
	go p.sup.forward(parent[3], "stdout")
	go p.sup.forward(parent[2], "stderr")
	go p.readEvents(parent[1], crashRead)
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// readEvents dispatches the worker's events until it ends, then records how it ended.
func (p *process) readEvents(events *os.File, crashRead <-chan struct{}) {
	dec := json.NewDecoder(events)
	for {
		var ev event
		if err := dec.Decode(&ev); err != nil {
			break
		}
		p.dispatch(ev)
	}
	events.Close()
	p.requests.Close()
	killGroup(p.cmd.Process) // a broken stream of events ends the worker too
	waitErr := p.cmd.Wait()
	select {
	case <-crashRead:
	case <-time.After(time.Second): // a program the worker started may hold its stderr
	}
	p.mu.Lock()
	p.end = p.endError(waitErr)
	for _, c := range p.calls {
		if c.out != nil {
			p.endedInCell = true
		}
	}
	p.mu.Unlock()
	p.readyOnce.Do(func() { close(p.ready) })
	close(p.ended)
	p.sup.ended(p)
}

func (p *process) dispatch(ev event) {
	if ev.ID == 0 && ev.Held != 0 {
		p.held.Store(ev.Held)
		p.tellMemory()
		return
	}
	if ev.ID == 0 {
		p.readyOnce.Do(func() {
			p.loaded, p.loadError = ev.Ready, ev.LoadError
			close(p.ready)
		})
		return
	}
	p.mu.Lock()
	c := p.calls[ev.ID]
	if ev.Done {
		delete(p.calls, ev.ID)
	}
	p.mu.Unlock()
	switch {
	case c == nil: // a question given up on
	case ev.Done:
		c.answer <- ev
	case c.out == nil:
	case ev.Stream != nil:
		c.out.Stream(ev.Stream.Name, ev.Stream.Text)
	case ev.Display != nil:
		c.out.Display(*ev.Display)
	case ev.Clear != nil:
		c.out.Clear(*ev.Clear)
	case ev.Input != nil:
		go p.input(c, *ev.Input)
	}
}

// input asks the front end for a line for the worker (it may wait long: not on the
// goroutine that reads events).
func (p *process) input(c *call, in inputRequest) {
	text, err := c.out.Input(in.Prompt, in.Password)
	reply := inputReply{Seq: in.Seq, Text: text}
	switch {
	case errors.Is(err, lang.ErrNoStdin):
		reply.NoStdin = true
	case err != nil:
		// The cell was interrupted meanwhile (lang.Output.Input): the worker must know
		// before the cell goes on, or it would end as if nothing happened.
		p.send(request{ID: c.id, Method: methodInterrupt})
		reply.Error = err.Error()
	}
	p.send(request{ID: c.id, Method: methodInput, Input: &reply})
}

// call sends req as a new call; when the worker has ended, the call never gets an answer
// and p.ended tells.
func (p *process) call(req request, out lang.Output) *call {
	p.mu.Lock()
	p.lastID++
	c := &call{id: p.lastID, out: out, answer: make(chan event, 1)}
	p.calls[c.id] = c
	p.mu.Unlock()
	req.ID = c.id
	p.send(req)
	return c
}

func (p *process) send(req request) error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	if p.enc == nil {
		return errors.New("no worker")
	}
	return p.enc.Encode(req)
}

func (p *process) forget(id uint64) {
	p.mu.Lock()
	delete(p.calls, id)
	p.mu.Unlock()
}

func (p *process) waitReady(ctx context.Context) *lang.Error {
	select {
	case <-p.ready: // first: an interrupt already there is the cell's, once it runs
	default:
		select {
		case <-p.ready:
		case <-ctx.Done():
			return &lang.Error{Name: "Interrupted", Value: "interrupted while the Go session was starting",
				Traceback: []string{red + "Interrupted: interrupted while the Go session was starting" + reset}}
		}
	}
	if p.loadError != "" {
		msg := "the Go session could not start: " + p.loadError
		return &lang.Error{Name: "SessionError", Value: msg, Traceback: []string{red + msg + reset}}
	}
	select {
	case <-p.ended:
		if !p.wasReady() {
			return p.end
		}
	default:
	}
	return nil
}

// wasReady says whether the session loaded.
func (p *process) wasReady() bool {
	select {
	case <-p.ready:
		return p.loaded
	default:
		return false
	}
}

func (p *process) hasEnded() bool {
	select {
	case <-p.ended:
		return true
	default:
		return false
	}
}

// tellMemory wakes watchMemory, if it runs and is not awake already.
func (p *process) tellMemory() {
	select {
	case p.memoryNews <- struct{}{}:
	default:
	}
}

// ending is why the supervisor ended a worker, for the error that says so: its name, its
// message and a hint of what to do.
type ending struct{ name, msg, hint string }

func (p *process) kill(why ending) {
	p.mu.Lock()
	if p.killed == nil {
		p.killed = &why
	}
	p.mu.Unlock()
	if p.cmd != nil {
		killGroup(p.cmd.Process)
	}
}

// endedDuring is the result of call c when the worker ended before answering it (unless
// the answer made it after all).
func (p *process) endedDuring(c *call) lang.ExecuteResult {
	select {
	case ev := <-c.answer:
		return executeResult(ev)
	default:
	}
	return lang.ExecuteResult{Err: p.end}
}

const red, reset = "\x1b[31m", "\x1b[0m"
