package matcalc

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Bilinear is a bilinear form B[u, v], linear in each of two directions u and v: the
// second derivative f”(x) that D2 returns, or a form a user builds with NewBilinear or
// BilinearFunc.
type Bilinear struct {
	in, out shape
	apply   func(u, v []float64) ([]float64, float64)
	// Err is the error estimate of the last Apply or Matrix, in the max norm.
	Err float64
	// Accuracy is what is known of the error of the last Apply or Matrix of a second
	// derivative (a form built from a matrix or a func is exact).
	Accuracy Accuracy
	fn       *function // of a second derivative; nil for a form built from a matrix or a func
	matrix   func() (*mat.Dense, float64)
	name     string
	sym      *mat.SymDense // the matrix, once computed
	symAcc   Accuracy
}

// D2 returns the second derivative f”(x): the symmetric bilinear form with
// f'(x + dx')[dx] - f'(x)[dx] = f”(x)[dx', dx] to first order in dx'. Its results are
// checked as D's are.
func D2(f, x any, opts ...Option) *Bilinear { return newSecond("D2", f, x, opts) }

// newSecond is D2 for the call name.
func newSecond(name string, f, x any, opts []Option) *Bilinear {
	fn, xv := newFunction(name, f, x, opts)
	fn.requireForward()
	b := &Bilinear{in: fn.in, out: fn.out, name: name, fn: fn}
	b.apply = func(u, v []float64) ([]float64, float64) {
		if ts, ok := fn.forward(xv, fn.fx, [][]float64{u, v}, true); ok {
			out := make([]float64, len(ts))
			for i, t := range ts {
				out[i] = t.Second(0, 1)
			}
			b.Accuracy = exactAccuracy()
			return out, 0
		}
		h := math.Min(fn.firstStep(xv, u), fn.firstStep(xv, v))
		if h == 0 {
			return make([]float64, fn.out.size()), 0
		}
		diff := func(h float64) ([]float64, float64, error) { return mixed(fn, xv, u, v, h) }
		e := extrapolation{diff: diff, order: 2, gain: 1, h0: h, aim: secondOrderAim,
			fx: maxAbs(fn.fx), scale: math.Max(xScale(xv, u), xScale(xv, v)), noisiness: fn.noisinessAlong(xv, fn.fx, u)}.run()
		b.Accuracy = fn.verdict("the second derivative along u and v", e)
		return e.value, b.Accuracy.Err
	}
	b.matrix = func() (*mat.Dense, float64) {
		if fn.out.size() != 1 {
			panic(fmt.Sprintf("matcalc: %s: Matrix needs a scalar f, f returns %v", fn.name, fn.out))
		}
		if h, ok := fn.exactHessian(xv, fn.fx); ok {
			b.Accuracy = exactAccuracy()
			return h, 0
		}
		h, e := hessian(fn, xv)
		b.Accuracy = fn.verdict("the Hessian", e)
		return h, b.Accuracy.Err
	}
	return b
}

// mixed is the second difference
// (f(x+hu+hv) - f(x+hu-hv) - f(x-hu+hv) + f(x-hu-hv)) / 4h², whose error is a series in h²,
// and the largest |f| it used.
func mixed(fn *function, x, u, v []float64, h float64) ([]float64, float64, error) {
	var ys [4][]float64
	for k, s := range [4][2]float64{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
		y, err := fn.at(axpy(axpy(x, s[0]*h, u), s[1]*h, v))
		if err != nil {
			return nil, 0, fmt.Errorf("at x %+.3g·u %+.3g·v: %w", s[0]*h, s[1]*h, err)
		}
		ys[k] = y
	}
	big := 0.0
	out := ys[0]
	for i := range out {
		big = max(big, math.Abs(ys[0][i]), math.Abs(ys[1][i]), math.Abs(ys[2][i]), math.Abs(ys[3][i]))
		out[i] = (ys[0][i] - ys[1][i] - ys[2][i] + ys[3][i]) / (4 * h * h)
	}
	return out, big, nil
}

