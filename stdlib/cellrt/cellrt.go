// Package cellrt is run-time support for notebook cells: what the session rewrites a cell
// to call where yaegi alone would fail. Cells do not import it by name.
//
// What keeps state (a recursion past the limit, the calls deferred) is a Runtime, one per
// session: the session binds the names cells call (Overflowing, Defer, ...) to its Runtime's
// methods. The functions of the package keep no state.
package cellrt

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

// Runtime is the run-time state of one session's cells. Its methods are safe for
// concurrent use (goroutines a cell starts call them too).
type Runtime struct {
	display *display.Display
	// overflow is the function that went past MaxDepth.
	overflow atomic.Pointer[string]
	// deferred holds the calls that a cell's top-level defer statements postponed, in order.
	deferred struct {
		sync.Mutex
		calls    []func()
		panicked any // the first panic of the calls EndCell ran
	}
}

// New returns the run-time state of a session whose cells display through d (nil:
// display.Default()).
func New(d *display.Display) *Runtime {
	if d == nil {
		d = display.Default()
	}
	return &Runtime{display: d}
}

// Reset forgets the calls and the overflow of an earlier cell. The session
// calls it before each cell.
func (rt *Runtime) Reset() {
	rt.overflow.Store(nil)
}

// Go calls f with args on a new goroutine, as the statement `go f(args...)` does (the
// arguments are evaluated by the caller), but a panic there is reported on standard error
// instead of ending the process: a goroutine started by a cell must not kill the kernel.
func Go(f any, args ...any) { launch(prepare("go", f, args, false)) }

// GoSpread is Go for `go f(a, b, xs...)`: its last argument is the slice that fills f's
// variadic parameter.
func GoSpread(f any, args ...any) { launch(prepare("go", f, args, true)) }

func launch(call func()) {
	go func() {
		defer recoverGoroutine()
		call()
	}()
}

// Defer is `defer f(args...)` at a cell's top level: f and its arguments are evaluated
// now and the call runs when the cell ends (RunDeferred), as a defer in main runs when
// main returns. (yaegi alone ran such a call again at the end of every later cell.)
func (rt *Runtime) Defer(f any, args ...any) { rt.pushDeferred(prepare("defer", f, args, false)) }

// DeferSpread is Defer for `defer f(a, xs...)`.
func (rt *Runtime) DeferSpread(f any, args ...any) { rt.pushDeferred(prepare("defer", f, args, true)) }

func (rt *Runtime) pushDeferred(call func()) {
	rt.deferred.Lock()
	rt.deferred.calls = append(rt.deferred.calls, call)
	rt.deferred.Unlock()
}

// RunDeferred runs the calls deferred by the cell, the last first, and forgets them. It
// returns the value of the first panic among them, or nil; a panic does not keep the
// other calls from running, as in Go.
func (rt *Runtime) RunDeferred() (panicked any) {
	rt.deferred.Lock()
	calls := rt.deferred.calls
	rt.deferred.calls = nil
	rt.deferred.Unlock()
	for i := len(calls) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if r := recover(); r != nil && panicked == nil {
					panicked = r
				}
			}()
			calls[i]()
		}()
	}
	return panicked
}

// EndCell runs the calls deferred by the cell (RunDeferred) from the cell's own code, so
// that an interrupt stops them as it stops the cell; DeferredPanic tells how they ended.
func (rt *Runtime) EndCell() {
	p := rt.RunDeferred()
	rt.deferred.Lock()
	rt.deferred.panicked = p
	rt.deferred.Unlock()
}

// Pending reports whether the cell has deferred calls that have not run.
func (rt *Runtime) Pending() bool {
	rt.deferred.Lock()
	defer rt.deferred.Unlock()
	return len(rt.deferred.calls) > 0
}

