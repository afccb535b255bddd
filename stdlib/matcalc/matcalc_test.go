package matcalc

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Accuracy targets of the package on smooth, well-scaled functions.
const (
	firstDigits  = 12
	secondDigits = 9
)

// digits is the number of correct digits of got against want (relative, in the max norm).
func digits(got, want mat.Matrix) float64 {
	var diff mat.Dense
	diff.Sub(got, want)
	scale := math.Max(mat.Norm(want, math.Inf(1)), 1e-300)
	err := mat.Norm(&diff, math.Inf(1)) / scale
	if err == 0 {
		return 16
	}
	return -math.Log10(err)
}

func randomDense(r *rand.Rand, n, m int) *mat.Dense {
	a := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			a.Set(i, j, r.Float64()*2-1)
		}
	}
	return a
}

func det(a *mat.Dense) float64 { return mat.Det(a) }

// wellConditioned is a random 3×3 matrix plus 3I.
func wellConditioned(r *rand.Rand) *mat.Dense {
	a := randomDense(r, 3, 3)
	for i := 0; i < 3; i++ {
		a.Set(i, i, a.At(i, i)+3)
	}
	return a
}

func inverse(a mat.Matrix) *mat.Dense {
	var inv mat.Dense
	if err := inv.Inverse(a); err != nil {
		panic(err)
	}
	return &inv
}

func trace(m mat.Matrix) float64 { return mat.Trace(m) }

func mul(ms ...mat.Matrix) *mat.Dense {
	out := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		var p mat.Dense
		p.Mul(out, m)
		out = &p
	}
	return out
}

func scalar(v float64) *mat.Dense { return mat.NewDense(1, 1, []float64{v}) }

func TestDerivativeOfDet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, da := wellConditioned(r), randomDense(r, 3, 3)
	// d det A = det A tr(A⁻¹ dA)
	got := D(det, a).Apply(da).(float64)
	want := mat.Det(a) * trace(mul(inverse(a), da))
	if d := digits(scalar(got), scalar(want)); d < firstDigits {
		t.Errorf("d det: %d correct digits (got %v, want %v)", int(d), got, want)
	}
	// ∇ det = det(A) A⁻ᵀ
	grad := Gradient(det, a).(*mat.Dense)
	var wantGrad mat.Dense
	wantGrad.Scale(mat.Det(a), inverse(a).T())
	if d := digits(grad, &wantGrad); d < firstDigits {
		t.Errorf("gradient of det: %.1f correct digits", d)
	}
}

func TestDerivativeOfSquareAndInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, da := wellConditioned(r), randomDense(r, 3, 3)
	square := func(x *mat.Dense) *mat.Dense { return mul(x, x) }
	// d(A²) = dA A + A dA, not 2 A dA
	var want mat.Dense
	want.Add(mul(da, a), mul(a, da))
	if d := digits(D(square, a).Apply(da).(*mat.Dense), &want); d < firstDigits {
		t.Errorf("d(A²): %.1f correct digits", d)
	}
	// Jacobian of A -> A² in vec coordinates: I ⊗ A + Aᵀ ⊗ I
	id := mat.NewDiagDense(3, []float64{1, 1, 1})
	var k1, k2, kron mat.Dense
	k1.Kronecker(id, a)
	k2.Kronecker(a.T(), id)
	kron.Add(&k1, &k2)
	if d := digits(Jacobian(square, a), &kron); d < firstDigits {
		t.Errorf("Jacobian of A²: %.1f correct digits", d)
	}
	// d(A⁻¹) = -A⁻¹ dA A⁻¹
	inv := func(x *mat.Dense) *mat.Dense { return inverse(x) }
	var wantInv mat.Dense
	wantInv.Scale(-1, mul(inverse(a), da, inverse(a)))
	if d := digits(D(inv, a).Apply(da).(*mat.Dense), &wantInv); d < firstDigits {
		t.Errorf("d(A⁻¹): %.1f correct digits", d)
	}
}

