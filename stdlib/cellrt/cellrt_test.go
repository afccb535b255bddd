package cellrt

import (
	"sync"
	"testing"
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

func TestClear(t *testing.T) {
	m := map[string]int{"a": 1}
	s := []int{1, 2}
	Clear(m)
	Clear(s)
	if len(m) != 0 || s[0] != 0 || s[1] != 0 || len(s) != 2 {
		t.Errorf("map %v slice %v", m, s)
	}
}

func TestEnterStopsRunawayRecursion(t *testing.T) {
	defer ResetDepth()
	var r func(n int) int
	r = func(n int) int {
		Enter("r")
		defer Leave()
		return r(n+1) + 1
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r(0)
	}()
	<-done
	if Overflow() != "r" {
		t.Errorf("Overflow() = %q, want r", Overflow())
	}
	if d := depth.Load(); d != 0 {
		t.Errorf("depth %d after unwinding, want 0", d)
	}
}
