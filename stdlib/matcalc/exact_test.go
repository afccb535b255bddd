package matcalc

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc/tangent"
	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Hand-written tangents, following the conventions a notebook session generates them by:
// every float64 v of f has its *tangent.T dv next to it.

// sinExp is f(x, y) = sin x · eʸ.
func sinExp(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }

func sinExpTangent(p []float64, dp []*tangent.T) (float64, *tangent.T) {
	s, ds := math.Sin(p[0]), tangent.Sin(p[0], dp[0])
	e, de := math.Exp(p[1]), tangent.Exp(p[1], dp[1])
	return s * e, tangent.Mul(s, ds, e, de)
}

// lesson is the Hessian lesson's f(x, y) = 2x² + 3y² - xy.
func lesson(p []float64) float64 {
	x, y := p[0], p[1]
	return 2*x*x + 3*y*y - x*y
}

func lessonTangent(p []float64, dp []*tangent.T) (float64, *tangent.T) {
	x, dx, y, dy := p[0], dp[0], p[1], dp[1]
	t1, dt1 := 2*x, tangent.Mul(2, nil, x, dx)
	t2, dt2 := t1*x, tangent.Mul(t1, dt1, x, dx)
	t3, dt3 := 3*y, tangent.Mul(3, nil, y, dy)
	t4, dt4 := t3*y, tangent.Mul(t3, dt3, y, dy)
	t5, dt5 := t2+t4, tangent.Add(dt2, dt4)
	t6, dt6 := x*y, tangent.Mul(x, dx, y, dy)
	return t5 - t6, tangent.Sub(dt5, dt6)
}

// rosenbrock is (1 - x)² + 100 (y - x²)².
func rosenbrock(p []float64) float64 {
	a, b := 1-p[0], p[1]-p[0]*p[0]
	return a*a + 100*b*b
}

func rosenbrockTangent(p []float64, dp []*tangent.T) (float64, *tangent.T) {
	x, dx, y, dy := p[0], dp[0], p[1], dp[1]
	a, da := 1-x, tangent.Sub(nil, dx)
	xx, dxx := x*x, tangent.Mul(x, dx, x, dx)
	b, db := y-xx, tangent.Sub(dy, dxx)
	aa, daa := a*a, tangent.Mul(a, da, a, da)
	b100, db100 := 100*b, tangent.Mul(100, nil, b, db)
	bb, dbb := b100*b, tangent.Mul(b100, db100, b, db)
	return aa + bb, tangent.Add(daa, dbb)
}

// rosenbrockGrad is Rosenbrock's gradient, a function R² → R² for Newton.
func rosenbrockGrad(p []float64) []float64 {
	x, y := p[0], p[1]
	b := y - x*x
	return []float64{-2*(1-x) - 400*x*b, 200 * b}
}

func rosenbrockGradTangent(p []float64, dp []*tangent.T) ([]float64, []*tangent.T) {
	x, dx, y, dy := p[0], dp[0], p[1], dp[1]
	xx, dxx := x*x, tangent.Mul(x, dx, x, dx)
	b, db := y-xx, tangent.Sub(dy, dxx)
	a, da := 1-x, tangent.Neg(dx)
	a2, da2 := -2*a, tangent.Mul(-2, nil, a, da)
	c, dc := 400*x, tangent.Mul(400, nil, x, dx)
	cb, dcb := c*b, tangent.Mul(c, dc, b, db)
	return []float64{a2 - cb, 200 * b}, []*tangent.T{tangent.Sub(da2, dcb), tangent.Mul(200, nil, b, db)}
}

func rosenbrockClosed(x, y float64) ([]float64, *mat.SymDense) {
	g := []float64{-2*(1-x) - 400*x*(y-x*x), 200 * (y - x*x)}
	h := mat.NewSymDense(2, []float64{2 - 400*y + 1200*x*x, -400 * x, -400 * x, 200})
	return g, h
}

func recip(x float64) float64 { return 1 / x }

func recipTangent(x float64, dx *tangent.T) (float64, *tangent.T) {
	return 1 / x, tangent.Quo(1, nil, x, dx)
}

// logSumExp is log Σ exp xᵢ.
func logSumExp(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Exp(v)
	}
	return math.Log(s)
}

func logSumExpTangent(x []float64, dx []*tangent.T) (float64, *tangent.T) {
	s, ds := 0.0, (*tangent.T)(nil)
	for i, v := range x {
		e, de := math.Exp(v), tangent.Exp(v, dx[i])
		s, ds = s+e, tangent.Add(ds, de)
	}
	return math.Log(s), tangent.Log(s, ds)
}

