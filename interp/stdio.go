package interp

import (
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// output routes what cells print and display to the running cell's lang.Output. Between
// cells (a goroutine left running), text goes to the process's own streams.
//
// While a cell runs, everything it prints, from interpreted code (fmt.Print) or compiled
// code (os.Stdout.Write, gonum), goes through the pipes of its capture, one pipe a stream,
// so that it arrives in the order it was written. A display or an input request waits
// until what was printed before it has arrived (flush).
type output struct {
	mu    sync.Mutex
	cell  lang.Output
	pipes *pipes // the running capture's
}

func (o *output) set(cell lang.Output) {
	o.mu.Lock()
	o.cell = cell
	o.mu.Unlock()
}

func (o *output) current() lang.Output {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cell
}

func (o *output) capturing() *pipes {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pipes
}

// flush returns once everything the cell printed so far has reached it.
func (o *output) flush() {
	if p := o.capturing(); p != nil {
		p.flush()
	}
}

// Display and Clear make output the publisher of package display.
func (o *output) Display(data, metadata map[string]any, id string, update bool) {
	o.flush()
	if c := o.current(); c != nil {
		c.Display(lang.Display{Data: data, Metadata: metadata, ID: id, Update: update})
	}
}

func (o *output) Clear(wait bool) {
	o.flush()
	if c := o.current(); c != nil {
		c.Clear(wait)
	}
}

// streamWriter is the io.Writer of one stream (0 stdout, 1 stderr) that interpreted code
// writes to (fmt.Print, println, log): into the capture's pipe while a cell runs, so that
// it keeps its order with what compiled code writes to os.Stdout.
type streamWriter struct {
	out      *output
	stream   int
	fallback io.Writer
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if pipes := w.out.capturing(); pipes != nil {
		pipes.switchTo(w.stream)
		return pipes.w[w.stream].Write(p)
	}
	return w.fallback.Write(p)
}

// end delivers what is left of an unfinished character when the stream ends, as the
// replacement character a front end would show: held back for good, it would be lost
// (or, kept, run into the next cell's text).
func (w *cellStream) end() {
	if tail := w.utf8.rest(); tail != "" {
		if c := w.out.current(); c != nil {
			c.Stream(w.name, strings.ToValidUTF8(tail, "\uFFFD"))
		}
	}
}

// cellStream delivers what a pipe carries to the running cell, or to the process's own
// stream between cells.
type cellStream struct {
	out      *output
	name     string
	fallback io.Writer
	utf8     utf8Joiner
}

func (w *cellStream) Write(p []byte) (int, error) {
	c := w.out.current()
	if c == nil {
		return w.fallback.Write(p)
	}
	if text := w.utf8.text(p); text != "" {
		c.Stream(w.name, text)
	}
	return len(p), nil
}

// utf8Joiner holds back an incomplete UTF-8 sequence at the end of a chunk until the
// next chunk completes it, so that a character split between writes is not mangled.
type utf8Joiner struct {
	mu   sync.Mutex
	tail []byte
}

// rest returns and forgets what is held back.
func (j *utf8Joiner) rest() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	tail := string(j.tail)
	j.tail = nil
	return tail
}

func (j *utf8Joiner) text(p []byte) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	b := append(j.tail, p...)
	cut := len(b)
	// Look back over at most 3 bytes for the start of an unfinished character.
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	j.tail = append([]byte(nil), b[cut:]...)
	return string(b[:cut])
}

// capturing holds the captures running, in the order they began. Two sessions may run
// cells at once, but os.Stdout and os.Stderr are the process's: they point at the pipes of
// the latest capture, and back at the process's own streams when none is left, whatever
// order the captures end in. (Compiled code's output while two cells run goes to the later
// one's cell.)
var capturing struct {
	sync.Mutex
	process [2]*os.File   // os.Stdout and os.Stderr before the first running capture
	running [][2]*os.File // the write ends of each running capture's pipes
}

// setStreams points os.Stdout and os.Stderr at the latest running capture's pipes, or at
// the process's streams. capturing must be locked.
func setStreams() {
	streams := capturing.process
	if n := len(capturing.running); n > 0 {
		streams = capturing.running[n-1]
	}
	os.Stdout, os.Stderr = streams[0], streams[1]
}

// pipes are a capture's: the write ends, and what waits for a flush marker to come
// through.
type pipes struct {
	w       [2]*os.File // the session's own descriptors of the pipes (see dup)
	flushMu sync.Mutex  // one flush at a time
	seen    [2]chan struct{}
	last    atomic.Int32 // the stream interpreted code wrote to last, plus one
}

