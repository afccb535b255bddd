package tangent

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// The derivatives of gonum's linear algebra. The first derivatives along each direction
// and the second along each pair are matrices, computed with gonum's own routines: a
// rule costs k (first order) or about k²/2 (second order) of the operation's own
// products or solves for tangents along k directions.

// Mul is the derivative of m.Mul(a, b), the matrix product: da·b + a·db, and at second
// order a_uv b + a_u b_v + a_v b_u + a b_uv.
func (m *Dense) Mul(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ac != br {
		panic(mat.ErrShape)
	}
	pa := partsOf("Mul", entries("Mul", da, ar, ac), ar, ac)
	pb := partsOf("Mul", entries("Mul", db, br, bc), br, bc)
	m.set("Mul", ar, bc, bilinear("Mul", a, pa, b, pb, ar, bc, mul).entries())
}

// Pow is the derivative of m.Pow(a, n), the n-th power of the square a, by the product
// rule on a·a·...·a.
func (m *Dense) Pow(a mat.Matrix, da Matrix, n int) {
	r, c := a.Dims()
	if r != c {
		panic(mat.ErrSquare)
	}
	if n < 0 {
		panic("tangent: Dense.Pow: negative power")
	}
	pa := partsOf("Pow", entries("Pow", da, r, r), r, r)
	if n == 0 || pa == nil {
		m.set("Pow", r, r, nil)
		return
	}
	// p = aʲ with tangent pp, for j = 1..n.
	p, pp := mat.DenseCopyOf(a), pa
	for j := 1; j < n; j++ {
		pp = bilinear("Pow", p, pp, a, pa, r, r, mul)
		p = mul(p, a)
	}
	m.set("Pow", r, r, pp.entries())
}

// MulVec is the derivative of v.MulVec(a, b), the product of a matrix and a vector:
// da·b + a·db.
func (v *VecDense) MulVec(a mat.Matrix, da Matrix, b mat.Vector, db Vector) {
	r, c := a.Dims()
	if b.Len() != c {
		panic(mat.ErrShape)
	}
	pa := partsOf("MulVec", entries("MulVec", da, r, c), r, c)
	pb := partsOf("MulVec", vecEntries("MulVec", db, c), c, 1)
	v.set("MulVec", r, bilinear("MulVec", a, pa, column(b), pb, r, 1, mul).entries())
}

// column returns b as a column matrix.
func column(b mat.Vector) mat.Matrix {
	if c, ok := b.(*mat.VecDense); ok {
		return c
	}
	n := b.Len()
	c := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		c.SetVec(i, b.AtVec(i))
	}
	return c
}

// singular reports whether err is gonum's verdict on an exactly singular matrix.
func singular(err error) bool {
	var c mat.Condition
	return errors.As(err, &c) && math.IsInf(float64(c), 1) || errors.Is(err, mat.ErrSingular)
}

// Inverse is the derivative of m.Inverse(a): with X = a⁻¹, -X da X, and at second order
// X (a_u X a_v + a_v X a_u - a_uv) X. It returns the error m.Inverse(a) returns; for a
// singular a, whose inverse has no derivative, m is left zero.
func (m *Dense) Inverse(a mat.Matrix, da Matrix) error {
	r, c := a.Dims()
	if r != c {
		panic(mat.ErrSquare)
	}
	var x mat.Dense
	err := x.Inverse(a)
	pa := partsOf("Inverse", entries("Inverse", da, r, r), r, r)
	if singular(err) || pa == nil {
		m.set("Inverse", r, r, nil)
		return err
	}
	// y_u = X a_u: X_u = -y_u X, X_uv = (y_u y_v + y_v y_u - X a_uv) X.
	k := pa.k
	y := make([]*mat.Dense, k)
	res := newParts(r, r, k, pa.order2)
	for u, au := range pa.first {
		if au == nil {
			continue
		}
		y[u] = mul(&x, au)
		res.first[u] = mul(y[u], &x)
		res.first[u].Scale(-1, res.first[u])
	}
	if pa.order2 {
		for u := 0; u < k; u++ {
			for w := 0; w <= u; w++ {
				s := packed(u) + w
				var z *mat.Dense
				if y[u] != nil && y[w] != nil {
					z = mul(y[u], y[w])
					if u == w {
						z.Scale(2, z)
					} else {
						z.Add(z, mul(y[w], y[u]))
					}
				}
				if auw := pa.second[s]; auw != nil {
					xa := mul(&x, auw)
					if z == nil {
						xa.Scale(-1, xa)
						z = xa
					} else {
						z.Sub(z, xa)
					}
				}
				if z != nil {
					res.second[s] = mul(z, &x)
				}
			}
		}
	}
	m.set("Inverse", r, r, res.entries())
	return err
}