func TestQuadraticForm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randomDense(r, 4, 4)
	x := mat.NewVecDense(4, []float64{0.3, -1, 2, 0.5})
	f := func(x *mat.VecDense) float64 { return mat.Inner(x, a, x) }
	var sum mat.Dense
	sum.Add(a, a.T())
	// ∇(xᵀAx) = (A + Aᵀ) x
	var want mat.VecDense
	want.MulVec(&sum, x)
	if d := digits(Gradient(f, x).(*mat.VecDense), &want); d < firstDigits {
		t.Errorf("gradient of xᵀAx: %.1f correct digits", d)
	}
	// Hessian of xᵀAx = A + Aᵀ
	if d := digits(Hessian(f, x), &sum); d < secondDigits {
		t.Errorf("Hessian of xᵀAx: %.1f correct digits", d)
	}
	// Hv without the Hessian
	v := mat.NewVecDense(4, []float64{1, 2, -1, 0.5})
	var wantHv mat.VecDense
	wantHv.MulVec(&sum, v)
	if d := digits(HVP(f, x, v).(*mat.VecDense), &wantHv); d < secondDigits {
		t.Errorf("HVP of xᵀAx: %.1f correct digits", d)
	}
}

func TestHessianLesson(t *testing.T) {
	// f(x, y) = 2x² + 3y² - xy has Hessian [[4, -1], [-1, 6]] everywhere.
	f := func(p []float64) float64 { x, y := p[0], p[1]; return 2*x*x + 3*y*y - x*y }
	want := mat.NewDense(2, 2, []float64{4, -1, -1, 6})
	for _, p := range [][]float64{{0, 0}, {1, 2}, {-3, 0.5}} {
		if d := digits(Hessian(f, p), want); d < secondDigits {
			t.Errorf("at %v: %.1f correct digits: %v", p, d, mat.Formatted(Hessian(f, p)))
		}
	}
}

func TestSecondDerivativeOfDet(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	a, u, v := wellConditioned(r), randomDense(r, 3, 3), randomDense(r, 3, 3)
	// det''(A)[dA', dA] = det A (tr(A⁻¹dA') tr(A⁻¹dA) - tr(A⁻¹dA' A⁻¹dA))
	ai := inverse(a)
	want := mat.Det(a) * (trace(mul(ai, u))*trace(mul(ai, v)) - trace(mul(ai, u, ai, v)))
	b := D2(det, a)
	got := b.Apply(u, v).(float64)
	if d := digits(scalar(got), scalar(want)); d < secondDigits {
		t.Errorf("det'': %.1f correct digits (got %v, want %v)", d, got, want)
	}
	if e := b.SymmetryError(u, v); e > 1e-8 {
		t.Errorf("det'' is symmetric, but SymmetryError = %g", e)
	}
}

func TestLinearityAndTaylor(t *testing.T) {
	f := func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }
	x, dx := []float64{0.4, -0.2}, []float64{0.3, 0.7}
	l := D(f, x)
	one, two := l.Apply(dx).(float64), l.Apply([]float64{0.6, 1.4}).(float64)
	if d := digits(scalar(two), scalar(2*one)); d < firstDigits {
		t.Errorf("D is not linear in dx: %v vs 2×%v", two, one)
	}
	// The remainder f(x+εdx) - f(x) - f'[εdx] - ½f''[εdx, εdx] shrinks like ε³.
	b := D2(f, x)
	remainder := func(eps float64) float64 {
		d := []float64{eps * dx[0], eps * dx[1]}
		return f([]float64{x[0] + d[0], x[1] + d[1]}) - f(x) - l.Apply(d).(float64) - b.Apply(d, d).(float64)/2
	}
	ratio := remainder(1e-2) / remainder(1e-1)
	if ratio < 0.5e-3 || ratio > 2e-3 {
		t.Errorf("Taylor remainder ratio for ε/10 is %g, want about 1e-3", ratio)
	}
}

