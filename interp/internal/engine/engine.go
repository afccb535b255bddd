// Package engine adapts yaegi v0.16.1 to the notebook session. It is the only package
// of the session that imports yaegi, and it owns every workaround of a yaegi bug: each
// has a test (bugs_test.go) that fails once the bug is gone, so that an upgrade says what
// to delete.
//
// The session hands the engine syntax trees, parsed with the engine's FileSet, one unit
// at a time: a file of declarations or a block of statements. Compile is atomic: when it
// fails, the names of the session are as they were. Errors come back as *Error values
// with a kind and a position, never as text to match.
package engine

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"log"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"
)

// Options configure an Engine.
type Options struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Symbols are the tables of compiled packages beyond Go's standard library, and
	// overrides of symbols, in yaegi's Exports shape: "path/name" -> symbol -> value.
	Symbols []map[string]map[string]reflect.Value
}

// Engine is one yaegi interpreter.
type Engine struct {
	yaegi  *interp.Interpreter
	frames *frameRecorder
	run    runState
	slots  slotTable // the global frame's slots (slots.go)
}

// New returns an engine with Go's standard library and opts.Symbols loaded.
func New(opts Options) (*Engine, error) {
	frames := &frameRecorder{w: opts.Stderr}
	// yaegi gives cells an environment of their own, empty unless given one: os.Getenv
	// in a cell sees the process's (a copy: a cell's Setenv stays in the session).
	i := interp.New(interp.Options{Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: frames, Env: os.Environ()})
	e := &Engine{yaegi: i, frames: frames, slots: newSlotTable()}
	if err := i.Use(yaegistdlib.Symbols); err != nil {
		return nil, fmt.Errorf("engine: loading symbols: %w", err)
	}
	tables := append([]map[string]map[string]reflect.Value{e.symbols(), e.logFatal()}, opts.Symbols...)
	for _, t := range tables {
		if err := i.Use(t); err != nil {
			return nil, fmt.Errorf("engine: loading symbols: %w", err)
		}
	}
	if err := e.compilePrelude(); err != nil {
		return nil, fmt.Errorf("engine: prelude: %w", err)
	}
	return e, nil
}

// StdlibSymbols are the tables of Go's standard library as yaegi has them.
func StdlibSymbols() map[string]map[string]reflect.Value { return yaegistdlib.Symbols }

// FileSet is the file set every tree handed to the engine must be parsed with: yaegi
// reports positions through it.
func (e *Engine) FileSet() *token.FileSet { return e.yaegi.FileSet() }

// FileName is the name the session's sources must carry (in //line directives too):
// yaegi keys a file's imports by its name, so that every cell sees the imports of the
// earlier ones only when they all have the same name; this one is also left out of
// yaegi's messages.
const FileName = interp.DefaultSourceName

// Program is a compiled unit, ready to run.
type Program struct {
	prog *interp.Program
	// before is the state before the unit was compiled, for Run to restore when the
	// unit fails before any of it ran.
	before Checkpoint
	slots  *unitSlots // what it has of the global frame (slots.go)
}

// Compile compiles one unit: an *ast.File of declarations (package main) or an
// *ast.BlockStmt of statements run at the session's top level. On failure the session's
// names are restored and the error is an *Error of kind Compile.
func (e *Engine) Compile(unit ast.Node) (p *Program, err error) {
	if !unit.Pos().IsValid() {
		// yaegi finds the imports of a unit by the file name at its position.
		return nil, &Error{Kind: Compile, Msg: "engine: a unit without a position cannot see its imports", Internal: true}
	}
	before := e.Checkpoint()
	from := slotCount(e.yaegi)
	defer func() {
		if r := recover(); r != nil {
			err = compilerPanic(r)
		}
		if err != nil {
			e.Restore(before)
			e.failed(from)
		} else {
			e.compiled(p, from)
		}
		forgetChildScopes(e.yaegi)
	}()
	// yaegi's compiler logs some of its panics ("nil type") on the process's logger
	// before it recovers them: compile errors are reported, not logged.
	logged := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(logged)
	prog, err := e.yaegi.CompileAST(unit)
	if err != nil {
		return nil, compileError(err)
	}
	return &Program{prog: prog, before: before}, nil
}

