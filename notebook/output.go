package notebook

import (
	"strings"
	"sync"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// cellOutput is the lang.Output of one running cell: it records what the kernel would
// publish as a front end keeps it in the notebook (Jupyter's nbclient does the same).
type cellOutput struct {
	mu    sync.Mutex
	nb    *Notebook
	cell  *Cell
	count int // the cell's execution count
	// clearWaiting is a Clear(wait=true) not yet done: the next output does it.
	clearWaiting bool
	closed       bool
	// text gathers the stream output being written (textOf), so that a cell printing a
	// million lines costs a million appends, not a million copies of what came before.
	text   strings.Builder
	textOf *Output
}

// flushText puts the gathered text into its output; every other change of the outputs
// comes after it.
func (o *cellOutput) flushText() {
	if o.textOf != nil {
		o.textOf.Text = o.text.String()
		o.textOf = nil
	}
}

func (o *cellOutput) Stream(name, text string) {
	if text == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.clearIfWaiting()
	// Front ends show consecutive text of one stream as one output.
	if n := len(o.cell.Outputs); n > 0 {
		if last := o.cell.Outputs[n-1]; last.Type == Stream && last.Name == name {
			if o.textOf != last {
				o.flushText()
				o.text.Reset()
				o.text.WriteString(last.Text)
				o.textOf = last
			}
			o.text.WriteString(text)
			return
		}
	}
	o.flushText()
	o.cell.Outputs = append(o.cell.Outputs, &Output{Type: Stream, Name: name, Text: text})
}

func (o *cellOutput) Display(d lang.Display) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flushText()
	if d.Update {
		// update_display_data replaces every output shown with that id, in any cell run
		// so far; an id never shown changes nothing.
		if d.ID == "" {
			return
		}
		for _, c := range o.nb.Cells {
			for _, out := range c.Outputs {
				if out.displayID == d.ID {
					out.Data, out.Metadata = bundle(d.Data), orEmpty(d.Metadata)
				}
			}
		}
		return
	}
	o.clearIfWaiting()
	o.cell.Outputs = append(o.cell.Outputs, &Output{Type: DisplayData,
		Data: bundle(d.Data), Metadata: orEmpty(d.Metadata), displayID: d.ID})
}

func (o *cellOutput) Clear(wait bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flushText()
	if wait {
		o.clearWaiting = true
		return
	}
	o.cell.Outputs, o.clearWaiting = nil, false
}

func (o *cellOutput) clearIfWaiting() {
	if o.clearWaiting {
		o.cell.Outputs, o.clearWaiting = nil, false
	}
}

// Input fails: a headless run has no one to type (as nbclient's allow_stdin=False).
func (o *cellOutput) Input(prompt string, password bool) (string, error) {
	return "", lang.ErrNoStdin
}

// finish records how the cell ended, as the kernel publishes it, and takes no more
// output: a goroutine the cell left running must not change it afterwards.
func (o *cellOutput) finish(res lang.ExecuteResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flushText()
	o.closed = true
	switch {
	case res.Err != nil:
		o.clearIfWaiting()
		tb := append([]string{}, res.Err.Traceback...)
		o.cell.Outputs = append(o.cell.Outputs, &Output{Type: ErrorOutput,
			EName: res.Err.Name, EValue: res.Err.Value, Traceback: tb})
	case res.Value != nil:
		o.clearIfWaiting()
		o.cell.Outputs = append(o.cell.Outputs, &Output{Type: ExecuteResult,
			Data: bundle(res.Value), Metadata: orEmpty(res.Metadata), ExecutionCount: o.count})
	}
}

// close takes no more output, for a cell abandoned while it still runs.
func (o *cellOutput) close() {
	o.mu.Lock()
	o.flushText()
	o.closed = true
	o.mu.Unlock()
}

// bundle copies a MIME bundle: the session may reuse its map.
func bundle(b lang.Bundle) map[string]any {
	b = b.Encodable() // one value JSON cannot encode must not lose the notebook
	m := make(map[string]any, len(b))
	for k, v := range b {
		m[k] = v
	}
	return m
}
