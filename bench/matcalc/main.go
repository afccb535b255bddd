// Command matcalc prints, as Markdown tables, how accurate matcalc's derivatives are
// against gonum's diff/fd on functions with closed-form derivatives (correct digits and
// evaluations of f); the same for directional derivatives f'(X)[Dx] of the hard cases of
// internal/hardcases (poles, domain edges, sign changes, Householder flips, eigenvalue
// gaps, Newton solves, matrix square roots), beside a plain central difference, case by
// case for the fixed ones and in summary for random draws; and the wall time of a Hessian
// of a 100-dimensional function written in a notebook cell; and exact derivatives of
// functions written in cells (forward mode) beside the numerical method and diff/fd.
//
//	go run ./bench/matcalc            # every table
//	go run ./bench/matcalc forward    # forward mode's table only
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/internal/hardcases"
	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// problem is a scalar function with its gradient and Hessian in closed form.
type problem struct {
	name    string
	f       func(x []float64) float64
	grad    func(x []float64) []float64
	hess    func(x []float64) *mat.SymDense
	x       []float64
	runHess bool
}

func problems() []problem {
	sinExp := problem{
		name: "sin x · exp y",
		f:    func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) },
		grad: func(p []float64) []float64 {
			return []float64{math.Cos(p[0]) * math.Exp(p[1]), math.Sin(p[0]) * math.Exp(p[1])}
		},
		hess: func(p []float64) *mat.SymDense {
			s, c, e := math.Sin(p[0]), math.Cos(p[0]), math.Exp(p[1])
			return mat.NewSymDense(2, []float64{-s * e, c * e, c * e, s * e})
		},
		x: []float64{0.7, 0.3},
	}
	// Rosenbrock: 100(y - x²)² + (1 - x)².
	rosen := problem{
		name: "Rosenbrock",
		f:    func(p []float64) float64 { x, y := p[0], p[1]; return 100*(y-x*x)*(y-x*x) + (1-x)*(1-x) },
		grad: func(p []float64) []float64 {
			x, y := p[0], p[1]
			return []float64{-400*x*(y-x*x) - 2*(1-x), 200 * (y - x*x)}
		},
		hess: func(p []float64) *mat.SymDense {
			x, y := p[0], p[1]
			return mat.NewSymDense(2, []float64{1200*x*x - 400*y + 2, -400 * x, -400 * x, 200})
		},
		x: []float64{-1.2, 1},
	}
	// log-sum-exp in 10 dimensions: ∇ = softmax, H = diag(p) - p pᵀ.
	n := 10
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	softmax := func(v []float64) []float64 {
		s, out := 0.0, make([]float64, len(v))
		for i, vi := range v {
			out[i] = math.Exp(vi)
			s += out[i]
		}
		for i := range out {
			out[i] /= s
		}
		return out
	}
	lse := problem{
		name: "log-sum-exp (10-d)",
		f: func(v []float64) float64 {
			s := 0.0
			for _, vi := range v {
				s += math.Exp(vi)
			}
			return math.Log(s)
		},
		grad: softmax,
		hess: func(v []float64) *mat.SymDense {
			p := softmax(v)
			h := mat.NewSymDense(len(p), nil)
			for i := range p {
				for j := i; j < len(p); j++ {
					val := -p[i] * p[j]
					if i == j {
						val += p[i]
					}
					h.SetSym(i, j, val)
				}
			}
			return h
		},
		x: x,
	}
	return []problem{sinExp, rosen, lse}
}

func digits(got, want []float64) float64 {
	e, s := 0.0, 0.0
	for i := range got {
		e = math.Max(e, math.Abs(got[i]-want[i]))
		s = math.Max(s, math.Abs(want[i]))
	}
	if e == 0 {
		return 16
	}
	return math.Min(16, -math.Log10(e/s))
}

func flat(m mat.Matrix) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