func TestBilinearForms(t *testing.T) {
	m := mat.NewDense(2, 2, []float64{1, 2, 0, 3})
	b := NewBilinear(m)
	// uᵀ M v with u = (1, 1), v = (0, 1): 2 + 3 = 5
	if got := b.Apply([]float64{1, 1}, []float64{0, 1}).(float64); got != 5 {
		t.Errorf("uᵀMv = %v, want 5", got)
	}
	if e := b.SymmetryError([]float64{1, 0}, []float64{0, 1}); e < 0.5 {
		t.Errorf("M is not symmetric, SymmetryError = %g", e)
	}
	dot := BilinearFunc(3, func(u, v []float64) float64 { return u[0]*v[0] + u[1]*v[1] + u[2]*v[2] })
	if d := digits(dot.Matrix(), mat.NewDiagDense(3, []float64{1, 1, 1})); d < 15 {
		t.Errorf("matrix of the dot product is not I: %v", mat.Formatted(dot.Matrix()))
	}
}

func TestMistakesPanicClearly(t *testing.T) {
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"not a func", func() { D(3, 1.0) }, "matcalc: D: f must be a func"},
		{"wrong kind", func() { D(func(x []float64) float64 { return x[0] }, "x") }, "matcalc: D: x: string is not a point"},
		{"wrong input", func() { D(func(x *mat.Dense) float64 { return 0 }, []float64{1}) }, "f takes *mat.Dense, but x is []float64"},
		{"shape", func() { D(func(x []float64) float64 { return x[0] }, []float64{1, 2}).Apply([]float64{1}) }, "dx is []float64 of length 1"},
		{"not finite", func() { D(math.Log, -1.0) }, "not finite"},
		{"gradient of vector f", func() { Gradient(func(x []float64) []float64 { return x }, []float64{1, 2}) }, "Gradient: f must return a float64"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("%s: panic %q, want it to contain %q", tt.name, msg, tt.want)
				}
			}()
			tt.call()
		}()
	}
}

func TestTranscendental(t *testing.T) {
	// f(x, y) = sin x eʸ: ∇f = (cos x eʸ, sin x eʸ), H = [[-sin x eʸ, cos x eʸ], [cos x eʸ, sin x eʸ]].
	f := func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }
	for _, p := range [][]float64{{0.4, -0.2}, {2, 1}, {-1, 0.5}} {
		s, c, e := math.Sin(p[0]), math.Cos(p[0]), math.Exp(p[1])
		grad := mat.NewVecDense(2, Gradient(f, p).([]float64))
		if d := digits(grad, mat.NewVecDense(2, []float64{c * e, s * e})); d < firstDigits {
			t.Errorf("gradient at %v: %.1f correct digits", p, d)
		}
		want := mat.NewDense(2, 2, []float64{-s * e, c * e, c * e, s * e})
		if d := digits(Hessian(f, p), want); d < secondDigits {
			t.Errorf("Hessian at %v: %.1f correct digits", p, d)
		}
	}
	// d exp(x) = exp(x) dx on scalars, at a point of another scale.
	if d := digits(scalar(D(math.Exp, 10.0).Apply(1.0).(float64)), scalar(math.Exp(10))); d < firstDigits {
		t.Errorf("exp' at 10: %.1f correct digits", d)
	}
}

func TestCanceledContextStopsTheLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	f := func(p []float64) float64 {
		calls++
		if calls == 10 {
			cancel()
		}
		return p[0] * p[1]
	}
	if r := canceled(func() { Hessian(f, make([]float64, 20), WithContext(ctx)) }); r != ErrCanceled {
		t.Fatalf("panic %v, want ErrCanceled", r)
	}
	if calls != 10 {
		t.Errorf("f was called %d times; the loop must stop at the first call after cancel", calls)
	}
}

// canceled runs do and returns what it panicked with.
func canceled(do func()) (r any) {
	defer func() { r = recover() }()
	do()
	return nil
}

func TestResultsKeepTheirContext(t *testing.T) {
	// The methods of a derivative call f again: they check the context D was given.
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	f := func(p []float64) float64 { calls++; return p[0] * p[1] }
	l := D(f, []float64{1, 2}, WithContext(ctx))
	b := D2(f, []float64{1, 2}, WithContext(ctx))
	l.Apply([]float64{1, 0}) // not canceled yet: it works
	cancel()
	before := calls
	for name, do := range map[string]func(){
		"Linear.Apply":    func() { l.Apply([]float64{0, 1}) },
		"Linear.Matrix":   func() { l.Matrix() },
		"Bilinear.Apply":  func() { b.Apply([]float64{1, 0}, []float64{0, 1}) },
		"Bilinear.Matrix": func() { b.Matrix() },
	} {
		if r := canceled(do); r != ErrCanceled {
			t.Errorf("%s after cancel: panic %v, want ErrCanceled", name, r)
		}
	}
	if calls != before {
		t.Errorf("f was called %d times after cancel", calls-before)
	}
}