// softmax is the gradient of log-sum-exp, and diag(p) - p pᵀ its Hessian.
func softmax(x []float64) ([]float64, *mat.SymDense) {
	p, s := make([]float64, len(x)), 0.0
	for i, v := range x {
		p[i] = math.Exp(v)
		s += p[i]
	}
	h := mat.NewSymDense(len(x), nil)
	for i := range p {
		p[i] /= s
	}
	for i := range p {
		for j := i; j < len(p); j++ {
			v := -p[i] * p[j]
			if i == j {
				v += p[i]
			}
			h.SetSym(i, j, v)
		}
	}
	return p, h
}

// matErr is the largest entry of got - want relative to want's largest entry.
func matErr(got, want mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(got, want)
	return mat.Norm(&d, math.Inf(1)) / mat.Norm(want, math.Inf(1))
}

func wantExact(t *testing.T, what string, a Accuracy) {
	t.Helper()
	if !a.Exact || a.Err != 0 || a.Digits != 15 || a.String() != "exact (forward mode)" {
		t.Errorf("%s: accuracy %+v (%v), want exact", what, a, a)
	}
}

const exactTol = 1e-15

func TestExactSinExp(t *testing.T) {
	f := Exact(sinExp, sinExpTangent)
	x, y := 0.7, -0.3
	s, c, e := math.Sin(x), math.Cos(x), math.Exp(y)
	g, acc := GradientAcc(f, []float64{x, y})
	wantExact(t, "gradient", acc)
	if r := matErr(mat.NewVecDense(2, g.([]float64)), mat.NewVecDense(2, []float64{c * e, s * e})); r > exactTol {
		t.Errorf("gradient: relative error %.2g", r)
	}
	h, acc := HessianAcc(f, []float64{x, y})
	wantExact(t, "Hessian", acc)
	if r := matErr(h, mat.NewSymDense(2, []float64{-s * e, c * e, c * e, s * e})); r > exactTol {
		t.Errorf("Hessian: relative error %.2g", r)
	}
	// Apply along a direction, and the second derivative along two.
	l := D(f, []float64{x, y})
	if got, want := l.ApplyFloat([]float64{1, 2}), c*e+2*s*e; math.Abs(got-want) > exactTol*math.Abs(want) || !l.Accuracy.Exact {
		t.Errorf("f'(x)[dx] = %v (%v), want %v", got, l.Accuracy, want)
	}
	b := D2(f, []float64{x, y})
	u, v := []float64{1, 2}, []float64{-1, 0.5}
	want := -s*e*u[0]*v[0] + c*e*(u[0]*v[1]+u[1]*v[0]) + s*e*u[1]*v[1]
	if got := b.ApplyFloat(u, v); math.Abs(got-want) > 2*exactTol*math.Abs(want) || !b.Accuracy.Exact {
		t.Errorf("f''(x)[u, v] = %v (%v), want %v", got, b.Accuracy, want)
	}
	if se := b.SymmetryError(u, v); se > exactTol {
		t.Errorf("SymmetryError %v", se)
	}
}

func TestExactLesson(t *testing.T) {
	h := D2(Exact(lesson, lessonTangent), []float64{0.3, -0.7})
	want := "f''(x): 2×2 Hessian in vec coordinates; exact (forward mode)\n⎡ 4  -1⎤\n⎣-1   6⎦"
	if got := h.String(); got != want {
		t.Errorf("caption:\n%s\nwant\n%s", got, want)
	}
	m := h.Matrix()
	if !mat.Equal(m, mat.NewSymDense(2, []float64{4, -1, -1, 6})) {
		t.Errorf("Hessian %v", mat.Formatted(m))
	}
	g := GradientSlice(Exact(lesson, lessonTangent), []float64{1, 2})
	if g[0] != 2 || g[1] != 11 {
		t.Errorf("gradient %v, want [2 11]", g)
	}
}

