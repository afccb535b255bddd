package interp

import (
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// output routes what cells print and display to the running cell's lang.Output. Between
// cells (a goroutine left running), text goes to the process's own streams.
type output struct {
	mu   sync.Mutex
	cell lang.Output
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

// Display and Clear make output the publisher of package display.
func (o *output) Display(data, metadata map[string]any, id string, update bool) {
	if c := o.current(); c != nil {
		c.Display(lang.Display{Data: data, Metadata: metadata, ID: id, Update: update})
	}
}

func (o *output) Clear(wait bool) {
	if c := o.current(); c != nil {
		c.Clear(wait)
	}
}

// streamWriter is the io.Writer of one stream ("stdout" or "stderr") that yaegi's fmt.Print
// and log functions write to: it reaches the cell synchronously, so a prompt printed
// before fmt.Scanln arrives before the input request.
type streamWriter struct {
	out      *output
	name     string
	fallback io.Writer
	utf8     utf8Joiner
}

func (w *streamWriter) Write(p []byte) (int, error) {
	c := w.out.current()
	if c == nil {
		return w.fallback.Write(p)
	}
	c.Stream(w.name, w.utf8.text(p))
	return len(p), nil
}

// utf8Joiner holds back an incomplete UTF-8 sequence at the end of a chunk until the
// next chunk completes it, so that a character split between writes is not mangled.
type utf8Joiner struct {
	mu   sync.Mutex
	tail []byte
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

// capture points os.Stdout and os.Stderr at pipes while a cell runs, so that compiled
// code (gonum, matcalc, anything calling os.Stdout.Write) is streamed too. stop restores
// the streams and returns once everything written has been delivered.
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
	var wg sync.WaitGroup
	for i, name := range []string{"stdout", "stderr"} {
		wg.Add(1)
		go func(name string, r *os.File, fallback io.Writer) {
			defer wg.Done()
			defer r.Close()
			io.Copy(&streamWriter{out: out, name: name, fallback: fallback}, r)
		}(name, readers[i], capturing.process[i])
	}
	return func() {
		capturing.Lock()
		for i, w := range capturing.running {
			if w == writers {
				capturing.running = append(capturing.running[:i], capturing.running[i+1:]...)
				break
			}
		}
		setStreams()
		capturing.Unlock()
		for _, w := range writers {
			w.Close()
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

// inputReader is the io.Reader yaegi's fmt.Scan functions read: each time it runs dry it
// asks the front end for a line.
type inputReader struct {
	out     *output
	pending []byte
}

func (r *inputReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
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