// Solve is the derivative of m.Solve(a, b), X = a⁻¹b for a square a:
// dX = a⁻¹(db - da X), and at second order X_uv = a⁻¹(b_uv - a_uv X - a_u X_v - a_v X_u).
// For a non-square a (a least-squares solution) only db may be non-zero: a's derivative
// there panics with a NoRule. It returns the error m.Solve(a, b) returns; for a singular
// a, m is left zero.
func (m *Dense) Solve(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) error {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br {
		panic(mat.ErrShape)
	}
	pa := partsOf("Solve", entries("Solve", da, ar, ac), ar, ac)
	pb := partsOf("Solve", entries("Solve", db, br, bc), br, bc)
	res, err := solve("Solve", a, pa, b, pb)
	m.set("Solve", ac, bc, res.entries())
	return err
}

// SolveVec is the derivative of v.SolveVec(a, b), as Dense.Solve for a vector b.
func (v *VecDense) SolveVec(a mat.Matrix, da Matrix, b mat.Vector, db Vector) error {
	ar, ac := a.Dims()
	n := b.Len()
	if ar != n {
		panic(mat.ErrShape)
	}
	pa := partsOf("SolveVec", entries("SolveVec", da, ar, ac), ar, ac)
	pb := partsOf("SolveVec", vecEntries("SolveVec", db, n), n, 1)
	res, err := solve("SolveVec", a, pa, column(b), pb)
	v.set("SolveVec", ac, res.entries())
	return err
}

// solve is the tangent of X = a⁻¹b, and the error of solving for X.
func solve(rule string, a mat.Matrix, pa *parts, b mat.Matrix, pb *parts) (*parts, error) {
	ar, ac := a.Dims()
	_, bc := b.Dims()
	var x mat.Dense
	err := x.Solve(a, b)
	if singular(err) || pa == nil && pb == nil {
		return nil, err
	}
	k, order2 := agree(rule, pa, pb)
	// solveBy returns a⁻¹ rhs.
	var solveBy func(rhs *mat.Dense) *mat.Dense
	if ar == ac {
		var lu mat.LU
		lu.Factorize(a)
		solveBy = func(rhs *mat.Dense) *mat.Dense {
			var y mat.Dense
			lu.SolveTo(&y, false, rhs)
			return &y
		}
	} else {
		if pa != nil {
			panic(NoRule{fmt.Sprintf("mat.%s with a non-square %d×%d matrix (least squares) has no derivative rule for the matrix", rule, ar, ac)})
		}
		solveBy = func(rhs *mat.Dense) *mat.Dense {
			var y mat.Dense
			y.Solve(a, rhs)
			return &y
		}
	}
	var af, as, bf, bs []*mat.Dense
	if pa != nil {
		af, as = pa.first, pa.second
	}
	if pb != nil {
		bf, bs = pb.first, pb.second
	}
	res := newParts(ac, bc, k, order2)
	// rhs_u = b_u - a_u X.
	sub := func(dst **mat.Dense, am, xm *mat.Dense) {
		if am == nil || xm == nil {
			return
		}
		t := mul(am, xm)
		if *dst == nil {
			t.Scale(-1, t)
			*dst = t
		} else {
			(*dst).Sub(*dst, t)
		}
	}
	for u := 0; u < k; u++ {
		var rhs *mat.Dense
		if bu := at(bf, u); bu != nil {
			rhs = mat.DenseCopyOf(bu)
		}
		sub(&rhs, at(af, u), &x)
		if rhs != nil {
			res.first[u] = solveBy(rhs)
		}
	}
	if !order2 {
		return res, err
	}
	for u := 0; u < k; u++ {
		for w := 0; w <= u; w++ {
			s := packed(u) + w
			var rhs *mat.Dense
			if buw := at(bs, s); buw != nil {
				rhs = mat.DenseCopyOf(buw)
			}
			sub(&rhs, at(as, s), &x)
			sub(&rhs, at(af, u), res.first[w])
			sub(&rhs, at(af, w), res.first[u])
			if rhs != nil {
				res.second[s] = solveBy(rhs)
			}
		}
	}
	return res, err
}

