package matcalc

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc/tangent"
)

// Hand-written tangents of functions of gonum matrices, following the conventions a
// notebook session generates them by: every matrix p has its derivative _Δp beside it,
// and a method that writes its receiver is preceded by the same method on the
// derivative, each operand followed by its derivative.

func squareM(a *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.Mul(a, a)
	return &c
}

func squareMTangent(a *mat.Dense, _Δa *tangent.Dense) (*mat.Dense, *tangent.Dense) {
	var c mat.Dense
	var _Δc tangent.Dense
	_Δc.Mul(a, _Δa, a, _Δa)
	c.Mul(a, a)
	return &c, &_Δc
}

// inverseM takes a mat.Matrix, which a *mat.Dense point goes to.
func inverseM(a mat.Matrix) *mat.Dense {
	var x mat.Dense
	if err := x.Inverse(a); err != nil {
		panic(err)
	}
	return &x
}

func inverseMTangent(a mat.Matrix, _Δa tangent.Matrix) (*mat.Dense, *tangent.Dense) {
	var x mat.Dense
	var _Δx tangent.Dense
	_Δx.Inverse(a, _Δa)
	if err := x.Inverse(a); err != nil {
		panic(err)
	}
	return &x, &_Δx
}

func detTangent(a *mat.Dense, _Δa *tangent.Dense) (float64, *tangent.T) {
	return mat.Det(a), tangent.Det(a, _Δa)
}

// quadratic returns f(x) = xᵀAx and its tangent for a constant A.
func quadratic(a *mat.Dense) (func(*mat.VecDense) float64, func(*mat.VecDense, *tangent.VecDense) (float64, *tangent.T)) {
	return func(x *mat.VecDense) float64 { return mat.Inner(x, a, x) },
		func(x *mat.VecDense, _Δx *tangent.VecDense) (float64, *tangent.T) {
			return mat.Inner(x, a, x), tangent.Inner(x, _Δx, a, nil, x, _Δx)
		}
}

// residual returns the assignment's f(x) = ‖Ax - b‖² and its tangent, on mat.Vector.
func residual(a *mat.Dense, b *mat.VecDense) (func(mat.Vector) float64, func(mat.Vector, tangent.Vector) (float64, *tangent.T)) {
	f := func(x mat.Vector) float64 {
		var r mat.VecDense
		r.MulVec(a, x)
		r.SubVec(&r, b)
		return mat.Dot(&r, &r)
	}
	ft := func(x mat.Vector, _Δx tangent.Vector) (float64, *tangent.T) {
		var r mat.VecDense
		var _Δr tangent.VecDense
		_Δr.MulVec(a, nil, x, _Δx)
		r.MulVec(a, x)
		_Δr.SubVec(&r, &_Δr, b, nil)
		r.SubVec(&r, b)
		return mat.Dot(&r, &r), tangent.Dot(&r, &_Δr, &r, &_Δr)
	}
	return f, ft
}

// within checks that got is want to tol relative to want's largest entry.
func within(t *testing.T, what string, got, want mat.Matrix, tol float64) {
	t.Helper()
	if r := matErr(got, want); r > tol {
		t.Errorf("%s: relative error %.2g > %.2g\ngot  %v\nwant %v", what, r, tol, mat.Formatted(got, mat.Squeeze()), mat.Formatted(want, mat.Squeeze()))
	}
}

func TestExactSquare(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, da := wellConditioned(r), randomDense(r, 3, 3)
	f := Exact(squareM, squareMTangent)
	l := D(f, a)
	var want mat.Dense
	want.Add(mul(da, a), mul(a, da))
	within(t, "d(A²)", l.Apply(da).(*mat.Dense), &want, exactTol)
	wantExact(t, "d(A²)", l.Accuracy)
	id := mat.NewDiagDense(3, []float64{1, 1, 1})
	var k1, k2 mat.Dense
	k1.Kronecker(id, a)
	k2.Kronecker(a.T(), id)
	k1.Add(&k1, &k2)
	j, acc := JacobianAcc(f, a)
	wantExact(t, "Jacobian of A²", acc)
	within(t, "Jacobian of A²", j, &k1, exactTol)
	// d²(A²)[U, V] = UV + VU.
	u, v := randomDense(r, 3, 3), randomDense(r, 3, 3)
	var w mat.Dense
	w.Add(mul(u, v), mul(v, u))
	b := D2(f, a)
	within(t, "d²(A²)", b.Apply(u, v).(*mat.Dense), &w, exactTol)
	wantExact(t, "d²(A²)", b.Accuracy)
}

func TestExactInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, da := wellConditioned(r), randomDense(r, 3, 3)
	ai := inverse(a)
	l := D(Exact(inverseM, inverseMTangent), a)
	var want mat.Dense
	want.Scale(-1, mul(ai, da, ai))
	within(t, "d(A⁻¹)", l.Apply(da).(*mat.Dense), &want, exactTol)
	wantExact(t, "d(A⁻¹)", l.Accuracy)
	// d²(A⁻¹)[U, V] = A⁻¹(U A⁻¹ V + V A⁻¹ U)A⁻¹.
	u, v := randomDense(r, 3, 3), randomDense(r, 3, 3)
	var w mat.Dense
	w.Add(mul(ai, u, ai, v, ai), mul(ai, v, ai, u, ai))
	within(t, "d²(A⁻¹)", D2(Exact(inverseM, inverseMTangent), a).Apply(u, v).(*mat.Dense), &w, exactTol)
}

func TestExactDet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := wellConditioned(r)
	f := Exact(det, detTangent)
	ai, d := inverse(a), mat.Det(a)
	g, acc := GradientAcc(f, a)
	wantExact(t, "gradient of det", acc)
	var wg mat.Dense
	wg.Scale(d, ai.T())
	within(t, "gradient of det", g.(*mat.Dense), &wg, exactTol)
	// The Hessian in vec coordinates: for u = (i, j) and v = (k, l),
	// det A (X_ji X_lk - X_li X_jk) with X = A⁻¹.
	h, acc := HessianAcc(f, a)
	wantExact(t, "Hessian of det", acc)
	wh := mat.NewDense(9, 9, nil)
	for u := 0; u < 9; u++ {
		i, j := u%3, u/3
		for v := 0; v < 9; v++ {
			k, l := v%3, v/3
			wh.Set(u, v, d*(ai.At(j, i)*ai.At(l, k)-ai.At(l, i)*ai.At(j, k)))
		}
	}
	within(t, "Hessian of det", h, wh, exactTol)
}

func TestExactQuadraticForm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randomDense(r, 4, 4)
	x := mat.NewVecDense(4, []float64{0.3, -1, 2, 0.5})
	f := Exact(quadratic(a))
	var sum mat.Dense
	sum.Add(a, a.T())
	var want mat.VecDense
	want.MulVec(&sum, x)
	g, acc := GradientAcc(f, x)
	wantExact(t, "gradient of xᵀAx", acc)
	within(t, "gradient of xᵀAx", g.(*mat.VecDense), &want, exactTol)
	h, acc := HessianAcc(f, x)
	wantExact(t, "Hessian of xᵀAx", acc)
	within(t, "Hessian of xᵀAx", h, &sum, exactTol)
	v := mat.NewVecDense(4, []float64{1, 2, -1, 0.5})
	var wantHv mat.VecDense
	wantHv.MulVec(&sum, v)
	within(t, "HVP of xᵀAx", HVP(f, x, v).(*mat.VecDense), &wantHv, exactTol)
}

func TestExactLeastSquares(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	a := randomDense(r, 5, 3)
	b := mat.NewVecDense(5, []float64{1, -2, 0.5, 3, -1})
	x := mat.NewVecDense(3, []float64{0.2, -0.7, 1.1})
	f := Exact(residual(a, b))
	var res mat.VecDense
	res.MulVec(a, x)
	res.SubVec(&res, b)
	// ∇f = 2Aᵀ(Ax - b), ∇²f = 2AᵀA.
	var want mat.VecDense
	want.MulVec(a.T(), &res)
	want.ScaleVec(2, &want)
	g, acc := GradientAcc(f, x)
	wantExact(t, "gradient of ‖Ax - b‖²", acc)
	within(t, "gradient of ‖Ax - b‖²", g.(*mat.VecDense), &want, exactTol)
	var h mat.Dense
	h.Mul(a.T(), a)
	h.Scale(2, &h)
	hess, acc := HessianAcc(f, x)
	wantExact(t, "Hessian of ‖Ax - b‖²", acc)
	within(t, "Hessian of ‖Ax - b‖²", hess, &h, exactTol)
}

