package hardcases

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// seedRNG is the generator behind a fixed case's random matrices.
func seedRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b9)) }

func gaussian(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// symGaussian is (G + Gᵀ)/2 for a Gaussian G, a symmetric direction.
func symGaussian(rng *rand.Rand, n int) *mat.Dense {
	g := gaussian(rng, n, n)
	var s mat.Dense
	s.Add(g, g.T())
	s.Scale(0.5, &s)
	return &s
}

// orthogonal is the Q of a Gaussian matrix's QR.
func orthogonal(rng *rand.Rand, n int) *mat.Dense {
	var f mat.QR
	f.Factorize(gaussian(rng, n, n))
	var q mat.Dense
	f.QTo(&q)
	return &q
}

// nearSingular is a Gaussian matrix whose smallest singular value is replaced by ratio
// times its largest.
func nearSingular(rng *rand.Rand, n int, ratio float64) *mat.Dense {
	var svd mat.SVD
	svd.Factorize(gaussian(rng, n, n), mat.SVDFull)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	s[n-1] = ratio * s[0]
	return mul(&u, diag(s), v.T())
}

// fromEigen is V diag(λ) Vᵀ, made exactly symmetric.
func fromEigen(v *mat.Dense, lambda []float64) *mat.Dense {
	a := mul(v, diag(lambda), v.T())
	var s mat.Dense
	s.Add(a, a.T())
	s.Scale(0.5, &s)
	return &s
}

func diag(d []float64) *mat.Dense {
	m := mat.NewDense(len(d), len(d), nil)
	for i, v := range d {
		m.Set(i, i, v)
	}
	return m
}

// mul is the product of its factors, left to right.
func mul(a mat.Matrix, bs ...mat.Matrix) *mat.Dense {
	out := mat.DenseCopyOf(a)
	for _, b := range bs {
		var p mat.Dense
		p.Mul(out, b)
		out = &p
	}
	return out
}

func inv(a mat.Matrix) *mat.Dense {
	var b mat.Dense
	_ = b.Inverse(a) // an ill-conditioned case still has its inverse
	return &b
}

// eigSym factorizes the symmetric matrix made of a's upper triangle, as a student's f does
// to accept any *mat.Dense: eigenvalues ascending, eigenvectors in the columns of V. A
// failed factorization gives NaN eigenvalues.
func eigSym(a *mat.Dense) ([]float64, *mat.Dense) {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, a.At(i, j))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(s, true) {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = math.NaN()
		}
		return vals, mat.NewDense(n, n, nil)
	}
	var v mat.Dense
	e.VectorsTo(&v)
	return e.Values(nil), &v
}

// qrFactors are Q and R of gonum's (Householder) QR.
func qrFactors(a mat.Matrix) (q, r *mat.Dense) {
	var f mat.QR
	f.Factorize(a)
	q, r = new(mat.Dense), new(mat.Dense)
	f.QTo(q)
	f.RTo(r)
	return q, r
}

// workingEntry returns a copy of a whose column k has working entry target when the
// Householder QR reaches it: the k-th entry of Q_kᵀ a_k, Q_k the product of the reflectors
// of the first k columns (which depend on those columns only). Only that entry moves.
func workingEntry(a *mat.Dense, k int, target float64) *mat.Dense {
	out := mat.DenseCopyOf(a)
	if k == 0 {
		out.Set(0, 0, target)
		return out
	}
	n, _ := a.Dims()
	q, _ := qrFactors(a.Slice(0, n, 0, k))
	col := mat.Col(nil, k, a)
	qk := mat.Col(nil, k, q)
	entry := 0.0
	for i := range col {
		entry += qk[i] * col[i]
	}
	for i := range col {
		out.Set(i, k, col[i]+(target-entry)*qk[i])
	}
	return out
}

// householderSigns are the signs of R's diagonal that a Householder reflection chooses:
// all but the last (a square QR's last column gets no reflection, its sign follows det A).
func householderSigns(a mat.Matrix) []bool {
	_, r := qrFactors(a)
	n, _ := r.Dims()
	s := make([]bool, n-1)
	for i := range s {
		s[i] = r.At(i, i) > 0
	}
	return s
}

// qrFlip is the t of smallest size, |t| ≤ 1, at which a Householder sign of the QR of
// a + t da changes (found on a grid and refined by bisection), or 0 when none does.
func qrFlip(a, da *mat.Dense) float64 {
	at := func(t float64) *mat.Dense {
		var m mat.Dense
		m.Scale(t, da)
		m.Add(a, &m)
		return &m
	}
	s0 := householderSigns(a)
	differs := func(t float64) bool {
		for i, s := range householderSigns(at(t)) {
			if s != s0[i] {
				return true
			}
		}
		return false
	}
	best := 0.0
	for _, dir := range []float64{1, -1} {
		prev := 0.0
		for k := -120; k <= 0; k++ {
			t := dir * math.Pow(10, float64(k)/20)
			if differs(t) {
				lo, hi := prev, t
				for i := 0; i < 60; i++ {
					if mid := (lo + hi) / 2; differs(mid) {
						hi = mid
					} else {
						lo = mid
					}
				}
				if best == 0 || math.Abs(hi) < math.Abs(best) {
					best = hi
				}
				break
			}
			prev = t
		}
	}
	return best
}

// detSignChange is the real t of smallest size at which det(A + t dA) = det A ∏(1 + t μ)
// changes sign, μ the eigenvalues of m = A⁻¹dA, or +Inf when none is real.
func detSignChange(m *mat.Dense) float64 {
	var e mat.Eigen
	if !e.Factorize(m, mat.EigenNone) {
		return math.Inf(1)
	}
	best := math.Inf(1)
	for _, mu := range e.Values(nil) {
		if imag(mu) == 0 && real(mu) != 0 && math.Abs(1/real(mu)) < math.Abs(best) {
			best = -1 / real(mu)
		}
	}
	return best
}