// hessian extrapolates all second differences of f at x at once. With the values
// f(x), f(x ± h e_i) shared by all entries,
//
//	H_ii ≈ (f(x+he_i) - 2f(x) + f(x-he_i)) / h²
//	H_ij ≈ (f(x+he_i+he_j) - f(x+he_i) - f(x+he_j) + 2f(x) - f(x-he_i) - f(x-he_j) + f(x-he_i-he_j)) / 2h²
//
// both with errors in even powers of h, so each level of the extrapolation costs about n²
// evaluations of f rather than the 2n² of a four-point formula per entry.
func hessian(fn *function, x []float64) (*mat.Dense, estimate) {
	n := fn.in.size()
	f0 := fn.eval(x)[0]
	diff := func(h float64) ([]float64, float64, error) {
		at := func(a float64, i, j int, b float64) (float64, error) {
			y, err := fn.at(axis(x, a, i, j, b))
			if err != nil {
				return 0, fmt.Errorf("at x %+.3g·e%d: %w", a, i+1, err)
			}
			return y[0], nil
		}
		big := math.Abs(f0)
		plus, minus := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			var err error
			if plus[i], err = at(h, i, -1, 0); err != nil {
				return nil, 0, err
			}
			if minus[i], err = at(-h, i, -1, 0); err != nil {
				return nil, 0, err
			}
			big = max(big, math.Abs(plus[i]), math.Abs(minus[i]))
		}
		out := make([]float64, 0, n*(n+1)/2)
		for i := 0; i < n; i++ {
			out = append(out, (plus[i]-2*f0+minus[i])/(h*h))
			for j := i + 1; j < n; j++ {
				pp, err := at(h, i, j, h)
				if err != nil {
					return nil, 0, err
				}
				mm, err := at(-h, i, j, -h)
				if err != nil {
					return nil, 0, err
				}
				big = max(big, math.Abs(pp), math.Abs(mm))
				out = append(out, (pp-plus[i]-plus[j]+2*f0-minus[i]-minus[j]+mm)/(2*h*h))
			}
		}
		return out, big, nil
	}
	var check func([]float64) (float64, bool)
	if n >= projectionMinN {
		check = projectionCheck(fn, x, secondOrderAim)
	}
	// Each entry's formula has coefficients of size 4/h² in all.
	e := extrapolation{diff: diff, order: 2, gain: 4, h0: fn.firstStep(x, unitVectors(1)[0]), aim: secondOrderAim,
		fx: math.Abs(f0), scale: xScale(x, unitVectors(1)[0]), check: check, noisiness: fn.noisinessAlong(x, []float64{f0}, ones(n))}.run()
	h := mat.NewDense(n, n, nil)
	if e.value == nil {
		return h, e
	}
	k := 0
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			h.Set(i, j, e.value[k])
			h.Set(j, i, e.value[k])
			k++
		}
	}
	return h, e
}

// projectionMinN is the number of variables from which hessian checks its extrapolation
// by projections: a level of the tableau costs n² + n + 1 calls of f, a check about a
// hundred.
const projectionMinN = 20

// projectionCheck vouches for a Hessian estimate (hessian's packed upper triangle) by
// comparing uᵀHv, for three fixed pseudo-random Gaussian directions u and v, with the same
// number extrapolated on its own from the four-point second difference along u and v.
// For Gaussian directions uᵀEv is about the Frobenius norm of the error E, a bound on its
// largest entry: the largest disagreement (plus the reference's own error) is the error
// estimate, and the check passes when it is below tol relative to H. A level of the
// tableau is then saved: its own estimate needs a third level.
func projectionCheck(fn *function, x []float64, tol float64) func([]float64) (float64, bool) {
	type probe struct {
		u, v      []float64
		want, err float64
	}
	var probes []probe // made at the first check
	failed := false
	n := len(x)
	makeProbes := func() {
		r := rand.New(rand.NewPCG(1, 2))
		for k := 0; k < 3; k++ {
			u, v := make([]float64, n), make([]float64, n)
			for i := range u {
				u[i], v[i] = r.NormFloat64(), r.NormFloat64()
			}
			h := math.Min(fn.firstStep(x, u), fn.firstStep(x, v))
			diff := func(h float64) ([]float64, float64, error) { return mixed(fn, x, u, v, h) }
			e := extrapolation{diff: diff, order: 2, gain: 1, h0: h, aim: tol}.run()
			// The probes move every coordinate at once: where they do not settle (f not
			// finite there, a kink), the check stands aside and the tableau goes on.
			if e.value == nil {
				failed = true
				return
			}
			probes = append(probes, probe{u, v, e.value[0], e.err})
		}
	}
	return func(packed []float64) (float64, bool) {
		if probes == nil && !failed {
			makeProbes()
		}
		if failed {
			return 0, false
		}
		worst := 0.0
		for _, p := range probes {
			worst = math.Max(worst, math.Abs(packedForm(packed, n, p.u, p.v)-p.want)+p.err)
		}
		return worst, worst <= tol*maxAbs(packed)
	}
}