// Det is the derivative of mat.Det(a): det a · tr(a⁻¹ da), and at second order
// det a · (tr(X a_uv) + tr(X a_u) tr(X a_v) - tr(X a_u X a_v)) with X = a⁻¹. At a
// singular a it panics with a NoRule unless da is zero.
func Det(a mat.Matrix, da Matrix) *T {
	r, c := a.Dims()
	if r != c {
		panic(mat.ErrSquare)
	}
	pa := partsOf("Det", entries("Det", da, r, r), r, r)
	if pa == nil {
		return nil
	}
	det := mat.Det(a)
	var lu mat.LU
	lu.Factorize(a)
	if det == 0 || math.IsInf(lu.Cond(), 1) {
		panic(NoRule{"mat.Det at a singular matrix has no derivative rule"})
	}
	solveBy := func(rhs *mat.Dense) *mat.Dense {
		if rhs == nil {
			return nil
		}
		var y mat.Dense
		lu.SolveTo(&y, false, rhs)
		return &y
	}
	k := pa.k
	y := make([]*mat.Dense, k) // X a_u
	t := make([]float64, k)    // tr(X a_u)
	out := &T{first: make([]float64, k), order2: pa.order2}
	for u, au := range pa.first {
		y[u] = solveBy(au)
		t[u] = trace(y[u])
		out.first[u] = det * t[u]
	}
	if pa.order2 {
		out.second = make([]float64, packed(k))
		for u := 0; u < k; u++ {
			for w := 0; w <= u; w++ {
				s := packed(u) + w
				out.second[s] = det * (trace(solveBy(pa.second[s])) + t[u]*t[w] - traceMul(y[u], y[w]))
			}
		}
	}
	return out
}

// Trace is the derivative of mat.Trace(a): the trace of da.
func Trace(a mat.Matrix, da Matrix) *T {
	r, c := a.Dims()
	if r != c {
		panic(mat.ErrSquare)
	}
	e := entries("Trace", da, r, r)
	var s accum
	for i := 0; e != nil && i < r; i++ {
		s.add("Trace", 1, e[i*r+i])
	}
	return s.result()
}

// Sum is the derivative of mat.Sum(a): the sum of da's entries.
func Sum(a mat.Matrix, da Matrix) *T {
	r, c := a.Dims()
	var s accum
	for _, t := range entries("Sum", da, r, c) {
		s.add("Sum", 1, t)
	}
	return s.result()
}

// Dot is the derivative of mat.Dot(x, y): dxᵀy + xᵀdy, and at second order
// x_uvᵀy + x_uᵀy_v + x_vᵀy_u + xᵀy_uv.
func Dot(x mat.Vector, dx Vector, y mat.Vector, dy Vector) *T {
	n := x.Len()
	if y.Len() != n {
		panic(mat.ErrShape)
	}
	ex, ey := vecEntries("Dot", dx, n), vecEntries("Dot", dy, n)
	if ex == nil && ey == nil {
		return nil
	}
	var s accum
	for i := 0; i < n; i++ {
		var a, b *T
		if ex != nil {
			a = ex[i]
		}
		if ey != nil {
			b = ey[i]
		}
		s.addMul("Dot", x.AtVec(i), a, y.AtVec(i), b)
	}
	return s.result()
}

// Inner is the derivative of mat.Inner(x, a, y), xᵀ a y, by the product rule on its three
// factors.
func Inner(x mat.Vector, dx Vector, a mat.Matrix, da Matrix, y mat.Vector, dy Vector) *T {
	r, c := a.Dims()
	if x.Len() != r || y.Len() != c {
		panic(mat.ErrShape)
	}
	var ay mat.VecDense
	var day VecDense
	day.MulVec(a, da, y, dy)
	ay.MulVec(a, y)
	return Dot(x, dx, &ay, &day)
}

// Norm is the derivative of mat.Norm(a, 2), the Euclidean norm of a vector and the
// Frobenius norm of a matrix: ⟨a, da⟩/‖a‖. At a = 0 it panics with a NotDifferentiable
// unless da is zero; the other norms panic with a NoRule.
func Norm(a mat.Matrix, da Matrix, norm float64) *T {
	if norm != 2 {
		panic(NoRule{fmt.Sprintf("mat.Norm with norm %v has no derivative rule (only 2 has)", norm)})
	}
	r, c := a.Dims()
	e := entries("Norm", da, r, c)
	if e == nil {
		return nil
	}
	nrm := mat.Norm(a, 2)
	if nrm == 0 {
		for _, t := range e {
			if !isZero(t) {
				panic(NotDifferentiable{"mat.Norm at 0"})
			}
		}
		return nil
	}
	// ‖a‖ = √s with s = Σ a_ij².
	var s accum
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j)
			s.addMul("Norm", v, e[i*c+j], v, e[i*c+j])
		}
	}
	ds := s.result()
	d1 := 0.5 / nrm
	return Unary(ds, d1, -0.5*d1/(nrm*nrm))
}