func TestAnyContextStops(t *testing.T) {
	// Of two contexts, the one that is done stops the computation; without options, or
	// with a context that is never done, nothing stops it.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	f := func(p []float64) float64 { return p[0] * p[0] }
	x := []float64{1, 2}
	if r := canceled(func() { Gradient(f, x, WithContext(context.Background()), WithContext(done)) }); r != ErrCanceled {
		t.Errorf("one done context: panic %v", r)
	}
	if r := canceled(func() { Gradient(f, x, WithContext(context.Background()), WithContext(nil)) }); r != nil {
		t.Errorf("contexts never done: panic %v", r)
	}
	df := func(p, dp []float64) float64 { return 2 * p[0] * dp[0] }
	if r := canceled(func() { Check(f, df, x, WithContext(done)) }); r != ErrCanceled {
		t.Errorf("Check with a done context: panic %v", r)
	}
	if r := canceled(func() { Newton(func(x float64) float64 { return x*x - 2 }, 1.0, WithContext(done)) }); r != ErrCanceled {
		t.Errorf("Newton with a done context: panic %v", r)
	}
}

func TestNewtonDoublesDigits(t *testing.T) {
	// Newton on x² - 2 from 1: the correct digits of √2 double each step.
	r := Newton(func(x float64) float64 { return x*x - 2 }, 1.0)
	if !r.Converged || math.Abs(r.X.(float64)-math.Sqrt2) > 1e-14 {
		t.Fatalf("Newton: %v", r)
	}
	correct := func(x any) float64 { return -math.Log10(math.Abs(x.(float64)-math.Sqrt2) / math.Sqrt2) }
	for k := 1; k+1 < len(r.Steps); k++ {
		if d, next := correct(r.Steps[k].X), correct(r.Steps[k+1].X); d < 6 && next < 1.8*d {
			t.Errorf("step %d: %.1f correct digits, then %.1f: not quadratic", k, d, next)
		}
	}
}

func TestNewtonOnASystem(t *testing.T) {
	// x² + y² = 4 and x = y: the root (√2, √2) from (1, 2), with and without a Jacobian.
	f := func(p []float64) []float64 { return []float64{p[0]*p[0] + p[1]*p[1] - 4, p[0] - p[1]} }
	jac := func(p []float64) *mat.Dense { return mat.NewDense(2, 2, []float64{2 * p[0], 2 * p[1], 1, -1}) }
	for _, r := range []*NewtonResult{Newton(f, []float64{1, 2}), Newton(f, []float64{1, 2}, WithJacobian(jac))} {
		x := r.X.([]float64)
		if !r.Converged || math.Abs(x[0]-math.Sqrt2) > 1e-12 || math.Abs(x[1]-math.Sqrt2) > 1e-12 {
			t.Errorf("root %v (%s)", x, r.Reason)
		}
	}
	if r := Newton(f, []float64{1, 2}, MaxIterations(1)); r.Converged || len(r.Steps) != 2 {
		t.Errorf("one iteration allowed: %v", r)
	}
}

func TestNewtonMin(t *testing.T) {
	// f = 2x² + 3y² - xy + x: ∇f = (4x - y + 1, 6y - x) = 0 at (-6/23, -1/23); f is
	// quadratic, so one Newton step lands there.
	f := func(p []float64) float64 { x, y := p[0], p[1]; return 2*x*x + 3*y*y - x*y + x }
	r := NewtonMin(f, []float64{1, 1})
	x := r.X.([]float64)
	if !r.Converged || math.Abs(x[0]+6.0/23) > 1e-9 || math.Abs(x[1]+1.0/23) > 1e-9 {
		t.Errorf("NewtonMin: %v", r)
	}
	if len(r.Steps) > 3 {
		t.Errorf("a quadratic needs one step, took %d", len(r.Steps)-1)
	}
}