// packedForm is uᵀHv for the symmetric H whose upper triangle is packed row by row.
func packedForm(packed []float64, n int, u, v []float64) float64 {
	s, k := 0.0, 0
	for i := 0; i < n; i++ {
		s += packed[k] * u[i] * v[i]
		k++
		for j := i + 1; j < n; j++ {
			s += packed[k] * (u[i]*v[j] + u[j]*v[i])
			k++
		}
	}
	return s
}

// axis returns x + a e_i + b e_j (j < 0: x + a e_i).
func axis(x []float64, a float64, i, j int, b float64) []float64 {
	out := append([]float64(nil), x...)
	out[i] += a
	if j >= 0 {
		out[j] += b
	}
	return out
}

// Apply returns B[u, v], of f's output kind for a second derivative (a float64 for a form
// built from a matrix or a func).
func (b *Bilinear) Apply(u, v any) any {
	uv, vv := b.direction("u", u), b.direction("v", v)
	r, err := b.apply(uv, vv)
	if b.fn == nil {
		b.Accuracy = Accuracy{Err: err, Digits: 15}
	}
	b.Err = err
	return b.out.point(r)
}

func (b *Bilinear) direction(what string, d any) []float64 {
	v, s, err := vec(d)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: %s: %v", b.name, what, err))
	}
	if s.size() != b.in.size() {
		panic(fmt.Sprintf("matcalc: %s: %s is %v, want %d coordinates (%v)", b.name, what, s, b.in.size(), b.in))
	}
	return v
}

// Matrix returns the matrix of a scalar form in vec coordinates: B[u, v] = uᵀ M v. For
// the second derivative of f: Rⁿ → R it is the Hessian. A form that is not symmetric gives
// its symmetric part (M + Mᵀ)/2, which is what B[u, u] sees.
func (b *Bilinear) Matrix() *mat.SymDense {
	// Computed once: showing a form asks for its matrix in several forms.
	if b.sym == nil {
		m, err := b.matrix()
		n, _ := m.Dims()
		b.sym = mat.NewSymDense(n, nil)
		b.symAcc = b.Accuracy
		if b.fn == nil {
			b.symAcc = Accuracy{Err: err, Digits: 15}
		}
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				b.sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
			}
		}
	}
	b.Accuracy, b.Err = b.symAcc, b.symAcc.Err
	s := mat.NewSymDense(b.in.size(), nil)
	s.CopySym(b.sym)
	if b.fn != nil {
		noted(s, "Hessian", b.Accuracy)
	}
	return s
}