// switchTo keeps the order between the streams: before interpreted code writes to one
// stream after the other, what it wrote to the other is delivered.
func (p *pipes) switchTo(stream int) {
	if last := p.last.Swap(int32(stream) + 1); last != 0 && int(last-1) != stream {
		p.flushOne(int(last - 1))
	}
}

// flushMarker is written into a pipe and taken out by its reader, which signals that
// everything written before it has been delivered.
const flushMarker = "\x00\x1b[gomatcalc-flush]\x00"

func (p *pipes) flush() {
	for i := range p.w {
		p.flushOne(i)
	}
}

func (p *pipes) flushOne(i int) {
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	select {
	case <-p.seen[i]: // a signal left by a flush that gave up waiting
	default:
	}
	if _, err := io.WriteString(p.w[i], flushMarker); err != nil {
		return
	}
	select {
	case <-p.seen[i]:
	case <-time.After(5 * time.Second): // the reader is gone: nothing to wait for
	}
}

// capture points os.Stdout and os.Stderr at pipes while a cell runs, so that compiled
// code (gonum, matcalc, anything calling os.Stdout.Write) is streamed too, and routes the
// interpreter's streams there (see output). stop restores the streams and returns once
// everything written has been delivered.
func capture(out *output) (stop func(), err error) {
	capturing.Lock()
	defer capturing.Unlock()
	if len(capturing.running) == 0 {
		capturing.process = [2]*os.File{os.Stdout, os.Stderr}
	}
	var readers, writers [2]*os.File
	for i := range writers {
		r, w, err := os.Pipe()
		if err != nil {
			for j := 0; j < i; j++ {
				readers[j].Close()
				writers[j].Close()
			}
			return nil, err
		}
		readers[i], writers[i] = r, w
	}
	capturing.running = append(capturing.running, writers)
	setStreams()
	p := &pipes{w: [2]*os.File{dup(writers[0]), dup(writers[1])}, seen: [2]chan struct{}{make(chan struct{}, 1), make(chan struct{}, 1)}}
	var wg sync.WaitGroup
	for i, name := range []string{"stdout", "stderr"} {
		wg.Add(1)
		go func(i int, name string, r *os.File, fallback io.Writer) {
			defer wg.Done()
			defer r.Close()
			cs := &cellStream{out: out, name: name, fallback: fallback}
			copyMarked(cs, r, p.seen[i])
			cs.end()
		}(i, name, readers[i], capturing.process[i])
	}
	out.mu.Lock()
	out.pipes = p
	out.mu.Unlock()
	return func() {
		p.flush()
		out.mu.Lock()
		out.pipes = nil
		out.mu.Unlock()
		capturing.Lock()
		for i, w := range capturing.running {
			if w == writers {
				capturing.running = append(capturing.running[:i], capturing.running[i+1:]...)
				break
			}
		}
		setStreams()
		capturing.Unlock()
		for i, w := range writers {
			w.Close()
			if p.w[i] != w {
				p.w[i].Close()
			}
		}
		// A child process that inherited a pipe could hold it open for ever.
		drained := make(chan struct{})
		go func() { wg.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(time.Second):
		}
	}, nil
}

// copyMarked copies r to w, taking out each flush marker and signalling seen when it has
// delivered everything before it. A marker split between reads is held back until it is
// whole.
func copyMarked(w io.Writer, r io.Reader, seen chan<- struct{}) {
	buf := make([]byte, 32*1024)
	var pending []byte
	for {
		n, err := r.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := strings.Index(string(pending), flushMarker)
			if i < 0 {
				break
			}
			if i > 0 {
				w.Write(pending[:i])
			}
			pending = pending[i+len(flushMarker):]
			select {
			case seen <- struct{}{}: // (buffered: the flush may not wait yet)
			default:
			}
		}
		keep := partialMarker(pending)
		if out := len(pending) - keep; out > 0 {
			w.Write(pending[:out])
			pending = append([]byte(nil), pending[out:]...)
		}
		if err != nil {
			if len(pending) > 0 {
				w.Write(pending)
			}
			return
		}
	}
}

// partialMarker is the length of the longest end of b that begins a flush marker.
func partialMarker(b []byte) int {
	for k := min(len(b), len(flushMarker)-1); k > 0; k-- {
		if strings.HasPrefix(flushMarker, string(b[len(b)-k:])) {
			return k
		}
	}
	return 0
}

// inputReader is the io.Reader yaegi's fmt.Scan functions read: each time it runs dry it
// asks the front end for a line.
type inputReader struct {
	out     *output
	pending []byte
}

func (r *inputReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		r.out.flush() // the prompt printed before comes first
		c := r.out.current()
		if c == nil {
			return 0, io.EOF
		}
		line, err := c.Input("", false)
		if err != nil {
			return 0, err
		}
		r.pending = []byte(line + "\n")
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}
