package matcalc

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

// The matrix functions below sum their series to machine precision with a fixed number
// of terms rather than to a tolerance: matcalc differentiates them by finite differences,
// which divide their rounding errors by a small step, so they must be smooth functions
// of A down to the last few ulps. Where an algorithm branches (how often to halve A, how
// many square roots to take, whether A is near I), both sides compute the same function
// to rounding, so a branch moves the result by ulps only.

const (
	// logTheta is the distance ‖A − I‖₁ to which Logm takes square roots. Then
	// Z = X(2I + X)⁻¹ has ‖Z‖₁ ≤ 1/3 and logTerms terms of the series of atanh leave a
	// tail below 2e-17·‖Z‖₁. A larger logTheta would save square roots but lengthen the
	// series; a smaller one would lose digits to the cancellation in A^(1/2^k) − I.
	logTheta = 0.5
	logTerms = 16
	// logMaxRoots bounds the square roots Logm takes: ‖A^(1/2^k) − I‖ ≈ ‖log A‖/2^k,
	// so 64 would be needed only by a logarithm of norm 2^63.
	logMaxRoots = 64

	// trigTheta is the norm ‖X‖₁ to which Sinm and Cosm scale A = 2^s X, and trigTerms
	// the number of terms, in X², of their Taylor series: up to X²⁴/24! for cos X and
	// X²⁵/25! for sin X, leaving a first omitted term below 2e-19. Each doubling of the
	// angle can multiply the error by up to 4 where the series sums with little
	// cancellation at this norm, so fewer doublings win: measured on 2×2 to 20×20
	// matrices against closed forms, trigTheta = 1/2 (the textbook choice) gave errors up
	// to 4e-14 and trigTheta = 2 below 6e-15.
	trigTheta = 2
	trigTerms = 13
)

// Sqrtm returns the principal square root of the square matrix a: the unique X with
// X² = A whose eigenvalues all have positive real part. It exists when a has no
// eigenvalue on the closed negative real axis (0 included), and Sqrtm panics otherwise,
// and when a is not square or has an entry that is not finite. A real a has a real
// principal square root. A real eigenvalue within rounding errors of 0 (below
// n·eps·‖A‖₁ in magnitude) counts as 0, so a matrix singular to working precision, such
// as a rank-deficient Gram matrix GGᵀ, panics too, whatever the sign rounding gave it.
//
// Sqrtm uses the real Schur method (Higham, Linear Algebra Appl. 88/89, 1987): A = Q T Qᵀ
// with Q orthogonal and T quasi-triangular, the square roots of T's 1×1 and 2×2 diagonal
// blocks, the rest of √T block by block from √T √T = T, and √A = Q √T Qᵀ. It works for
// nonsymmetric and defective matrices alike, and its residual ‖X² − A‖ is a small
// multiple of eps·‖X‖² however ill-conditioned A is; the error in X is that times the
// problem's condition number, which grows as 1/(2√|λ|) for an eigenvalue λ near 0.
func Sqrtm(a mat.Matrix) *mat.Dense {
	x := matfuncArg("Sqrtm", a)
	// Not the Denman–Beavers iteration: its inverses of ill-conditioned iterates lost up
	// to 5 more digits (1e-9 against 2e-13 for an 8×8 SPD matrix with eigenvalues 1e-6
	// to 4096), for a gain of a few ulps on well-conditioned ones.
	t, z := realSchur("Sqrtm", x)
	noNegativeRealEigenvalue("Sqrtm", "square root", t, x)
	return fromSchur(z, sqrtQuasiTriangular(t))
}

