package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// The functions of this table are written in a notebook cell, as a student writes them,
// and differentiated there three ways: matcalc's forward mode (the session's tangent of
// the cell's function), matcalc's numerical method (matcalc.Numerically()) and gonum's
// diff/fd with its default settings. Digits are against the closed form, computed in the
// cell; evaluations count calls of f (forward mode calls f once at x and its tangent once,
// which carries every direction at once); time is the cell's wall time.

// forwardCase is a function, its point, and the closed form of what is computed.
type forwardCase struct {
	name  string
	setup string // defines f, x and want (vec of the closed form)
	what  string // "gradient", "hessian" or "derivative" (x a float64)
}

func forwardCases() []forwardCase {
	return []forwardCase{
		{"sin x · eʸ, gradient", `f = func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }
x = []float64{0.7, 0.3}
want = []float64{math.Cos(0.7) * math.Exp(0.3), math.Sin(0.7) * math.Exp(0.3)}`, "gradient"},
		{"sin x · eʸ, Hessian", `want = []float64{-math.Sin(0.7) * math.Exp(0.3), math.Cos(0.7) * math.Exp(0.3), math.Cos(0.7) * math.Exp(0.3), math.Sin(0.7) * math.Exp(0.3)}`, "hessian"},
		{"Rosenbrock at (-1.2, 1), Hessian", `f = func(p []float64) float64 { a, b := 1-p[0], p[1]-p[0]*p[0]; return a*a + 100*b*b }
x = []float64{-1.2, 1}
want = []float64{1330, 480, 480, 200}`, "hessian"},
		{"1/x at 0.05, derivative", `g = func(x float64) float64 { return 1 / x }
x0 = 0.05
want = []float64{-400}`, "derivative"},
		{"1,000 Babylonian steps at 2, derivative", `g = func(x float64) float64 {
	t := (1 + x) / 2
	for i := 2; i <= 1000; i++ {
		t = (t + x/t) / 2
	}
	return t
}
x0 = 2
want = []float64{0.5 / math.Sqrt(2)}`, "derivative"},
		{"log-sum-exp of 100, gradient", `f = func(v []float64) float64 {
	s := 0.0
	for _, vi := range v {
		s += math.Exp(vi)
	}
	return math.Log(s)
}
x = make([]float64, 100)
for i := range x {
	x[i] = math.Sin(float64(7 * i))
}
total := 0.0
for _, v := range x {
	total += math.Exp(v)
}
soft := make([]float64, 100)
for i, v := range x {
	soft[i] = math.Exp(v) / total
}
want = soft`, "gradient"},
		{"log-sum-exp of 100, Hessian", `want = make([]float64, 0, 10000)
for i := range soft {
	for j := range soft {
		hij := -soft[i] * soft[j]
		if i == j {
			hij += soft[i]
		}
		want = append(want, hij)
	}
}`, "hessian"},
		// The 100-variable function of printCellHessian (and of docs/performance.md).
		{"chain of 100 (x_{i+1} - x_i²)² + 0.01 x_i², Hessian", `f = func(x []float64) float64 {
	s := 0.0
	for i := 0; i < len(x)-1; i++ {
		s += (x[i+1]-x[i]*x[i])*(x[i+1]-x[i]*x[i]) + 0.01*x[i]*x[i]
	}
	return s
}
x = make([]float64, 100)
for i := range x {
	x[i] = 0.5
}
want = make([]float64, 0, 10000)
for i := 0; i < 100; i++ {
	for j := 0; j < 100; j++ {
		w := 0.0
		switch {
		case i == j && i < 99:
			w = -4*(x[i+1]-x[i]*x[i]) + 8*x[i]*x[i] + 0.02
		case j == i+1:
			w = -4 * x[i]
		case i == j+1:
			w = -4 * x[j]
		}
		if i == j && i > 0 {
			w += 2
		}
		want = append(want, w)
	}
}`, "hessian"},
	}
}

// printForward prints the table.
func printForward() {
	s, err := interp.New(interp.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	run := func(code string) string {
		res := s.Execute(context.Background(), lang.ExecuteRequest{Code: code}, discard{})
		if res.Err != nil {
			fmt.Fprintf(os.Stderr, "%s\n%s\n", code, strings.Join(res.Err.Traceback, "\n"))
			os.Exit(1)
		}
		text, _ := res.Value["text/plain"].(string)
		return text
	}
	run(`import "gonum.org/v1/gonum/diff/fd"
calls := 0
flat := func(m mat.Matrix) []float64 {
	r, c := m.Dims()
	var out []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}
digits := func(got, want []float64) float64 {
	e, s := 0.0, 0.0
	for i := range got {
		e, s = math.Max(e, math.Abs(got[i]-want[i])), math.Max(s, math.Abs(want[i]))
	}
	if e == 0 {
		return 16
	}
	return math.Min(16, -math.Log10(e/s))
}
var got []float64
f := func(p []float64) float64 { return 0 }
g := func(x float64) float64 { return 0 }
x, x0 := []float64{0}, 0.0
var want []float64`)
	fmt.Println("\n| function | method | digits | evaluations of f | time |")
	fmt.Println("|---|---|---|---|---|")
	for _, c := range forwardCases() {
		run(c.setup)
		// counted calls f (or g) and counts; it writes a variable outside itself, so
		// matcalc differentiates it numerically, as it should for a count.
		run("countedF := func(p []float64) float64 { calls++; return f(p) }\ncountedG := func(p float64) float64 { calls++; return g(p) }")
		for _, m := range []struct{ method, code string }{
			{"matcalc, forward mode", map[string]string{
				"gradient":   "got = matcalc.GradientSlice(f, x)",
				"hessian":    "got = flat(matcalc.Hessian(f, x))",
				"derivative": "got = []float64{matcalc.Derivative(g, x0)}",
			}[c.what]},
			{"matcalc, numerical", map[string]string{
				"gradient":   "got = matcalc.GradientSlice(countedF, x, matcalc.Numerically())",
				"hessian":    "got = flat(matcalc.Hessian(countedF, x, matcalc.Numerically()))",
				"derivative": "got = []float64{matcalc.Derivative(countedG, x0, matcalc.Numerically())}",
			}[c.what]},
			{"gonum diff/fd", map[string]string{
				"gradient":   "got = fd.Gradient(nil, countedF, x, nil)",
				"hessian":    "var h mat.SymDense\nfd.Hessian(&h, countedF, x, nil)\ngot = flat(&h)",
				"derivative": "got = []float64{fd.Derivative(countedG, x0, nil)}",
			}[c.what]},
		} {
			run("calls = 0")
			start := time.Now()
			run(m.code)
			elapsed := time.Since(start)
			evals := run("calls")
			if strings.HasPrefix(m.method, "matcalc, forward") {
				evals = "1 + 1 of its tangent"
			}
			fmt.Printf("| %s | %s | %.4s | %s | %v |\n", c.name, m.method, run("digits(got, want)"), evals, elapsed.Round(10*time.Microsecond))
		}
	}
}
