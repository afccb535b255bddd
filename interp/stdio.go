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

// capture points os.Stdout and os.Stderr at pipes while a cell runs, so that compiled
// code (gonum, matcalc, anything calling os.Stdout.Write) is streamed too. stop restores
// the streams and returns once everything written has been delivered.
func capture(out *output) (stop func(), err error) {
	type pipe struct {
		name  string
		saved *os.File
		set   func(*os.File)
		w     *os.File
	}
	pipes := []*pipe{
		{name: "stdout", saved: os.Stdout, set: func(f *os.File) { os.Stdout = f }},
		{name: "stderr", saved: os.Stderr, set: func(f *os.File) { os.Stderr = f }},
	}
	var wg sync.WaitGroup
	for _, p := range pipes {
		r, w, err := os.Pipe()
		if err != nil {
			for _, q := range pipes {
				if q.w != nil {
					q.set(q.saved)
					q.w.Close()
				}
			}
			return nil, err
		}
		p.w = w
		p.set(w)
		wg.Add(1)
		go func(name string, r *os.File, fallback io.Writer) {
			defer wg.Done()
			defer r.Close()
			io.Copy(&streamWriter{out: out, name: name, fallback: fallback}, r)
		}(p.name, r, p.saved)
	}
	return func() {
		for _, p := range pipes {
			p.set(p.saved)
			p.w.Close()
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