// Logm returns the principal logarithm of the square matrix a: the unique X with
// exp(X) = A whose eigenvalues all have imaginary parts in (−π, π). It exists when a has
// no eigenvalue on the closed negative real axis (0 included: a singular a has no
// logarithm), and Logm panics otherwise, and when a is not square or has an entry that
// is not finite. A real a has a real principal logarithm. As for Sqrtm, a real
// eigenvalue within rounding errors of 0 counts as 0.
//
// Logm uses inverse scaling and squaring (Higham, Functions of Matrices, 2008, ch. 11)
// on the real Schur form A = Q T Qᵀ: it takes square roots of T as Sqrtm does until
// T^(1/2^k) = I + X with ‖X‖₁ ≤ 1/2 (for A within 1/2 of I it starts from X = A − I
// without the Schur form), sums the series
//
//	log(I + X) = 2 atanh(Z) = 2(Z + Z³/3 + Z⁵/5 + …),   Z = X(2I + X)⁻¹,
//
// to machine precision, and returns Q 2^k log(I + X) Qᵀ. On well-conditioned inputs the
// result is accurate to about 1e-14 relative to ‖log A‖; the absolute condition number
// grows as 1/|λ| for an eigenvalue λ near 0.
func Logm(a mat.Matrix) *mat.Dense {
	x := matfuncArg("Logm", a)
	if distToIdentity(x) <= logTheta {
		// The eigenvalues are within 1/2 of 1. The Schur form's rounding errors, a few
		// ulps of ‖A‖, would be large against a small log A: take the series as it is.
		return logNearIdentity(x)
	}
	t, z := realSchur("Logm", x)
	noNegativeRealEigenvalue("Logm", "logarithm", t, x)
	k := 0
	for d := distToIdentity(t); d > logTheta; d = distToIdentity(t) {
		if k == logMaxRoots {
			panic(fmt.Sprintf("matcalc: Logm: %d square roots of a are still %.3g from I in the 1-norm", k, d))
		}
		t = sqrtQuasiTriangular(t)
		k++
	}
	l := logNearIdentity(t)
	l.Scale(math.Ldexp(1, k), l)
	return fromSchur(z, l)
}

// Sinm returns sin A for the square matrix a, the sum of the series
// A − A³/3! + A⁵/5! − …; it panics when a is not square or has an entry that is not
// finite.
//
// Sinm scales A = 2^s X until ‖X‖₁ ≤ 2, sums the Taylor series of sin X and cos X to
// machine precision and doubles the angle s times by sin 2X = 2 sin X cos X and
// cos 2X = cos² X − sin² X (Higham and Smith, Numer. Algorithms 34, 2003, double the
// cosine alone by 2 cos² X − I; doubling both as here measured more accurate, most of
// all on nonnormal matrices). The result is accurate to a few times 1e-15 relative to
// ‖sin A‖ + ‖cos A‖ for ‖A‖ up to a few tens; sin A itself can be much smaller than
// that when cos A is large, as for a matrix with eigenvalues far from the real axis.
func Sinm(a mat.Matrix) *mat.Dense {
	s, _ := sinCos(matfuncArg("Sinm", a))
	return s
}

// Cosm returns cos A for the square matrix a, the sum of the series
// I − A²/2! + A⁴/4! − …; it panics when a is not square or has an entry that is not
// finite. Cosm computes sin A and cos A together as Sinm does and has its accuracy.
func Cosm(a mat.Matrix) *mat.Dense {
	_, c := sinCos(matfuncArg("Cosm", a))
	return c
}

// Expm returns exp A for the square matrix a, the sum of I + A + A²/2! + …; it panics
// when a is not square or has an entry that is not finite. It is (*mat.Dense).Exp, which
// scales and squares a Padé approximant (Higham, Functions of Matrices, 2008, Algorithm
// 10.20), under the name MATLAB gives it, beside Sqrtm and Logm.
func Expm(a mat.Matrix) *mat.Dense {
	var e mat.Dense
	e.Exp(matfuncArg("Expm", a))
	return &e
}

// matfuncArg returns a copy of the argument of the matrix function name, or panics
// with what is wrong with it.
func matfuncArg(name string, a mat.Matrix) *mat.Dense {
	r, c := a.Dims()
	if r == 0 || c == 0 {
		panic(fmt.Sprintf("matcalc: %s: a is empty", name))
	}
	if r != c {
		panic(fmt.Sprintf("matcalc: %s: a is %d×%d, want a square matrix", name, r, c))
	}
	x := mat.DenseCopyOf(a)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := x.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				panic(fmt.Sprintf("matcalc: %s: a[%d, %d] is %v, want a finite number", name, i, j, v))
			}
		}
	}
	return x
}