// DeferredPanic returns, and forgets, the first panic of the calls EndCell ran.
func (rt *Runtime) DeferredPanic() any {
	rt.deferred.Lock()
	defer rt.deferred.Unlock()
	p := rt.deferred.panicked
	rt.deferred.panicked = nil
	return p
}

// prepare checks f and converts args for a call of f by a go or defer statement (what),
// spreading the last argument into f's variadic parameter when spread is set.
func prepare(what string, f any, args []any, spread bool) func() {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		panic(fmt.Sprintf("%s: %T is not a function", what, f))
	}
	t := fv.Type()
	if !spread {
		in := arguments(t, args)
		if t.IsVariadic() {
			return func() { fv.CallSlice(in) }
		}
		return func() { fv.Call(in) }
	}
	if !t.IsVariadic() || len(args) != t.NumIn() {
		panic(fmt.Sprintf("%s: cannot spread arguments into %T", what, f))
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		in[i] = convert(a, t.In(i))
	}
	return func() { fv.CallSlice(in) }
}

// AfterFunc is time.AfterFunc for cells: f runs on its own goroutine, where a panic would
// end the process; it is reported on standard error instead, as in Go.
func AfterFunc(d time.Duration, f func()) *time.Timer {
	return time.AfterFunc(d, func() {
		defer recoverGoroutine()
		f()
	})
}

// recoverGoroutine reports a goroutine's panic on standard error instead of ending the
// process.
func recoverGoroutine() {
	if r := recover(); r != nil {
		fmt.Fprintf(os.Stderr, "panic in a goroutine (recovered, the session goes on): %v\n", r)
		if os.Getenv("GOMATCALC_DEBUG") != "" {
			os.Stderr.Write(debug.Stack())
		}
	}
}

// arguments converts args to the parameter types of t: an untyped constant argument
// arrives as its default type (1 as int for a float64 parameter).
func arguments(t reflect.Type, args []any) []reflect.Value {
	n := t.NumIn()
	if t.IsVariadic() {
		// Collect the trailing arguments into the variadic slice.
		fixed := n - 1
		in := make([]reflect.Value, 0, n)
		for i := 0; i < fixed && i < len(args); i++ {
			in = append(in, convert(args[i], t.In(i)))
		}
		elem := t.In(fixed).Elem()
		rest := reflect.MakeSlice(t.In(fixed), 0, len(args)-fixed)
		for i := fixed; i < len(args); i++ {
			rest = reflect.Append(rest, convert(args[i], elem))
		}
		return append(in, rest)
	}
	if len(args) != n {
		panic(fmt.Sprintf("%d arguments for a function of %d parameters", len(args), n))
	}
	in := make([]reflect.Value, n)
	for i, a := range args {
		in[i] = convert(a, t.In(i))
	}
	return in
}

func convert(a any, t reflect.Type) reflect.Value {
	if a == nil {
		return reflect.Zero(t)
	}
	v := reflect.ValueOf(a)
	if !v.Type().AssignableTo(t) && v.Type().ConvertibleTo(t) {
		return v.Convert(t)
	}
	return v
}

// MaxDepth bounds the nesting of calls of a cell's recursive functions. Go cannot recover
// from a stack overflow: the process dies, and with it the notebook's session. yaegi uses
// about 1 KB to 10 KB of stack a call, so this stays well below Go's 1 GB.
const MaxDepth = 50000

// Overflowing records that the recursion of the function name went past MaxDepth (the
// session's depth guards count it) and ends the goroutine with runtime.Goexit:
// unwinding 50,000 interpreted frames by a panic takes minutes (each frame recovers and
// panics again), Goexit takes milliseconds. The session reports the overflow as the
// cell's error.
func (rt *Runtime) Overflowing(name string) {
	rt.overflow.Store(&name)
	runtime.Goexit()
}

// Overflow returns the function whose recursion went past MaxDepth since the last Reset,
// or "".
func (rt *Runtime) Overflow() string {
	if name := rt.overflow.Load(); name != nil {
		return *name
	}
	return ""
}