// EigenSym is the derivative of a mat.EigenSym: the derivatives of the eigenvalues of a
// symmetric matrix. Its zero value is ready to Factorize.
type EigenSym struct {
	values []*T
	ok     bool
}

// Factorize is the derivative of e.Factorize(a, vectors), whose result it returns: with
// λᵢ the eigenvalues in ascending order and vᵢ their unit eigenvectors,
// dλᵢ = vᵢᵀ da vᵢ, and at second order
//
//	λᵢ_uv = vᵢᵀ a_uv vᵢ + 2 Σ_{j≠i} (vᵢᵀ a_u vⱼ)(vⱼᵀ a_v vᵢ)/(λᵢ - λⱼ).
//
// da is read as a symmetric matrix, from its upper triangle, as gonum reads a. The
// eigenvalues of a matrix with a repeated eigenvalue are not differentiable there: where
// two eigenvalues agree to rounding and da is not zero, Factorize panics with a
// NotDifferentiable. vectors is ignored: the eigenvectors' derivatives are not built.
func (e *EigenSym) Factorize(a mat.Symmetric, da Matrix, vectors bool) bool {
	n := a.SymmetricDim()
	e.values, e.ok = nil, false
	var es mat.EigenSym
	if !es.Factorize(a, true) {
		return false
	}
	e.ok = true
	e.values = make([]*T, n)
	ea := entries("EigenSym", da, n, n)
	if ea == nil {
		return true
	}
	sym := make([]*T, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			sym[i*n+j], sym[j*n+i] = ea[i*n+j], ea[i*n+j]
		}
	}
	pa := partsOf("EigenSym", sym, n, n)
	if pa == nil {
		return true
	}
	lambda := es.Values(nil)
	scale := math.Max(math.Abs(lambda[0]), math.Abs(lambda[n-1]))
	for i := 1; i < n; i++ {
		if lambda[i]-lambda[i-1] <= 8*float64(n)*eps*scale {
			panic(NotDifferentiable{fmt.Sprintf("mat.EigenSym at a repeated eigenvalue (%v)", lambda[i])})
		}
	}
	var v mat.Dense
	es.VectorsTo(&v)
	// mu = Vᵀ a_u V: its diagonal holds the first derivatives.
	k := pa.k
	mu := make([]*mat.Dense, k)
	for u, au := range pa.first {
		if au != nil {
			mu[u] = mul(v.T(), mul(au, &v))
		}
	}
	for i := 0; i < n; i++ {
		t := &T{first: make([]float64, k), order2: pa.order2}
		for u := range mu {
			if mu[u] != nil {
				t.first[u] = mu[u].At(i, i)
			}
		}
		e.values[i] = t
	}
	if !pa.order2 {
		return true
	}
	for i := range e.values {
		e.values[i].second = make([]float64, packed(k))
	}
	for u := 0; u < k; u++ {
		for w := 0; w <= u; w++ {
			s := packed(u) + w
			var vav *mat.Dense
			if auw := pa.second[s]; auw != nil {
				vav = mul(v.T(), mul(auw, &v))
			}
			for i := 0; i < n; i++ {
				h := 0.0
				if vav != nil {
					h = vav.At(i, i)
				}
				if mu[u] != nil && mu[w] != nil {
					sum := 0.0
					for j := 0; j < n; j++ {
						if j != i {
							sum += mu[u].At(i, j) * mu[w].At(j, i) / (lambda[i] - lambda[j])
						}
					}
					h += 2 * sum
				}
				e.values[i].second[s] = h
			}
		}
	}
	return true
}

// eps is the machine epsilon, 2⁻⁵².
const eps = 0x1p-52

// Values returns the derivatives of the eigenvalues in ascending order, as
// mat.EigenSym.Values returns them; nil before a successful Factorize.
func (e *EigenSym) Values() []*T {
	if !e.ok {
		return nil
	}
	return append([]*T(nil), e.values...)
}
