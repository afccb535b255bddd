package interp

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
)

const red, reset = "\x1b[31m", "\x1b[0m"

// origin is where a function was defined: a chunk of an earlier cell.
type origin struct {
	cell  *cell
	chunk *chunk
	count int // the cell's execution count
	line  int // the line of the cell where the function is declared
	// signature is the declaration up to its body, with its doc comment.
	signature string
}

// frame is one line of the stack yaegi prints to stderr as a panic unwinds:
// "3:10: panic: main.f(...)".
type frame struct {
	fn        string
	line, col int
}

var osExit = regexp.MustCompile(`^os\.Exit\(-?\d+\)$`)

var yaegiPanicLine = regexp.MustCompile(`^(\d+):(\d+): panic: (.*)\(\.\.\.\)\n?$`)

// panicFrames collects the frames of the running cell's panic.
type panicFrames struct {
	mu     sync.Mutex
	frames []frame
	more   int // frames past maxFrames
}

// record keeps p if it is one of yaegi's panic lines and reports whether it was.
func (pf *panicFrames) record(p []byte) bool {
	m := yaegiPanicLine.FindSubmatch(p)
	if m == nil {
		return false
	}
	line, _ := strconv.Atoi(string(m[1]))
	col, _ := strconv.Atoi(string(m[2]))
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if len(pf.frames) < maxFrames {
		pf.frames = append(pf.frames, frame{fn: string(m[3]), line: line, col: col})
	} else {
		pf.more++
	}
	return true
}

// maxFrames bounds a traceback: runaway recursion unwinds through thousands of frames.
const maxFrames = 12

func (pf *panicFrames) reset() {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	pf.frames, pf.more = nil, 0
}

// list returns the frames kept and how many more there were.
func (pf *panicFrames) list() ([]frame, int) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	return append([]frame(nil), pf.frames...), pf.more
}

// syntaxError reports every syntax error of a cell at its line and column.
func syntaxError(src string, errs scanner.ErrorList) *lang.Error {
	c := &cell{src: src}
	tb := []string{red + "syntax error" + reset}
	for _, e := range errs {
		tb = append(tb, located(c, e.Pos.Line, e.Pos.Column, e.Msg)...)
	}
	first := errs[0]
	return &lang.Error{Name: "SyntaxError", Traceback: tb,
		Value: fmt.Sprintf("line %d:%d: %s", first.Pos.Line, first.Pos.Column, first.Msg)}
}