// Run runs a compiled unit and returns the value of its last expression statement, if
// any. The error is an *Error: a panic, an interrupt (ctx done), or a compile error
// found only as the unit starts (yaegi orders global variables then), in which case
// nothing ran and the names are restored as Compile does.
func (e *Engine) Run(ctx context.Context, p *Program) (v reflect.Value, err error) {
	e.frames.reset()
	defer forgetSyntaxTrees(e.yaegi)
	defer func() {
		// An interrupted unit, or one that called os.Exit, may still be running.
		var ee *Error
		e.finished(p, errors.As(err, &ee) && (ee.Kind == Interrupted || ee.Kind == Exit))
		e.sweep()
	}()
	ctx = e.run.start(ctx)
	defer e.run.end()
	v, err = e.yaegi.ExecuteWithContext(ctx, p.prog)
	if err == nil {
		return v, nil
	}
	var pe interp.Panic
	if code, why, exited := e.run.exited(); exited {
		return v, &Error{Kind: Exit, Msg: why, Value: code}
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return v, &Error{Kind: Interrupted, Msg: "interrupted"}
	case errors.As(err, &pe):
		frames, more := e.frames.list()
		return v, &Error{Kind: Panic, Msg: fmt.Sprint(pe.Value), Value: pe.Value, Frames: frames, More: more}
	}
	ce := compileError(err)
	e.Restore(p.before)
	return v, ce
}

// Globals are the session's global variables and constants, or nil when yaegi cannot
// tell: its Globals panics on a symbol with no storage yet.
func (e *Engine) Globals() (vars map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			vars = nil
		}
	}()
	return e.yaegi.Globals()
}

// Workaround (yaegi v0.16.1): the compiler panics on an undefined name inside a
// function ("L:C: CFG post-order panic: ... incomplete type name"); that panic is the
// compile error "undefined: name". Other panics of the compiler are bugs of yaegi,
// reported as internal compile errors of the unit.
var undefinedInFunc = regexp.MustCompile(`^(\d+):(\d+): CFG post-order panic: .*incomplete type (\w+)$`)

func compilerPanic(r any) *Error {
	msg := fmt.Sprint(r)
	if m := undefinedInFunc.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		return &Error{Kind: Compile, Pos: token.Position{Line: line, Column: col}, Msg: "undefined: " + m[3]}
	}
	e := &Error{Kind: Compile, Msg: msg, Internal: true}
	if pos, rest, ok := splitPosition(msg); ok {
		e.Pos, e.Msg = pos, rest
	}
	return e
}

// compileError turns yaegi's compile errors into *Error: "L:C: message" with the
// position yaegi printed through the FileSet (exact to the cell, thanks to //line).
func compileError(err error) *Error {
	var ee *Error
	if errors.As(err, &ee) {
		return ee
	}
	e := &Error{Kind: Compile, Msg: err.Error()}
	if list, ok := err.(interface{ Unwrap() []error }); ok && len(list.Unwrap()) > 0 {
		err = list.Unwrap()[0]
	}
	if pos, msg, ok := splitPosition(err.Error()); ok {
		e.Pos, e.Msg = pos, msg
	}
	e.Msg = internalTypeNames.ReplaceAllString(e.Msg, "cannot use $1 as a result of this function in return argument: its type is not the result's type")
	return e
}

// Workaround (yaegi v0.16.1): a wrong type in a return statement is reported with the
// interpreter's names of type kinds ("cannot use v (type valueT) as type ptrT"), which
// say nothing to a student.
var internalTypeNames = regexp.MustCompile(`cannot use (\S+) \(type [a-z]+T\) as type [a-z]+T in return argument`)

// splitPosition splits "[file:]line:col: message".
func splitPosition(s string) (token.Position, string, bool) {
	s = strings.TrimPrefix(s, FileName+":")
	var line, col int
	var rest string
	if i := strings.Index(s, ": "); i > 0 {
		if n, _ := fmt.Sscanf(s[:i], "%d:%d", &line, &col); n == 2 {
			rest = s[i+2:]
			return token.Position{Line: line, Column: col}, rest, true
		}
	}
	return token.Position{}, s, false
}