func TestCheck(t *testing.T) {
	sq := func(a *mat.Dense) *mat.Dense { return mul(a, a) }
	right := func(a, da *mat.Dense) *mat.Dense { var s mat.Dense; s.Add(mul(da, a), mul(a, da)); return &s }
	wrong := func(a, da *mat.Dense) *mat.Dense { var s mat.Dense; s.Scale(2, mul(a, da)); return &s }
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	if r := Check(sq, right, a); !r.OK {
		t.Errorf("dA A + A dA is right:\n%v", r)
	}
	if r := Check(sq, wrong, a); r.OK {
		t.Errorf("2 A dA is wrong:\n%v", r)
	}
	// For the right derivative the error falls like h: 1e-1 -> 1e-3 loses about 2 orders.
	r := Check(sq, right, a)
	if ratio := r.Steps[2].RelErr / r.Steps[0].RelErr; ratio > 0.05 {
		t.Errorf("relative error fell only by %g from h = 0.1 to h = 0.001", ratio)
	}
}

// Hessians of functions of many variables, against their closed forms: the chained
// quartic of bench/matcalc, f(x) = Σ (x_{i+1} - x_i²)² + 0.01 x_i², whose Hessian is
// tridiagonal (H_ii = -4 r_i + 8 x_i² + 0.02 + 2 [i > 0], r_i = x_{i+1} - x_i², and
// H_i,i+1 = -4 x_i), and log Σ exp(x_i), whose Hessian is diag(p) - p pᵀ with p the
// softmax of x. (With many more variables log-sum-exp is no longer well scaled: its
// Hessian's entries shrink like 1/n while f grows like log n, and round-off takes digits.)
func TestHessianOfManyVariables(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{20, 30, 100} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 2*r.Float64() - 1
		}
		quartic := func(x []float64) float64 {
			s := 0.0
			for i := 0; i < len(x)-1; i++ {
				s += (x[i+1]-x[i]*x[i])*(x[i+1]-x[i]*x[i]) + 0.01*x[i]*x[i]
			}
			return s
		}
		want := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			if i < n-1 {
				ri := x[i+1] - x[i]*x[i]
				want.Set(i, i, -4*ri+8*x[i]*x[i]+0.02)
				want.Set(i, i+1, -4*x[i])
				want.Set(i+1, i, -4*x[i])
			}
			if i > 0 {
				want.Set(i, i, want.At(i, i)+2)
			}
		}
		if d := digits(Hessian(quartic, x), want); d < secondDigits {
			t.Errorf("chained quartic, n = %d: %.1f correct digits", n, d)
		}

		if n > 30 {
			continue
		}
		logSumExp := func(x []float64) float64 {
			s := 0.0
			for _, v := range x {
				s += math.Exp(v)
			}
			return math.Log(s)
		}
		p := make([]float64, n)
		sum := 0.0
		for i, v := range x {
			p[i] = math.Exp(v)
			sum += p[i]
		}
		want = mat.NewDense(n, n, nil)
		for i := range p {
			p[i] /= sum
		}
		for i := range p {
			for j := range p {
				want.Set(i, j, -p[i]*p[j])
			}
			want.Set(i, i, want.At(i, i)+p[i])
		}
		if d := digits(Hessian(logSumExp, x), want); d < secondDigits {
			t.Errorf("log-sum-exp, n = %d: %.1f correct digits", n, d)
		}
	}
}

// Near the edge of f's domain, where a step along every coordinate at once leaves it, the
// Hessian is still right: f(x) = Σ log(1 + x_i) has H = diag(-1/(1 + x_i)²).
func TestHessianNearTheEdgeOfTheDomain(t *testing.T) {
	n := 20
	x := make([]float64, n)
	want := mat.NewDense(n, n, nil)
	for i := range x {
		x[i] = 0.3
		if i%4 == 0 {
			x[i] = -0.88
		}
		want.Set(i, i, -1/((1+x[i])*(1+x[i])))
	}
	f := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += math.Log(1 + v)
		}
		return s
	}
	if d := digits(Hessian(f, x), want); d < secondDigits {
		t.Errorf("%.1f correct digits", d)
	}
}
