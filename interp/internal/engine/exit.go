package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Workaround (yaegi v0.16.1): yaegi's os.Exit panics, so that the calls deferred by every
// frame run and a recover() in the cell stops it; Go's os.Exit runs nothing more. The
// engine's os.Exit ends the unit's run as an interrupt does and parks the goroutine that
// called it for good (one parked goroutine per call: the price of running no deferred
// call), and Run reports an error of kind Exit.

// runState is the context of the unit running, and whether it called os.Exit.
type runState struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	code   int
	why    string // "os.Exit(1)", "log.Fatal: message"
	exit   bool
}

func (r *runState) start(ctx context.Context) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, r.cancel = context.WithCancel(ctx)
	r.exit = false
	return ctx
}

func (r *runState) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

func (r *runState) exited() (code int, why string, exited bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.code, r.why, r.exit
}

// logFatal makes log.Fatal, Fatalf and Fatalln log, then exit as os.Exit(1) does (yaegi's
// panic, as its os.Exit does). They log through yaegi's own logger of the package, which
// writes to the interpreter's stderr and follows log.SetFlags and SetOutput in cells.
func (e *Engine) logFatal() map[string]map[string]reflect.Value {
	output := e.yaegi.Symbols("log")["log"]["Output"]
	if !output.IsValid() {
		return nil
	}
	logf := func(msg string) {
		output.Call([]reflect.Value{reflect.ValueOf(3), reflect.ValueOf(msg)})
		e.exitWith(1, "log.Fatal: "+strings.TrimSuffix(msg, "\n"))
	}
	return map[string]map[string]reflect.Value{"log/log": {
		"Fatal":   reflect.ValueOf(func(v ...any) { logf(fmt.Sprint(v...)) }),
		"Fatalf":  reflect.ValueOf(func(format string, v ...any) { logf(fmt.Sprintf(format, v...)) }),
		"Fatalln": reflect.ValueOf(func(v ...any) { logf(fmt.Sprintln(v...)) }),
	}}
}

// exit is os.Exit in cells.
func (e *Engine) exit(code int) { e.exitWith(code, fmt.Sprintf("os.Exit(%d) called", code)) }

func (e *Engine) exitWith(code int, why string) {
	e.run.mu.Lock()
	if e.run.cancel != nil && !e.run.exit {
		e.run.code, e.run.why, e.run.exit = code, why, true
		e.run.cancel()
	}
	e.run.mu.Unlock()
	select {}
}
