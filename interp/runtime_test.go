package interp

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Two sessions in one process share no run-time state: each test below runs cells of two
// sessions at the same time, where state shared between them would show.

// both runs a and b at once, b after a has had a head start.
func both(headStart time.Duration, a, b func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a() }()
	time.Sleep(headStart)
	go func() { defer wg.Done(); b() }()
	wg.Wait()
}

func plainText(res lang.ExecuteResult) string {
	text, _ := res.Value["text/plain"].(string)
	return text
}

func TestSessionsShareNoDisplaySettings(t *testing.T) {
	a, b := newSession(t), newSession(t)
	if res, _ := exec(t, a, "display.SetPrecision(3)\ndisplay.SetMaxSize(2, 2)"); res.Err != nil {
		t.Fatal(res.Err)
	}
	const third = "mat.NewDense(1, 2, []float64{2.0 / 3, 1})"
	const derivative = "matcalc.D(func(x float64) float64 { return x / 3 }, 1.0)"
	check := func(s *Session, name, matrix, jacobian string, rows int) {
		for range 10 {
			if got := plainText(must(t, s, third)); got != matrix {
				t.Errorf("%s: a matrix shows as %q, want %q", name, got, matrix)
				return
			}
			// matcalc's derivative renders its Jacobian with the session's settings too.
			if got := plainText(must(t, s, derivative)); !strings.HasSuffix(got, "\n"+jacobian) {
				t.Errorf("%s: a derivative shows as %q, want its Jacobian %q", name, got, jacobian)
				return
			}
			html, _ := must(t, s, "mat.NewDense(5, 5, nil)").Value["text/html"].(string)
			if n := strings.Count(html, "<tr>"); n != rows {
				t.Errorf("%s: a 5×5 matrix shows %d rows, want %d", name, n, rows)
				return
			}
		}
	}
	both(0, func() {
		// a changes its settings again while b renders.
		must(t, a, "display.SetPrecision(3)")
		check(a, "a", "[0.667  1]", "[0.333]", 3)
	}, func() {
		check(b, "b", "[0.666667  1]", "[0.333333]", 5)
	})
	if a.disp.Settings().Digits != 3 || b.disp.Settings().Digits != 6 {
		t.Errorf("settings %+v and %+v", a.disp.Settings(), b.disp.Settings())
	}
}

// must runs code in s and fails the test if the cell fails.
func must(t *testing.T, s *Session, code string) lang.ExecuteResult {
	t.Helper()
	res, _ := exec(t, s, code)
	if res.Err != nil {
		t.Errorf("%q: %v", code, res.Err)
	}
	return res
}

func TestSessionsShareNoPublisher(t *testing.T) {
	a, b := newSession(t), newSession(t)
	run := func(s *Session, name string) {
		for range 20 {
			out := newRecorder()
			res := s.Execute(context.Background(), lang.ExecuteRequest{Code: `display.Markdown("from ` + name + `")` + "\n" +
				`h := display.Show(1)` + "\n" + `h.Update("` + name + ` again")`}, out)
			if res.Err != nil {
				t.Errorf("%s: %v", name, res.Err)
				return
			}
			out.mu.Lock()
			displays := out.displays
			out.mu.Unlock()
			if len(displays) != 3 || displays[0].Data["text/plain"] != "from "+name ||
				displays[2].Data["text/plain"] != `"`+name+` again"` || !displays[2].Update {
				t.Errorf("%s's cell displayed %+v", name, displays)
				return
			}
		}
	}
	both(0, func() { run(a, "a") }, func() { run(b, "b") })
}