// SymmetryError returns |B[u, v] - B[v, u]| relative to |B[u, v]|, the lecture's numerical
// check that a second derivative is symmetric: it is at the level of Err for a second
// derivative, and large for a form that is not symmetric.
func (b *Bilinear) SymmetryError(u, v any) float64 {
	uv, vv := b.direction("u", u), b.direction("v", v)
	a, _ := b.apply(uv, vv)
	c, _ := b.apply(vv, uv)
	return maxDiff(a, c) / math.Max(maxAbs(a), math.SmallestNonzeroFloat64)
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// NewBilinear returns the form B[u, v] = uᵀ M v of a square matrix M; u and v are
// directions with as many coordinates as M has rows.
func NewBilinear(m mat.Matrix) *Bilinear {
	r, c := m.Dims()
	if r != c {
		panic(fmt.Sprintf("matcalc: NewBilinear: M is %d×%d, want a square matrix", r, c))
	}
	dense := mat.DenseCopyOf(m)
	return &Bilinear{
		in: shape{sliceKind, r, 1}, out: shape{scalarKind, 1, 1}, name: "Bilinear",
		apply: func(u, v []float64) ([]float64, float64) {
			return []float64{mat.Inner(mat.NewVecDense(r, u), dense, mat.NewVecDense(r, v))}, 0
		},
		matrix: func() (*mat.Dense, float64) { return dense, 0 },
	}
}

// BilinearFunc returns the form given by f on directions of n coordinates; f should be
// linear in each argument. Its Matrix has entries f(e_i, e_j).
func BilinearFunc(n int, f func(u, v []float64) float64) *Bilinear {
	b := &Bilinear{in: shape{sliceKind, n, 1}, out: shape{scalarKind, 1, 1}, name: "Bilinear"}
	b.apply = func(u, v []float64) ([]float64, float64) { return []float64{f(u, v)}, 0 }
	b.matrix = func() (*mat.Dense, float64) {
		m := mat.NewDense(n, n, nil)
		basis := unitVectors(n)
		for i := range basis {
			for j := range basis {
				m.Set(i, j, f(basis[i], basis[j]))
			}
		}
		return m, 0
	}
	return b
}

// Hessian returns the Hessian of scalar f at x in vec coordinates: D2(f, x).Matrix(),
// n×n for a point of n coordinates. x is a float64, []float64, *mat.VecDense or
// *mat.Dense (its coordinates column by column), and f a func of one argument of x's
// kind (mat.Vector or mat.Matrix also take the matching point) that returns a float64,
// such as func(x []float64) float64 or func(A *mat.Dense) float64.
func Hessian(f, x any, opts ...Option) *mat.SymDense {
	h, _ := HessianAcc(f, x, opts...)
	return h
}

// HessianAcc is Hessian with the accuracy of its result.
func HessianAcc(f, x any, opts ...Option) (*mat.SymDense, Accuracy) {
	b := newSecond("Hessian", f, x, opts)
	h := b.Matrix()
	return h, b.Accuracy
}

// HVP returns the Hessian of scalar f at x times v, of x's kind, without forming the
// Hessian: (H v)_i = f”(x)[e_i, v].
func HVP(f, x, v any, opts ...Option) any {
	hv, _ := HVPAcc(f, x, v, opts...)
	return hv
}

// HVPAcc is HVP with the accuracy of its result.
func HVPAcc(f, x, v any, opts ...Option) (any, Accuracy) {
	fn, xv := newFunction("HVP", f, x, opts)
	fn.requireForward()
	if fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: HVP: f must return a float64, it returns %v", fn.out))
	}
	d := fn.direction("v", v)
	n := fn.in.size()
	if hess, ok := fn.exactHessian(xv, fn.fx); ok {
		var hv mat.VecDense
		hv.MulVec(hess, mat.NewVecDense(n, d))
		acc := exactAccuracy()
		return noted(fn.in.point(hv.RawVector().Data), "Hessian-vector product", acc), acc
	}
	basis := unitVectors(n)
	h := fn.firstStep(xv, d)
	if h == 0 {
		return fn.in.point(make([]float64, n)), fn.verdict("the Hessian-vector product", exact(n))
	}
	diff := func(h float64) ([]float64, float64, error) {
		out, big := make([]float64, n), 0.0
		for i := range basis {
			m, b, err := mixed(fn, xv, basis[i], d, h)
			if err != nil {
				return nil, 0, err
			}
			out[i], big = m[0], max(big, b)
		}
		return out, big, nil
	}
	e := extrapolation{diff: diff, order: 2, gain: 1, h0: math.Min(h, fn.firstStep(xv, basis[0])), aim: secondOrderAim,
		fx: maxAbs(fn.fx), scale: xScale(xv, d), noisiness: fn.noisinessAlong(xv, fn.fx, ones(n))}.run()
	acc := fn.verdict("the Hessian-vector product", e)
	return noted(fn.in.point(e.value), "Hessian-vector product", acc), acc
}