// counted wraps f to count its evaluations.
func counted(f func([]float64) float64) (func([]float64) float64, *int) {
	n := 0
	return func(x []float64) float64 { n++; return f(x) }, &n
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "forward" {
		printForward()
		return
	}
	printProblems()
	printFixed(hardcases.Fixed())
	printRandom(hardcases.Random(randomSeed, 300))
	printCellHessian()
	printForward()
}

// printProblems prints the gradients and Hessians of problems() by matcalc and fd.
func printProblems() {
	fmt.Println("| function | method | gradient digits | evaluations | Hessian digits | evaluations |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, p := range problems() {
		wantG, wantH := p.grad(p.x), flat(p.hess(p.x))
		row := func(method string, grad func(func([]float64) float64) []float64, hess func(func([]float64) float64) mat.Matrix) {
			fg, ng := counted(p.f)
			g := grad(fg)
			fh, nh := counted(p.f)
			h := hess(fh)
			fmt.Printf("| %s | %s | %.1f | %d | %.1f | %d |\n", p.name, method, digits(g, wantG), *ng, digits(flat(h), wantH), *nh)
		}
		row("matcalc", func(f func([]float64) float64) []float64 { return matcalc.Gradient(f, p.x).([]float64) },
			func(f func([]float64) float64) mat.Matrix { return matcalc.Hessian(f, p.x) })
		row("fd, nil settings", func(f func([]float64) float64) []float64 { return fd.Gradient(nil, f, p.x, nil) },
			func(f func([]float64) float64) mat.Matrix { var h mat.SymDense; fd.Hessian(&h, f, p.x, nil); return &h })
		central := &fd.Settings{Formula: fd.Central}
		row("fd, Central", func(f func([]float64) float64) []float64 { return fd.Gradient(nil, f, p.x, central) },
			func(f func([]float64) float64) mat.Matrix {
				var h mat.SymDense
				fd.Hessian(&h, f, p.x, central)
				return &h
			})
	}
}

// printCellHessian prints the wall time and accuracy of a Hessian of a 100-dimensional
// function written in a notebook cell: every call of f is a call back into the interpreter.
func printCellHessian() {
	s, err := interp.New(interp.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	run := func(code string) lang.ExecuteResult {
		return s.Execute(context.Background(), lang.ExecuteRequest{Code: code}, discard{})
	}
	run("calls := 0\nf := func(x []float64) float64 {\n\tcalls++\n\ts := 0.0\n\tfor i := 0; i < len(x)-1; i++ {\n\t\ts += (x[i+1]-x[i]*x[i])*(x[i+1]-x[i]*x[i]) + 0.01*x[i]*x[i]\n\t}\n\treturn s\n}\nx := make([]float64, 100)\nfor i := range x { x[i] = 0.5 }")
	start := time.Now()
	res := run("H := matcalc.Hessian(f, x)")
	elapsed := time.Since(start)
	if res.Err != nil {
		fmt.Fprintln(os.Stderr, res.Err)
		os.Exit(1)
	}
	calls := run("calls").Value["text/plain"]
	// Its correct digits against the closed form (tridiagonal: H_ii = -4 r_i + 8 x_i² + 0.02
	// + 2 [i > 0] with r_i = x_{i+1} - x_i², H_i,i+1 = -4 x_i), computed in the cell.
	correct := run(`worst, largest := 0.0, 0.0
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
		worst, largest = math.Max(worst, math.Abs(H.At(i, j)-w)), math.Max(largest, math.Abs(w))
	}
}
-math.Log10(worst / largest)`).Value["text/plain"]
	fmt.Printf("\nHessian of a 100-dimensional function written in a cell: %v (%v calls of f, %.4s correct digits)\n",
		elapsed.Round(time.Millisecond), calls, correct)
}

// discard is a lang.Output that drops everything.
type discard struct{}

func (discard) Stream(string, string)              {}
func (discard) Display(lang.Display)               {}
func (discard) Clear(bool)                         {}
func (discard) Input(string, bool) (string, error) { return "", lang.ErrNoStdin }