// realSchur returns T and Z with A = Z T Zᵀ, Z orthogonal and T upper quasi-triangular
// with its 2×2 diagonal blocks, one for each pair of complex eigenvalues, in the standard
// form [[a, b], [c, a]] with bc < 0.
func realSchur(name string, a *mat.Dense) (t, z *mat.Dense) {
	n, _ := a.Dims()
	if n == 1 {
		return mat.DenseCopyOf(a), mat.NewDense(1, 1, []float64{1})
	}
	var impl lapackgonum.Implementation
	t = mat.DenseCopyOf(a)
	tr := t.RawMatrix()
	tau := make([]float64, n-1)
	work := make([]float64, 1)
	impl.Dgehrd(n, 0, n-1, tr.Data, tr.Stride, tau, work, -1)
	work = make([]float64, max(n, int(work[0])))
	impl.Dgehrd(n, 0, n-1, tr.Data, tr.Stride, tau, work, len(work))
	z = mat.DenseCopyOf(t)
	zr := z.RawMatrix()
	impl.Dorghr(n, 0, n-1, zr.Data, zr.Stride, tau, work, -1)
	work = make([]float64, max(n, int(work[0])))
	impl.Dorghr(n, 0, n-1, zr.Data, zr.Stride, tau, work, len(work))
	// Below the subdiagonal, Dgehrd left its reflectors.
	for i := 2; i < n; i++ {
		for j := 0; j < i-1; j++ {
			t.Set(i, j, 0)
		}
	}
	wr, wi := make([]float64, n), make([]float64, n)
	impl.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, n, 0, n-1, tr.Data, tr.Stride, wr, wi, zr.Data, zr.Stride, work, -1)
	work = make([]float64, max(n, int(work[0])))
	if impl.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, n, 0, n-1, tr.Data, tr.Stride, wr, wi, zr.Data, zr.Stride, work, len(work)) > 0 {
		panic(fmt.Sprintf("matcalc: %s: the Schur decomposition of a did not converge", name))
	}
	return t, z
}

// fromSchur returns Z F Zᵀ.
func fromSchur(z, f *mat.Dense) *mat.Dense {
	var zf, out mat.Dense
	zf.Mul(z, f)
	out.Mul(&zf, z.T())
	return &out
}

// schurBlock is a diagonal block of a quasi-triangular matrix: rows and columns
// start to start+size-1.
type schurBlock struct{ start, size int }

func schurBlocks(t *mat.Dense) []schurBlock {
	n, _ := t.Dims()
	var blocks []schurBlock
	for i := 0; i < n; {
		if i+1 < n && t.At(i+1, i) != 0 {
			blocks = append(blocks, schurBlock{i, 2})
			i += 2
			continue
		}
		blocks = append(blocks, schurBlock{i, 1})
		i++
	}
	return blocks
}

// noNegativeRealEigenvalue panics when a, with the real Schur form t, has an eigenvalue
// on the closed negative real axis, where the principal square root and logarithm (what)
// are not defined. The real eigenvalues are t's 1×1 diagonal blocks, computed exactly
// real. One within n·eps·‖A‖₁ of 0 counts as 0: rounding alone makes the eigenvalue 0
// of a singular matrix, such as a rank-deficient Gram matrix, come out as ±1e-17 or so,
// and a square root or logarithm of that sign is noise.
func noNegativeRealEigenvalue(name, what string, t, a *mat.Dense) {
	n, _ := t.Dims()
	rounding := float64(n) * unitRoundoff * mat.Norm(a, 1)
	for _, b := range schurBlocks(t) {
		l := t.At(b.start, b.start)
		if b.size == 2 || l > rounding {
			continue
		}
		switch {
		case l == 0:
			panic(fmt.Sprintf("matcalc: %s: a is singular (it has the eigenvalue 0), so it has no principal %s", name, what))
		case l >= -rounding:
			panic(fmt.Sprintf("matcalc: %s: a is singular to working precision (it has the eigenvalue %.3g, within rounding of 0), so it has no principal %s", name, l, what))
		}
		panic(fmt.Sprintf("matcalc: %s: a has the eigenvalue %.6g on the closed negative real axis, so it has no principal %s", name, l, what))
	}
}

// unitRoundoff is the unit roundoff of float64, 2⁻⁵³.
const unitRoundoff = 0x1p-53