// located is an error message at a cell position, the cell's line and a caret under it.
func located(c *cell, line, col int, msg string) []string {
	src := c.line(line)
	var caret strings.Builder
	for i, r := range src {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	return []string{fmt.Sprintf("line %d:%d: %s", line, col, msg), "    " + src, "    " + caret.String() + "^"}
}

// yaegiPosition matches the position yaegi puts before a compile error.
// undefinedInFunc is yaegi's compiler panic on an undefined name inside a function.
var undefinedInFunc = regexp.MustCompile(`^(\d+):(\d+): CFG post-order panic: .*incomplete type (\w+)$`)

var yaegiPosition = regexp.MustCompile(`^(?:_\.go:)?(\d+):(\d+): ((?s).*)$`)

// positionError is an error the session finds itself, at a cell position.
type positionError struct {
	line, col int
	msg       string
}

func (e *positionError) Error() string { return fmt.Sprintf("line %d:%d: %s", e.line, e.col, e.msg) }

// goPanicMessage words the run-time errors yaegi raises through package reflect as Go
// does (without the index and length, which yaegi does not keep: see indexDetail).
func goPanicMessage(msg string) string {
	switch msg {
	case "reflect: slice index out of range", "reflect: array index out of range", "reflect: string index out of range":
		return indexOutOfRange
	}
	return msg
}

const indexOutOfRange = "runtime error: index out of range"

// recursionError is a cell stopped by cellrt's bound on recursion.
type recursionError struct{ fn string }

func (e *recursionError) Error() string {
	return fmt.Sprintf("stack overflow: %s nested more than %d calls deep (unbounded recursion?)", e.fn, cellrt.MaxDepth)
}

// runError turns what yaegi returned for a chunk of c into the error a notebook shows,
// with positions in the cell's own lines.
func (s *Session) runError(err error, c *cell, ch *chunk) *lang.Error {
	var p interp.Panic
	var list scanner.ErrorList
	var pe *positionError
	var re *recursionError
	switch {
	case errors.As(err, &re):
		tb := []string{red + "panic: " + err.Error() + reset}
		if o, ok := s.funcs[re.fn]; ok {
			tb = append(tb, fmt.Sprintf("  %s is declared at line %d of cell [%d]", re.fn, o.line, o.count),
				"    "+strings.TrimSpace(o.cell.line(o.line)))
		}
		return &lang.Error{Name: "panic", Value: err.Error(), Traceback: tb}
	case errors.As(err, &pe):
		return &lang.Error{Name: "CompileError", Value: pe.Error(),
			Traceback: append([]string{red + "compile error" + reset}, located(c, pe.line, pe.col, pe.msg)...)}
	case errors.As(err, &p) && undefinedInFunc.MatchString(fmt.Sprint(p.Value)):
		// yaegi's compiler panics on an undefined name inside a function; the statement's
		// position is the one in this chunk.
		m := undefinedInFunc.FindStringSubmatch(fmt.Sprint(p.Value))
		return s.runError(fmt.Errorf("%s:%s: undefined: %s", m[1], m[2], m[3]), c, ch)
	case errors.As(err, &p) && osExit.MatchString(fmt.Sprint(p.Value)):
		// yaegi turns os.Exit into this panic: the kernel, and the session, go on.
		msg := fmt.Sprint(p.Value) + " called: a cell cannot end the kernel; the session goes on"
		return &lang.Error{Name: "Exit", Value: msg, Traceback: []string{red + msg + reset}}
	case errors.As(err, &p):
		msg := goPanicMessage(fmt.Sprint(p.Value))
		if n := s.rt.Line(); msg == indexOutOfRange && n > 0 && ch.kind == stmtChunk {
			msg += s.indexDetail(ch, n)
		}
		tb := []string{red + "panic: " + msg + reset}
		frames, more := s.panics.list()
		for _, f := range frames {
			tb = append(tb, s.frameLines(f)...)
		}
		if more > 0 {
			tb = append(tb, fmt.Sprintf("  ... and %d more calls", more))
		}
		if n := s.rt.Line(); n > 0 && ch.kind == stmtChunk {
			line, _ := c.position(ch, n+1, 1)
			tb = append(tb, fmt.Sprintf("  at line %d of this cell", line), "    "+strings.TrimSpace(c.line(line)))
		}
		return &lang.Error{Name: "panic", Value: msg, Traceback: tb}
	case errors.As(err, &list):
		var inCell scanner.ErrorList
		for _, e := range list {
			line, col := c.position(ch, e.Pos.Line, e.Pos.Column)
			inCell.Add(token.Position{Line: line, Column: col}, e.Msg)
		}
		return syntaxError(c.src, inCell)
	}
	msg := err.Error()
	if m := yaegiPosition.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		cl, _ := strconv.Atoi(m[2])
		line, col := c.position(ch, l, cl)
		return &lang.Error{Name: "CompileError", Value: fmt.Sprintf("line %d:%d: %s", line, col, m[3]),
			Traceback: append([]string{red + "compile error" + reset}, located(c, line, col, m[3])...)}
	}
	return toError(err)
}

// frameLines describes one frame of a panic: the function, and where in which cell it
// was defined. yaegi places the cell's own frame (main) at its first statement, not at
// the call, so that frame is left out.
func (s *Session) frameLines(f frame) []string {
	if f.fn == "main" {
		return nil
	}
	name := strings.TrimPrefix(f.fn, "main.")
	o, ok := s.funcs[name]
	if !ok {
		return []string{"  in " + name}
	}
	line, col := o.cell.position(o.chunk, f.line, f.col)
	return []string{fmt.Sprintf("  in %s, line %d:%d of cell [%d]", name, line, col, o.count),
		"    " + strings.TrimSpace(o.cell.line(line))}
}

// toError turns an error without a position into the error a notebook shows (an
// interrupt among them).
func toError(err error) *lang.Error {
	var p interp.Panic
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &lang.Error{Name: "Interrupted", Value: "the cell was interrupted",
			Traceback: []string{red + "Interrupted: the cell was interrupted" + reset}}
	case errors.As(err, &p):
		msg := fmt.Sprint(p.Value)
		return &lang.Error{Name: "panic", Value: msg, Traceback: []string{red + "panic: " + msg + reset}}
	}
	msg := err.Error()
	return &lang.Error{Name: "CompileError", Value: msg, Traceback: []string{red + "error" + reset + ": " + msg}}
}
