package interp

import (
	"context"
	"reflect"
	"time"

	"github.com/gomatcalc/gomatcalc/stdlib"
	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

// newRuntime gives the session its own run-time state, shared with no other session in
// the process: a display (its publisher, the session's output, and its settings), the
// state of its rewritten cells (cellrt), and the context matcalc's loops stop on. It returns
// the bindings of the names cells call to them, to load over the generated symbol tables.
func (s *Session) newRuntime() map[string]map[string]reflect.Value {
	s.disp = display.New(&s.out)
	s.rt = cellrt.New(s.disp)
	return stdlib.SessionSymbols(s.rt, s.disp, interruptContext{s})
}

// interruptContext is done when the session's running cell is interrupted: one value
// serves every cell, reading the interrupt channel of the cell running at the time. Done
// therefore changes from one cell to the next (context's contract asks for one channel);
// matcalc reads only Err. A computation still running after its cell, in a goroutine the
// cell started, stops when a later cell is interrupted.
type interruptContext struct{ s *Session }

func (c interruptContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c interruptContext) Done() <-chan struct{} { return *c.s.interrupt.Load() }

func (c interruptContext) Err() error {
	select {
	case <-c.Done():
		return context.Canceled
	default:
		return nil
	}
}

func (c interruptContext) Value(any) any { return nil }