// sqrtQuasiTriangular returns the principal square root R of the upper quasi-triangular
// t, whose real eigenvalues are positive (Higham 1987). Each diagonal block of R is the
// principal square root of t's block; then, block column by block column and upwards,
// R_ij solves the Sylvester equation
//
//	R_ii R_ij + R_ij R_jj = T_ij − Σ_{i<k<j} R_ik R_kj,
//
// which has a unique solution because the eigenvalues of R_ii and R_jj have positive
// real parts.
func sqrtQuasiTriangular(t *mat.Dense) *mat.Dense {
	n, _ := t.Dims()
	r := mat.NewDense(n, n, nil)
	blocks := schurBlocks(t)
	for _, b := range blocks {
		i := b.start
		if b.size == 1 {
			r.Set(i, i, math.Sqrt(t.At(i, i)))
			continue
		}
		// The block [[θ, b], [c, θ]] with bc < 0 has the eigenvalues θ ± iμ, μ = √(−bc).
		// With α + iβ = √(θ + iμ), its principal square root is αI + (T_ii − θI)/(2α).
		theta := t.At(i, i)
		mu := math.Sqrt(-t.At(i, i+1) * t.At(i+1, i))
		alpha := principalSqrtRe(theta, mu)
		r.Set(i, i, alpha)
		r.Set(i+1, i+1, alpha)
		r.Set(i, i+1, t.At(i, i+1)/(2*alpha))
		r.Set(i+1, i, t.At(i+1, i)/(2*alpha))
	}
	for j := 1; j < len(blocks); j++ {
		bj := blocks[j]
		for i := j - 1; i >= 0; i-- {
			bi := blocks[i]
			var rhs [4]float64
			for p := 0; p < bi.size; p++ {
				for q := 0; q < bj.size; q++ {
					row, col := bi.start+p, bj.start+q
					s := t.At(row, col)
					for k := bi.start + bi.size; k < bj.start; k++ {
						s -= r.At(row, k) * r.At(k, col)
					}
					rhs[p*bj.size+q] = s
				}
			}
			x := sylvesterSmall(r, bi, bj, rhs)
			for p := 0; p < bi.size; p++ {
				for q := 0; q < bj.size; q++ {
					r.Set(bi.start+p, bj.start+q, x[p*bj.size+q])
				}
			}
		}
	}
	return r
}

// principalSqrtRe returns Re √(θ + iμ), without cancellation for θ < 0.
func principalSqrtRe(theta, mu float64) float64 {
	m := math.Hypot(theta, mu)
	if theta >= 0 {
		return math.Sqrt((m + theta) / 2)
	}
	// Re √z · Im √z = μ/2, and Im √z = √((|z| − θ)/2) has no cancellation here.
	return math.Abs(mu) / (2 * math.Sqrt((m-theta)/2))
}

// sylvesterSmall solves P X + X Q = C for the diagonal blocks P = r[bi, bi] and
// Q = r[bj, bj] (1×1 or 2×2) and C given row by row in c; X is returned row by row.
// In Kronecker form the equation is (P ⊗ I + I ⊗ Qᵀ) x = c, for x and c stored by rows.
func sylvesterSmall(r *mat.Dense, bi, bj schurBlock, c [4]float64) [4]float64 {
	p, q := bi.size, bj.size
	if p == 1 && q == 1 {
		return [4]float64{c[0] / (r.At(bi.start, bi.start) + r.At(bj.start, bj.start))}
	}
	m := p * q
	k := mat.NewDense(m, m, nil)
	for a := 0; a < p; a++ {
		for b := 0; b < q; b++ {
			row := a*q + b
			// (P X)_ab = Σ_e P_ae X_eb and (X Q)_ab = Σ_f X_af Q_fb.
			for e := 0; e < p; e++ {
				k.Set(row, e*q+b, k.At(row, e*q+b)+r.At(bi.start+a, bi.start+e))
			}
			for f := 0; f < q; f++ {
				k.Set(row, a*q+f, k.At(row, a*q+f)+r.At(bj.start+f, bj.start+b))
			}
		}
	}
	var x mat.VecDense
	// The eigenvalues of the operator are sums of eigenvalues with positive real parts,
	// so it is nonsingular; a Condition error only reports ill-conditioning, which the
	// solution carries as the problem does.
	_ = x.SolveVec(k, mat.NewVecDense(m, c[:m]))
	var out [4]float64
	for i := 0; i < m; i++ {
		out[i] = x.AtVec(i)
	}
	return out
}

