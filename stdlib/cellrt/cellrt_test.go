package cellrt

import (
	"strings"
	"sync"
	"testing"

	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

func TestGoPassesArgumentsAndSurvivesPanics(t *testing.T) {
	var wg sync.WaitGroup
	got := make(chan float64, 1)
	wg.Add(2)
	Go(func(x float64, ys ...int) { defer wg.Done(); got <- x + float64(len(ys)) }, 1, 2, 3)
	Go(func() { defer wg.Done(); panic("in a goroutine") })
	wg.Wait()
	if x := <-got; x != 3 {
		t.Errorf("got %v, want 1 + 2 variadic arguments = 3", x)
	}
}

func TestOverflowingEndsTheGoroutine(t *testing.T) {
	rt := New(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.Overflowing("r")
		t.Error("the goroutine went on after Overflowing")
	}()
	<-done
	if rt.Overflow() != "r" {
		t.Errorf("Overflow() = %q, want r", rt.Overflow())
	}
	rt.Reset()
	if rt.Overflow() != "" {
		t.Errorf("Overflow() = %q after Reset", rt.Overflow())
	}
}

func TestRuntimesShareNothing(t *testing.T) {
	// One runtime's recursion overflows while another's does not, and each keeps its own
	// deferred calls.
	a, b := New(nil), New(nil)
	var ran []string
	a.Defer(func(s string) { ran = append(ran, s) }, "a1")
	a.DeferSpread(func(xs ...string) { ran = append(ran, xs...) }, []string{"a2", "a3"})
	b.Defer(func() { ran = append(ran, "b") })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Overflowing("f")
	}()
	wg.Wait()
	if a.Overflow() != "f" || b.Overflow() != "" {
		t.Errorf("overflows %q and %q, want f and none", a.Overflow(), b.Overflow())
	}
	if p := a.RunDeferred(); p != nil || strings.Join(ran, " ") != "a2 a3 a1" {
		t.Errorf("a's deferred calls ran %v (panic %v), want the last first and none of b's", ran, p)
	}
	ran = nil
	if b.RunDeferred(); strings.Join(ran, " ") != "b" {
		t.Errorf("b's deferred calls ran %v", ran)
	}
}

func TestRunDeferredReportsTheFirstPanic(t *testing.T) {
	rt := New(nil)
	ran := 0
	rt.Defer(func() { ran++; panic("first") })
	rt.Defer(func() { ran++; panic("last") })
	rt.Defer(func() { ran++ })
	if p := rt.RunDeferred(); p != "last" || ran != 3 {
		t.Errorf("panic %v after %d calls; want the panic of the call that ran first, after all 3", p, ran)
	}
	if p := rt.RunDeferred(); p != nil {
		t.Errorf("the calls ran twice: %v", p)
	}
}

func TestShownUsesTheRuntimesDisplay(t *testing.T) {
	d := display.New(nil)
	d.SetPrecision(2)
	rt := New(d)
	// A cell's value whose String method returned "v", and which compiled code sees as
	// a []float64 (a cell's type over one): a matrix, with the display's settings.
	b := rt.Shown([]float64{1.0 / 3}, "v").(display.Bundle)
	if b["text/plain"] != "[0.3333333333333333]" || !strings.Contains(b["text/html"].(string), ">0.33<") {
		t.Errorf("bundle %v", b)
	}
	if v := rt.Shown(5); v != 5 {
		t.Errorf("a value without methods: %v", v)
	}
}