func TestExactRosenbrock(t *testing.T) {
	f := Exact(rosenbrock, rosenbrockTangent)
	x0 := []float64{-1.2, 1}
	g, h := rosenbrockClosed(-1.2, 1)
	got, acc := GradientAcc(f, x0)
	wantExact(t, "gradient", acc)
	if r := matErr(mat.NewVecDense(2, got.([]float64)), mat.NewVecDense(2, g)); r > exactTol {
		t.Errorf("gradient %v, want %v", got, g)
	}
	hess, acc := HessianAcc(f, x0)
	wantExact(t, "Hessian", acc)
	if r := matErr(hess, h); r > exactTol {
		t.Errorf("Hessian %v, want %v", mat.Formatted(hess), mat.Formatted(h))
	}
	// The Jacobian of the gradient is the Hessian.
	j, acc := JacobianAcc(Exact(rosenbrockGrad, rosenbrockGradTangent), x0)
	wantExact(t, "Jacobian", acc)
	if r := matErr(j, h); r > exactTol {
		t.Errorf("Jacobian of the gradient %v", mat.Formatted(j))
	}
	if hv := HVP(f, x0, []float64{1, -1}).([]float64); math.Abs(hv[0]-(h.At(0, 0)-h.At(0, 1))) > exactTol*1e3 || math.Abs(hv[1]-(h.At(1, 0)-h.At(1, 1))) > exactTol*1e3 {
		t.Errorf("HVP %v", hv)
	}
}

// counted returns f and a count of its calls.
func counted[X, Y any](f func(X) Y) (func(X) Y, *int) {
	n := new(int)
	return func(x X) Y { *n++; return f(x) }, n
}

func TestExactNewton(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(f any) *NewtonResult
		f    any
		tan  any
	}{
		{"Newton", func(f any) *NewtonResult { return Newton(f, []float64{-1.2, 1}) }, rosenbrockGrad, rosenbrockGradTangent},
		{"NewtonMin", func(f any) *NewtonResult { return NewtonMin(f, []float64{-1.2, 1}) }, rosenbrock, rosenbrockTangent},
	} {
		var calls *int
		var f any
		switch g := c.f.(type) {
		case func([]float64) float64:
			f, calls = counted(g)
		case func([]float64) []float64:
			f, calls = counted(g)
		}
		r := c.run(Exact(f, c.tan))
		x := r.X.([]float64)
		if !r.Converged || math.Abs(x[0]-1) > 1e-12 || math.Abs(x[1]-1) > 1e-12 {
			t.Errorf("%s: %v", c.name, r)
		}
		// f itself is called only at the iterates (for the residual and the check of the
		// tangent's value): no differences.
		if *calls > 3*len(r.Steps)+2 {
			t.Errorf("%s: %d calls of f for %d iterates", c.name, *calls, len(r.Steps))
		}
	}
}

func TestExactPole(t *testing.T) {
	f := Exact(recip, recipTangent)
	if d := Derivative(f, 0.05); math.Abs(d+400) > 400*exactTol {
		t.Errorf("(1/x)' at 0.05 = %v, want -400", d)
	}
	b := D2(f, 0.05)
	if d := b.ApplyFloat(1.0, 1.0); math.Abs(d-16000) > 16000*exactTol || !b.Accuracy.Exact {
		t.Errorf("(1/x)'' at 0.05 = %v, want 16000", d)
	}
}