// TestExactMatrixResults covers reading results: a vector-valued f, a constant result
// (nil tangent), and tangents that do not agree with f.
func TestExactMatrixResults(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	a := randomDense(r, 3, 2)
	x := mat.NewVecDense(2, []float64{0.5, -1})
	lin := func(x *mat.VecDense) *mat.VecDense {
		var y mat.VecDense
		y.MulVec(a, x)
		return &y
	}
	linT := func(x *mat.VecDense, _Δx *tangent.VecDense) (*mat.VecDense, *tangent.VecDense) {
		var y mat.VecDense
		var _Δy tangent.VecDense
		_Δy.MulVec(a, nil, x, _Δx)
		y.MulVec(a, x)
		return &y, &_Δy
	}
	j, acc := JacobianAcc(Exact(lin, linT), x)
	wantExact(t, "Jacobian of Ax", acc)
	if !mat.Equal(j, a) {
		t.Errorf("Jacobian of Ax: %v", mat.Formatted(j))
	}
	// A constant: its tangent is nil.
	c := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	konst := func(*mat.Dense) *mat.Dense { return mat.DenseCopyOf(c) }
	konstT := func(*mat.Dense, *tangent.Dense) (*mat.Dense, *tangent.Dense) { return mat.DenseCopyOf(c), nil }
	j, acc = JacobianAcc(Exact(konst, konstT), c)
	wantExact(t, "Jacobian of a constant", acc)
	if !mat.Equal(j, mat.NewDense(4, 4, nil)) {
		t.Errorf("Jacobian of a constant: %v", mat.Formatted(j))
	}
	// A derivative of the wrong shape.
	wrong := func(a *mat.Dense, _ *tangent.Dense) (*mat.Dense, *tangent.Dense) {
		return mat.DenseCopyOf(c), tangent.NewDense(1, 4, nil, nil)
	}
	got := panicMessage(func() { Jacobian(Exact(konst, wrong), c) })
	if !strings.HasPrefix(got, "matcalc: Jacobian: f's tangent returned a 1×4 derivative for f's value, a 2×2 *mat.Dense") {
		t.Errorf("wrong shape: %q", got)
	}
	// A value that does not agree with f's.
	off := func(a *mat.Dense, _ *tangent.Dense) (*mat.Dense, *tangent.Dense) { return mat.NewDense(2, 2, nil), nil }
	if _, acc := JacobianAcc(Exact(konst, off), c); acc.Exact || acc.Why != whyMismatch {
		t.Errorf("mismatch: %+v", acc)
	}
	// A tangent that gives up (tangent.NoRule) leaves the derivative numerical.
	_, acc = GradientAcc(Exact(det, func(a *mat.Dense, _Δa *tangent.Dense) (float64, *tangent.T) {
		return mat.Det(a), tangent.Norm(a, _Δa, 1)
	}), mat.NewDense(2, 2, []float64{2, 1, 1, 3}))
	if acc.Exact || acc.Why != "mat.Norm with norm 1 has no derivative rule (only 2 has)" {
		t.Errorf("NoRule: %+v", acc)
	}
	// The eigenvalues of a symmetric matrix at a repeated eigenvalue.
	lmax := func(a *mat.Dense) float64 {
		var e mat.EigenSym
		e.Factorize(mat.NewSymDense(2, a.RawMatrix().Data), false)
		return e.Values(nil)[1]
	}
	lmaxT := func(a *mat.Dense, _Δa *tangent.Dense) (float64, *tangent.T) {
		var e mat.EigenSym
		var _Δe tangent.EigenSym
		s := mat.NewSymDense(2, a.RawMatrix().Data)
		_Δe.Factorize(s, _Δa, false)
		e.Factorize(s, false)
		return e.Values(nil)[1], _Δe.Values()[1]
	}
	got = panicMessage(func() { Gradient(Exact(lmax, lmaxT), mat.NewDense(2, 2, []float64{1, 0, 0, 1})) })
	if got != "matcalc: Gradient: f is not differentiable at x: mat.EigenSym at a repeated eigenvalue (1)" {
		t.Errorf("repeated eigenvalue: %q", got)
	}
	// Away from it: λmax = (a+c)/2 + r of [a b; b c], with d = (a - c)/2 and
	// r = √(d² + b²), has ∂λ/∂a = (1 + d/r)/2, ∂λ/∂c = (1 - d/r)/2 and ∂λ/∂b = b/r. The
	// upper entry (0, 1) is b; the lower one, which a SymDense does not read, has no effect.
	p := mat.NewDense(2, 2, []float64{1.3, -0.4, -0.4, 0.2})
	d, rr := (1.3-0.2)/2, math.Hypot((1.3-0.2)/2, -0.4)
	g := GradientDense(Exact(lmax, lmaxT), p)
	within(t, "gradient of λmax", g, mat.NewDense(2, 2, []float64{(1 + d/rr) / 2, -0.4 / rr, 0, (1 - d/rr) / 2}), exactTol)
}