// distToIdentity returns ‖A − I‖₁, the largest column sum of |A − I|.
func distToIdentity(a *mat.Dense) float64 {
	n, _ := a.Dims()
	var norm float64
	for j := 0; j < n; j++ {
		var s float64
		for i := 0; i < n; i++ {
			v := a.At(i, j)
			if i == j {
				v--
			}
			s += math.Abs(v)
		}
		norm = math.Max(norm, s)
	}
	return norm
}

// logNearIdentity returns log(I + X) for a = I + X with ‖X‖₁ ≤ logTheta, as
// 2 atanh(Z) = 2(Z + Z³/3 + Z⁵/5 + …) with Z = X(2I + X)⁻¹, summed by Horner's rule in Z².
func logNearIdentity(a *mat.Dense) *mat.Dense {
	n, _ := a.Dims()
	x := mat.DenseCopyOf(a)
	for i := 0; i < n; i++ {
		x.Set(i, i, x.At(i, i)-1)
	}
	twoPlusX := mat.DenseCopyOf(a)
	for i := 0; i < n; i++ {
		twoPlusX.Set(i, i, twoPlusX.At(i, i)+1)
	}
	var z mat.Dense
	// 2I + X is within 1/2 of 2I, so its condition number is at most 5/3 and the
	// Condition error cannot occur.
	_ = z.Solve(twoPlusX, x)
	var z2 mat.Dense
	z2.Mul(&z, &z)
	s := mat.NewDense(n, n, nil)
	for j := logTerms - 1; j >= 0; j-- {
		// s ← Z² s + I/(2j+1).
		if j < logTerms-1 {
			var p mat.Dense
			p.Mul(&z2, s)
			s = &p
		}
		for i := 0; i < n; i++ {
			s.Set(i, i, s.At(i, i)+1/float64(2*j+1))
		}
	}
	var l mat.Dense
	l.Mul(&z, s)
	l.Scale(2, &l)
	return &l
}

// sinCos returns sin A and cos A for a square a: it scales A = 2^s X with
// ‖X‖₁ ≤ trigTheta (exactly, by a power of 2), sums the Taylor series of sin X and cos X
// by Horner's rule in X², and doubles the angle s times by squaring cos X + i sin X:
// cos 2X = cos² X − sin² X and sin 2X = 2 sin X cos X.
func sinCos(a *mat.Dense) (sin, cos *mat.Dense) {
	n, _ := a.Dims()
	steps := 0
	for norm := mat.Norm(a, 1); norm > trigTheta; norm /= 2 {
		steps++
	}
	x := mat.DenseCopyOf(a)
	x.Scale(math.Ldexp(1, -steps), x)
	var x2 mat.Dense
	x2.Mul(x, x)

	// taylor returns Σ_{j<trigTerms} (−1)^j X^(2j) / (2j + offset)!.
	taylor := func(offset int) *mat.Dense {
		s := mat.NewDense(n, n, nil)
		for j := trigTerms - 1; j >= 0; j-- {
			if j < trigTerms-1 {
				var p mat.Dense
				p.Mul(&x2, s)
				s = &p
			}
			c := 1.0
			for i := 2; i <= 2*j+offset; i++ {
				c /= float64(i)
			}
			if j%2 == 1 {
				c = -c
			}
			for i := 0; i < n; i++ {
				s.Set(i, i, s.At(i, i)+c)
			}
		}
		return s
	}
	cos = taylor(0)
	sin = mat.NewDense(n, n, nil)
	sin.Mul(x, taylor(1))
	for ; steps > 0; steps-- {
		var s, c, s2 mat.Dense
		s.Mul(sin, cos)
		s.Scale(2, &s)
		c.Mul(cos, cos)
		s2.Mul(sin, sin)
		c.Sub(&c, &s2)
		sin, cos = &s, &c
	}
	return sin, cos
}