func randomPoint(n int) []float64 {
	r := rand.New(rand.NewPCG(18, 96))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func TestExactLogSumExp(t *testing.T) {
	x := randomPoint(100)
	p, h := softmax(x)
	f := Exact(logSumExp, logSumExpTangent)
	g, acc := GradientAcc(f, x)
	wantExact(t, "gradient", acc)
	if r := matErr(mat.NewVecDense(100, g.([]float64)), mat.NewVecDense(100, p)); r > exactTol {
		t.Errorf("gradient: relative error %.2g", r)
	}
	hess, acc := HessianAcc(f, x)
	wantExact(t, "Hessian", acc)
	if r := matErr(hess, h); r > exactTol {
		t.Errorf("Hessian: relative error %.2g", r)
	}
	v := randomPoint(100)
	var want mat.VecDense
	want.MulVec(h, mat.NewVecDense(100, v))
	hv, acc := HVPAcc(f, x, v)
	wantExact(t, "HVP", acc)
	if r := matErr(mat.NewVecDense(100, hv.([]float64)), &want); r > 4*exactTol {
		t.Errorf("HVP: relative error %.2g", r)
	}
}

// loop iterates x ← x + h sin x a thousand times.
const loopSteps, loopH = 1000, 0.01

func loop(x float64) float64 {
	for k := 0; k < loopSteps; k++ {
		x += loopH * math.Sin(x)
	}
	return x
}

func loopTangent(x float64, dx *tangent.T) (float64, *tangent.T) {
	for k := 0; k < loopSteps; k++ {
		s, ds := math.Sin(x), tangent.Sin(x, dx)
		hs, dhs := loopH*s, tangent.Mul(loopH, nil, s, ds)
		x, dx = x+hs, tangent.Add(dx, dhs)
	}
	return x, dx
}

func TestExactLoop(t *testing.T) {
	// The derivative is the product of the steps' derivatives 1 + h cos xₖ.
	x, want := 0.5, 1.0
	for k := 0; k < loopSteps; k++ {
		want *= 1 + loopH*math.Cos(x)
		x += loopH * math.Sin(x)
	}
	l := D(Exact(loop, loopTangent), 0.5)
	got := l.ApplyFloat(1.0)
	// A thousand steps round a thousand times, in another order than the product.
	if math.Abs(got-want) > 1e-13*math.Abs(want) || !l.Accuracy.Exact {
		t.Errorf("derivative of the loop %v (%v), want %v", got, l.Accuracy, want)
	}
	if num := Derivative(loop, 0.5); math.Abs(num-want) > 1e-9*math.Abs(want) {
		t.Errorf("numerical derivative of the loop %v, want %v", num, want)
	}
}

// panicMessage returns the panic of f as a string.
func panicMessage(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return "no panic"
}

const sprintWhy = "f calls fmt.Sprint, which has no derivative rule"

func TestFallbacks(t *testing.T) {
	x := []float64{0.7, -0.3}
	for _, c := range []struct {
		name string
		f    any
		opts []Option
		why  string
	}{
		{"NoRule", Exact(sinExp, func([]float64, []*tangent.T) (float64, *tangent.T) { panic(tangent.NoRule{Why: sprintWhy}) }), nil, sprintWhy},
		{"Numerical", Numerical(sinExp, sprintWhy), nil, sprintWhy},
		{"mismatch", Exact(sinExp, func(p []float64, dp []*tangent.T) (float64, *tangent.T) {
			v, dv := sinExpTangent(p, dp)
			return math.Nextafter(v, 1), dv
		}), nil, "f's tangent does not agree with f (was f redefined?)"},
		{"panic", Exact(sinExp, func(p []float64, dp []*tangent.T) (float64, *tangent.T) { panic("index out of range") }), nil, "forward mode failed: index out of range"},
		{"nil tangent", Exact(sinExp, nil), nil, "f has no tangent"},
		{"Numerically", Exact(sinExp, sinExpTangent), []Option{Numerically()}, ""},
		{"plain f", sinExp, nil, ""},
	} {
		g, acc := GradientAcc(c.f, x, c.opts...)
		if acc.Exact || acc.Why != c.why {
			t.Errorf("%s: accuracy %+v, want numerical because %q", c.name, acc, c.why)
		}
		want := "numerical, "
		if c.why != "" {
			want = "numerical (" + c.why + "), "
		}
		if s := acc.String(); !strings.HasPrefix(s, want) || !strings.Contains(s, "correct digits (error ≤") {
			t.Errorf("%s: %q, want it to start %q", c.name, s, want)
		}
		if r := matErr(mat.NewVecDense(2, g.([]float64)), mat.NewVecDense(2, []float64{math.Cos(0.7) * math.Exp(-0.3), math.Sin(0.7) * math.Exp(-0.3)})); r > 1e-10 {
			t.Errorf("%s: numerical gradient off by %.2g", c.name, r)
		}
		if caption := D(c.f, x, c.opts...).String(); !strings.HasPrefix(caption, "f'(x): 1×2 Jacobian in vec coordinates; "+want) {
			t.Errorf("%s: caption %q", c.name, caption)
		}
		if h, acc := HessianAcc(c.f, x, c.opts...); acc.Why != c.why || acc.Exact {
			t.Errorf("%s: Hessian accuracy %+v", c.name, acc)
		} else if !strings.HasPrefix(matfmt.NoteOf(h), "Hessian by matcalc: "+want) {
			t.Errorf("%s: note %q", c.name, matfmt.NoteOf(h))
		}
	}
	// Types without tangents.
	sym := func(s *mat.SymDense) float64 { return mat.Trace(s) }
	if m := Exact(sym, func(*mat.SymDense, *mat.SymDense) (float64, *tangent.T) { return 0, nil }); m.tangent.IsValid() ||
		m.why != "f is func(*mat.SymDense) float64, and exact derivatives take and return float64, []float64, *mat.Dense, *mat.VecDense, mat.Matrix or mat.Vector" {
		t.Errorf("SymDense: %q", m.why)
	}
}

func TestForwardMode(t *testing.T) {
	x := []float64{0.7, -0.3}
	for _, c := range []struct {
		f    any
		want string
	}{
		{sinExp, "matcalc: Gradient: f has no exact derivative: f is compiled Go, not a cell's function; pass matcalc.Exact(f, tangent) with its tangent"},
		{Numerical(sinExp, sprintWhy), "matcalc: Gradient: f has no exact derivative: " + sprintWhy},
		{Exact(sinExp, func([]float64, []*tangent.T) (float64, *tangent.T) { panic(tangent.NoRule{Why: sprintWhy}) }), "matcalc: Gradient: f has no exact derivative: " + sprintWhy},
	} {
		if got := panicMessage(func() { GradientAcc(c.f, x, ForwardMode()) }); got != c.want {
			t.Errorf("got %q\nwant %q", got, c.want)
		}
	}
	if got := panicMessage(func() { Hessian(sinExp, x, ForwardMode()) }); !strings.HasPrefix(got, "matcalc: Hessian: f has no exact derivative") {
		t.Errorf("Hessian: %q", got)
	}
	if _, acc := GradientAcc(Exact(sinExp, sinExpTangent), x, ForwardMode()); !acc.Exact {
		t.Errorf("ForwardMode with a tangent: %+v", acc)
	}
}

func TestExactErrors(t *testing.T) {
	abs := func(x float64) float64 { return math.Abs(x) }
	absT := func(x float64, dx *tangent.T) (float64, *tangent.T) { return math.Abs(x), tangent.Abs(x, dx) }
	if got := panicMessage(func() { D(Exact(abs, absT), 0.0).ApplyFloat(1.0) }); got != "matcalc: D: f is not differentiable at x: math.Abs at 0" {
		t.Errorf("not differentiable: %q", got)
	}
	if d := Derivative(Exact(abs, absT), -2.0); d != -1 {
		t.Errorf("|x|' at -2 = %v", d)
	}
	sqrtT := func(x float64, dx *tangent.T) (float64, *tangent.T) { return math.Sqrt(x), tangent.Sqrt(x, dx) }
	got := panicMessage(func() { Derivative(Exact(math.Sqrt, sqrtT), 0.0) })
	if !strings.HasPrefix(got, "matcalc: Derivative: the derivative is not finite at x (forward mode): the derivative of f along direction 1 is +Inf.") {
		t.Errorf("not finite: %q", got)
	}
	got = panicMessage(func() { Exact(sinExp, sinExp) })
	if got != "matcalc: Exact: f is func([]float64) float64, so its tangent must be func([]float64, []*tangent.T) (float64, *tangent.T), got func([]float64) float64" {
		t.Errorf("wrong tangent type: %q", got)
	}
	short := func(p []float64, dp []*tangent.T) ([]float64, []*tangent.T) {
		v, dv := rosenbrockGradTangent(p, dp)
		return v, dv[:1]
	}
	got = panicMessage(func() { Jacobian(Exact(rosenbrockGrad, short), []float64{1, 2}) })
	if !strings.HasPrefix(got, "matcalc: Jacobian: f's tangent returned 1 tangents for a value of 2 coordinates") {
		t.Errorf("short tangent: %q", got)
	}
	// Cancellation stops forward mode before the tangent runs, and goes through it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := panicValue(func() { Gradient(Exact(sinExp, sinExpTangent), []float64{1, 2}, WithContext(ctx)) }); r != ErrCanceled {
		t.Errorf("canceled: %v", r)
	}
	canceling := func([]float64, []*tangent.T) (float64, *tangent.T) { panic(ErrCanceled) }
	if r := panicValue(func() { Gradient(Exact(sinExp, canceling), []float64{1, 2}) }); r != ErrCanceled {
		t.Errorf("canceled in the tangent: %v", r)
	}
}

func panicValue(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// The compiled cost of the rules: the Hessian of log-sum-exp of 100 variables, exact
// (one evaluation of the tangent at second order along 100 directions) and numerical.
func BenchmarkHessianExact(b *testing.B) {
	x, f := randomPoint(100), Exact(logSumExp, logSumExpTangent)
	for i := 0; i < b.N; i++ {
		Hessian(f, x)
	}
}

func BenchmarkHessianNumerical(b *testing.B) {
	x, f := randomPoint(100), Exact(logSumExp, logSumExpTangent)
	for i := 0; i < b.N; i++ {
		Hessian(f, x, Numerically())
	}
}
