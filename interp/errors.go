package interp

import (
	"errors"
	"fmt"
	"go/scanner"
	"reflect"
	"strings"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
)

const red, reset = "\x1b[31m", "\x1b[0m"

// syntaxError reports every syntax error of a cell at its line and column.
func syntaxError(src string, errs scanner.ErrorList) *lang.Error {
	c := &cell{src: src}
	tb := []string{red + "syntax error" + reset}
	for _, e := range errs {
		tb = append(tb, located(c, e.Pos.Line, e.Pos.Column, e.Msg)...)
	}
	first := errs[0]
	return &lang.Error{Name: "SyntaxError", Traceback: tb, Line: first.Pos.Line, Column: first.Pos.Column,
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

// internalNames are the names the passes give things, as the user wrote them.
var internalNames = strings.NewReplacer(bodyPrefix, "", engine.MainName, "main", "_gomatcalcLoop_", "", "_gomatcalcShow", "", "_gomatcalcrt.", "")

// cellError turns what compiling or running cell c gave into the error a notebook shows.
func (s *Session) cellError(err error, c *cell) *lang.Error {
	var ee *engine.Error
	var re *recursionError
	var list scanner.ErrorList
	switch {
	case errors.As(err, &re):
		tb := []string{red + "panic: " + err.Error() + reset}
		if o, ok := s.funcs[re.fn]; ok {
			tb = append(tb, fmt.Sprintf("  %s is declared at line %d of cell [%d]", re.fn, o.line, o.count),
				"    "+strings.TrimSpace(o.cell.line(o.line)))
		}
		return &lang.Error{Name: "panic", Value: err.Error(), Traceback: tb}
	case errors.As(err, &list):
		return syntaxError(c.src, list)
	case errors.As(err, &ee):
		switch ee.Kind {
		case engine.Interrupted:
			return s.interruptedError(c)
		case engine.Panic:
			return s.panicError(ee, c)
		case engine.Exit:
			msg := ee.Msg + ": the cell ended there, with no deferred call run; a cell cannot end the kernel, and the session goes on"
			return &lang.Error{Name: "Exit", Value: msg, Traceback: []string{red + msg + reset}}
		}
		return compileError(ee, c)
	}
	msg := err.Error()
	return &lang.Error{Name: "CompileError", Value: msg, Traceback: []string{red + "error" + reset + ": " + msg}}
}

// compileError is an error found before the cell ran.
func compileError(ee *engine.Error, c *cell) *lang.Error {
	msg := internalNames.Replace(engine.UserNames(ee.Msg))
	if ee.Internal {
		msg = "the interpreter (yaegi) failed to compile this cell: " + msg + "; rewrite the statement it fails on, or move it into a function"
	}
	line, col := ee.Pos.Line, ee.Pos.Column
	if line < 1 || line > strings.Count(c.src, "\n")+1 {
		return &lang.Error{Name: "CompileError", Value: msg, Traceback: []string{red + "compile error" + reset + ": " + msg}}
	}
	// yaegi's column can point past the end of the line.
	col = max(1, min(col, len(c.line(line))+1))
	return &lang.Error{Name: "CompileError", Value: fmt.Sprintf("line %d:%d: %s", line, col, msg), Line: line, Column: col,
		Traceback: append([]string{red + "compile error" + reset}, located(c, line, col, msg)...)}
}

// interruptedError says where the interrupt found the cell: the line markers' last line
// in it, and in a function of another cell.
func (s *Session) interruptedError(c *cell) *lang.Error {
	res := &lang.Error{Name: "Interrupted", Value: "the cell was interrupted"}
	tb := []string{red + "Interrupted: the cell was interrupted" + reset}
	globals := s.engine.Globals()
	serial, line := markedLine(globals, lineVar)
	topSerial, top := markedLine(globals, topLineVar)
	if o, ok := s.cells[serial]; ok && serial != c.serial && line > 0 {
		tb = append(tb, fmt.Sprintf("  in code of cell [%d], at line %d", o.count, line), "    "+strings.TrimSpace(o.cell.line(line)))
	}
	if topSerial == c.serial && top > 0 {
		tb = append(tb, fmt.Sprintf("  at line %d of this cell", top), "    "+strings.TrimSpace(c.line(top)))
		res.Line = top
	}
	res.Traceback = tb
	return res
}

// panicError is a panic of the running cell, with the calls it unwound and the line of
// the cell's own code it happened on.
func (s *Session) panicError(ee *engine.Error, c *cell) *lang.Error {
	msg := goPanicMessage(ee.Msg)
	globals := s.engine.Globals()
	serial, line := markedLine(globals, lineVar)
	topSerial, top := markedLine(globals, topLineVar)
	if topSerial != c.serial {
		top = 0
	}
	if msg == indexOutOfRange && serial == c.serial && line == top && top > 0 {
		msg += s.indexDetail(c, line)
	}
	if msg == shapeMismatch && serial == c.serial && line == top && top > 0 {
		if shapes := s.shapeDetail(c, line); shapes != "" {
			msg += ": " + shapes
		}
	}
	tb := []string{red + "panic: " + msg + reset}
	var previous string
	for _, f := range ee.Frames {
		if name := internalNames.Replace(f.Func); name != previous { // a guard and its body
			tb = append(tb, s.frameLines(f)...)
			previous = name
		}
	}
	if ee.More > 0 {
		tb = append(tb, fmt.Sprintf("  ... and %d more calls", ee.More))
	}
	if o, ok := s.cells[serial]; line > 0 && !(serial == c.serial && line == top) {
		switch {
		case serial == c.serial:
			tb = append(tb, fmt.Sprintf("  at line %d of this cell", line), "    "+strings.TrimSpace(c.line(line)))
		case ok:
			tb = append(tb, fmt.Sprintf("  at line %d of cell [%d]", line, o.count), "    "+strings.TrimSpace(o.cell.line(line)))
		}
	}
	res := &lang.Error{Name: "panic", Value: msg}
	if top > 0 {
		how := "at"
		if serial != c.serial || line != top {
			how = "called at"
		}
		tb = append(tb, fmt.Sprintf("  %s line %d of this cell", how, top), "    "+strings.TrimSpace(c.line(top)))
		res.Line = top
	}
	res.Traceback = tb
	return res
}

// resetLine clears the line markers' variables before a cell runs, so that no earlier
// cell's line is taken for this one's, and the count of the depth guards (which a panic
// leaves high).
func (s *Session) resetLine() {
	globals := s.engine.Globals()
	for _, name := range []string{lineVar, topLineVar, depthVar} {
		if v, ok := globals[name]; ok && v.CanSet() && v.CanInt() {
			v.SetInt(0)
		}
	}
}

// markedLine is where a line marker's variable says the cell was: the cell's serial
// number and its line.
func markedLine(globals map[string]reflect.Value, name string) (serial, line int) {
	v, ok := globals[name]
	if !ok || !v.IsValid() || !v.CanInt() {
		return 0, 0
	}
	n := int(v.Int())
	return n / lineBase, n % lineBase
}

// frameLines describes one frame of a panic: the function, and where in which cell it
// was declared. (yaegi v0.16.1 reports a frame at its function's first statement, not at
// the line that panicked, so the declaration is what can be told exactly.) The cell's
// own frame (main) is left out: the line marker says where it was.
func (s *Session) frameLines(f engine.Frame) []string {
	if f.Func == "main" || strings.HasPrefix(f.Func, "_gomatcalc") {
		return nil
	}
	name := internalNames.Replace(f.Func)
	o, ok := s.funcs[name]
	if !ok {
		return []string{"  in " + name}
	}
	return []string{fmt.Sprintf("  in %s, declared at line %d of cell [%d]", name, o.line, o.count),
		"    " + strings.TrimSpace(o.cell.line(o.line))}
}