func TestSessionsShareNoRecursionDepth(t *testing.T) {
	a, b := newSession(t), newSession(t)
	must(t, a, "func runaway(n int) int { return runaway(n+1) + 1 }")
	must(t, b, `import "time"`+"\n"+
		"func deep(n int) int {\n\tif n == 0 {\n\t\ttime.Sleep(500 * time.Millisecond)\n\t\treturn 0\n\t}\n\treturn deep(n-1) + 1\n}")
	var overflow, deep lang.ExecuteResult
	// b waits 10,000 calls deep while a's recursion runs away: counted together, or with
	// a's overflow seen by b, b's cell would fail too.
	both(100*time.Millisecond, func() { deep, _ = exec(t, b, "deep(10000)") }, func() { overflow, _ = exec(t, a, "runaway(0)") })
	if overflow.Err == nil || !strings.Contains(overflow.Err.Value, "stack overflow: runaway nested more than") {
		t.Errorf("a's runaway recursion: %+v", overflow.Err)
	}
	if deep.Err != nil || plainText(deep) != "10000" {
		t.Errorf("b's deep recursion: %v %v", deep.Value, deep.Err)
	}
	if a.rt.Overflow() != "runaway" || b.rt.Overflow() != "" {
		t.Errorf("overflows %q and %q", a.rt.Overflow(), b.rt.Overflow())
	}
}

func TestSessionsShareNoDeferredCalls(t *testing.T) {
	a, b := newSession(t), newSession(t)
	must(t, a, `import "time"`+"\nvar order []string")
	must(t, b, `import "time"`+"\nvar order []string")
	// a's cell ends while b's runs: were the deferred calls one list, a's end would run
	// b's deferred call before b's body is done.
	both(0, func() {
		must(t, b, "defer func() { order = append(order, \"b deferred\") }()\ntime.Sleep(400 * time.Millisecond)\norder = append(order, \"b body\")")
	}, func() {
		time.Sleep(100 * time.Millisecond)
		must(t, a, "defer func() { order = append(order, \"a deferred\") }()\norder = append(order, \"a body\")")
	})
	if got := plainText(must(t, a, "order")); got != "[a body a deferred]" {
		t.Errorf("a ran %s", got)
	}
	if got := plainText(must(t, b, "order")); got != "[b body b deferred]" {
		t.Errorf("b ran %s", got)
	}
}

func TestInterruptingOneSessionLeavesTheOther(t *testing.T) {
	a, b := newSession(t), newSession(t)
	const slow = `import "time"` + "\nslow := func(p []float64) float64 { time.Sleep(5 * time.Millisecond); return p[0] * p[1] }"
	must(t, a, slow)
	must(t, b, slow)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var interrupted, finished lang.ExecuteResult
	// a's Hessian (50 coordinates) is interrupted while b's (4, about 70 calls of 5 ms)
	// is under way, b's having started after a's.
	both(50*time.Millisecond, func() {
		interrupted = a.Execute(ctx, lang.ExecuteRequest{Code: "matcalc.Hessian(slow, make([]float64, 50), matcalc.Numerically())"}, newRecorder())
	}, func() {
		finished, _ = exec(t, b, "H := matcalc.Hessian(slow, []float64{1, 2, 3, 4}, matcalc.Numerically())\nmath.Abs(H.At(0, 1)-1) < 1e-6 && math.Abs(H.At(0, 0)) < 1e-6")
	})
	if interrupted.Err == nil || interrupted.Err.Name != "Interrupted" {
		t.Errorf("a: %+v", interrupted.Err)
	}
	if finished.Err != nil || plainText(finished) != "true" {
		t.Errorf("b: %v %v", finished.Value, finished.Err)
	}
	// Each session's context follows its own cells.
	if err := (interruptContext{b}).Err(); err != nil {
		t.Errorf("b's context: %v", err)
	}
	if res, _ := exec(t, a, "matcalc.Derivative(math.Sin, 0.0)"); res.Err != nil || plainText(res) != "1" {
		t.Errorf("a after its interrupt: %v %v", res.Value, res.Err)
	}
}

func TestOverlappingCapturesRestoreTheStreams(t *testing.T) {
	// Two sessions' cells capture os.Stdout at once and end in the order they began:
	// the process's streams come back all the same.
	stdout, stderr := os.Stdout, os.Stderr
	var first, second output
	stopFirst, err := capture(&first)
	if err != nil {
		t.Fatal(err)
	}
	stopSecond, err := capture(&second)
	if err != nil {
		stopFirst()
		t.Fatal(err)
	}
	stopFirst()
	if os.Stdout == stdout {
		t.Error("the second capture lost its stream when the first ended")
	}
	stopSecond()
	if os.Stdout != stdout || os.Stderr != stderr {
		t.Error("the process's streams are not restored")
	}
}
