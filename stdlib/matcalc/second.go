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
	Err    float64
	matrix func() (*mat.Dense, float64)
	name   string
	sym    *mat.SymDense // the matrix, once computed
	symErr float64
}

// D2 returns the second derivative f”(x): the symmetric bilinear form with
// f'(x + dx')[dx] - f'(x)[dx] = f”(x)[dx', dx] to first order in dx'.
func D2(f, x any) *Bilinear {
	fn, xv := newFunction("D2", f, x)
	b := &Bilinear{in: fn.in, out: fn.out, name: "D2"}
	b.apply = func(u, v []float64) ([]float64, float64) {
		h := math.Min(step(xv, u), step(xv, v))
		if h == 0 {
			return make([]float64, fn.out.size()), 0
		}
		return ridders(func(h float64) []float64 { return mixed(fn, xv, u, v, h) }, h, secondOrderTol)
	}
	b.matrix = func() (*mat.Dense, float64) {
		if fn.out.size() != 1 {
			panic(fmt.Sprintf("matcalc: D2: Matrix needs a scalar f, f returns %v", fn.out))
		}
		return hessian(fn, xv)
	}
	return b
}

// mixed is the second difference
// (f(x+hu+hv) - f(x+hu-hv) - f(x-hu+hv) + f(x-hu-hv)) / 4h², whose error is a series in h².
func mixed(fn *function, x, u, v []float64, h float64) []float64 {
	pp := fn.eval(axpy(axpy(x, h, u), h, v))
	pm := fn.eval(axpy(axpy(x, h, u), -h, v))
	mp := fn.eval(axpy(axpy(x, -h, u), h, v))
	mm := fn.eval(axpy(axpy(x, -h, u), -h, v))
	for i := range pp {
		pp[i] = (pp[i] - pm[i] - mp[i] + mm[i]) / (4 * h * h)
	}
	return pp
}

// hessian extrapolates all second differences of f at x at once. With the values
// f(x), f(x ± h e_i) shared by all entries,
//
//	H_ii ≈ (f(x+he_i) - 2f(x) + f(x-he_i)) / h²
//	H_ij ≈ (f(x+he_i+he_j) - f(x+he_i) - f(x+he_j) + 2f(x) - f(x-he_i) - f(x-he_j) + f(x-he_i-he_j)) / 2h²
//
// both with errors in even powers of h, so each level of the extrapolation costs about n²
// evaluations of f rather than the 2n² of a four-point formula per entry.
func hessian(fn *function, x []float64) (*mat.Dense, float64) {
	n := fn.in.size()
	est := func(h float64) []float64 {
		f0 := fn.eval(x)[0]
		plus, minus := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			plus[i] = fn.eval(axis(x, h, i, -1, 0))[0]
			minus[i] = fn.eval(axis(x, -h, i, -1, 0))[0]
		}
		out := make([]float64, 0, n*(n+1)/2)
		for i := 0; i < n; i++ {
			out = append(out, (plus[i]-2*f0+minus[i])/(h*h))
			for j := i + 1; j < n; j++ {
				pp := fn.eval(axis(x, h, i, j, h))[0]
				mm := fn.eval(axis(x, -h, i, j, -h))[0]
				out = append(out, (pp-plus[i]-plus[j]+2*f0-minus[i]-minus[j]+mm)/(2*h*h))
			}
		}
		return out
	}
	var check func([]float64) (float64, bool)
	if n >= projectionMinN {
		check = projectionCheck(fn, x, secondOrderTol)
	}
	v, err := riddersChecked(est, step(x, unitVectors(1)[0]), secondOrderTol, check)
	h := mat.NewDense(n, n, nil)
	k := 0
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			h.Set(i, j, v[k])
			h.Set(j, i, v[k])
			k++
		}
	}
	return h, err
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
		// The probes move every coordinate at once: where f fails there (not finite, a
		// panic of its own), the check stands aside and the tableau goes on.
		defer func() {
			if r := recover(); r != nil {
				if r == ErrCanceled {
					panic(r)
				}
				failed = true
			}
		}()
		r := rand.New(rand.NewPCG(1, 2))
		for k := 0; k < 3; k++ {
			u, v := make([]float64, n), make([]float64, n)
			for i := range u {
				u[i], v[i] = r.NormFloat64(), r.NormFloat64()
			}
			h := math.Min(step(x, u), step(x, v))
			want, err := ridders(func(h float64) []float64 { return mixed(fn, x, u, v, h) }, h, tol)
			probes = append(probes, probe{u, v, want[0], err})
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
		b.sym, b.symErr = mat.NewSymDense(n, nil), err
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				b.sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
			}
		}
	}
	b.Err = b.symErr
	s := mat.NewSymDense(b.in.size(), nil)
	s.CopySym(b.sym)
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

// Hessian returns the Hessian of scalar f at x in vec coordinates: D2(f, x).Matrix().
func Hessian(f, x any) *mat.SymDense {
	return D2(f, x).Matrix()
}

// HVP returns the Hessian of scalar f at x times v, of x's kind, without forming the
// Hessian: (H v)_i = f”(x)[e_i, v].
func HVP(f, x, v any) any {
	fn, xv := newFunction("HVP", f, x)
	if fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: HVP: f must return a float64, it returns %v", fn.out))
	}
	d := fn.direction("v", v)
	n := fn.in.size()
	basis := unitVectors(n)
	h := step(xv, d)
	if h == 0 {
		return fn.in.point(make([]float64, n))
	}
	est := func(h float64) []float64 {
		out := make([]float64, n)
		for i := range basis {
			out[i] = mixed(fn, xv, basis[i], d, h)[0]
		}
		return out
	}
	r, _ := ridders(est, math.Min(h, step(xv, basis[0])), secondOrderTol)
	return fn.in.point(r)
}
