package matcalc

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Vec returns the columns of a stacked into one vector, the first column first: for an
// m×n matrix, entry (i, j) of a is entry j·m + i of Vec(a). This is the vec of the course
// and the order in which matcalc numbers the coordinates of a matrix point, so that
// the Jacobian of a matrix function maps Vec(dA) to Vec(df). A *mat.VecDense, or any
// m×1 matrix, gives its entries.
func Vec(a mat.Matrix) *mat.VecDense {
	r, c := a.Dims()
	if r == 0 || c == 0 {
		panic("matcalc: Vec: a is empty")
	}
	data := make([]float64, 0, r*c)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			data = append(data, a.At(i, j))
		}
	}
	return mat.NewVecDense(r*c, data)
}

// Unvec is the inverse of Vec: it returns the rows×cols matrix whose columns, stacked,
// are v. It panics unless v.Len() == rows·cols.
func Unvec(v mat.Vector, rows, cols int) *mat.Dense {
	if rows <= 0 || cols <= 0 {
		panic(fmt.Sprintf("matcalc: Unvec: rows×cols is %d×%d, want positive dimensions", rows, cols))
	}
	if v.Len() != rows*cols {
		panic(fmt.Sprintf("matcalc: Unvec: v has length %d, want %d×%d = %d", v.Len(), rows, cols, rows*cols))
	}
	m := mat.NewDense(rows, cols, nil)
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			m.Set(i, j, v.AtVec(j*rows+i))
		}
	}
	return m
}

// Kron returns the Kronecker product a ⊗ b, the block matrix whose block (i, j) is
// a_ij·b. With Vec's column order it turns a linear map of matrices into a matrix:
//
//	vec(AXB) = (Bᵀ ⊗ A) vec(X),
//
// so, for example, the Jacobian of X -> AXB is Kron(Bᵀ, A) and that of X -> X² is
// I ⊗ X + Xᵀ ⊗ I.
func Kron(a, b mat.Matrix) *mat.Dense {
	var k mat.Dense
	k.Kronecker(a, b)
	return &k
}

// FrobeniusInner returns the Frobenius inner product of two matrices of the same shape,
//
//	⟨A, B⟩ = tr(AᵀB) = Σ_ij A_ij B_ij,
//
// which is the dot product of Vec(a) and Vec(b). The gradient of a scalar function of a
// matrix is defined through it: df = ⟨∇f, dA⟩.
func FrobeniusInner(a, b mat.Matrix) float64 {
	ra, ca := a.Dims()
	rb, cb := b.Dims()
	if ra != rb || ca != cb {
		panic(fmt.Sprintf("matcalc: FrobeniusInner: a is %d×%d and b is %d×%d, want the same shape", ra, ca, rb, cb))
	}
	var s float64
	for i := 0; i < ra; i++ {
		for j := 0; j < ca; j++ {
			s += a.At(i, j) * b.At(i, j)
		}
	}
	return s
}

// Identity returns a new n×n identity matrix, which the caller may modify.
func Identity(n int) *mat.Dense {
	if n <= 0 {
		panic(fmt.Sprintf("matcalc: Identity: n is %d, want n ≥ 1", n))
	}
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// randStream is the second PCG seed of Randn, Rand and RandnVec. It is fixed for good:
// changing it would change every notebook's random matrices.
const randStream = 0x9e3779b97f4a7c15

// newRandSource is the generator behind Randn, Rand and RandnVec.
func newRandSource(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, randStream))
}

// randDense fills a rows×cols matrix column by column with draws of next.
func randDense(name string, rows, cols int, next func() float64) *mat.Dense {
	if rows <= 0 || cols <= 0 {
		panic(fmt.Sprintf("matcalc: %s: rows×cols is %d×%d, want positive dimensions", name, rows, cols))
	}
	m := mat.NewDense(rows, cols, nil)
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			m.Set(i, j, next())
		}
	}
	return m
}

// Randn returns a rows×cols matrix of independent standard Gaussian entries (mean 0,
// variance 1), like Julia's randn(rows, cols). The entries are drawn column by column
// from rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)).NormFloat64 of math/rand/v2, so the
// same seed gives the same matrix on every machine and in every run, and
// Vec(Randn(m, n, seed)) equals RandnVec(m·n, seed).
func Randn(rows, cols int, seed uint64) *mat.Dense {
	return randDense("Randn", rows, cols, newRandSource(seed).NormFloat64)
}

// Rand returns a rows×cols matrix of independent entries uniform on [0, 1), like Julia's
// rand(rows, cols). The entries are drawn column by column from
// rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)).Float64 of math/rand/v2, so the same
// seed gives the same matrix on every machine and in every run.
func Rand(rows, cols int, seed uint64) *mat.Dense {
	return randDense("Rand", rows, cols, newRandSource(seed).Float64)
}

// RandnVec returns a vector of n independent standard Gaussian entries, like Julia's
// randn(n). It draws exactly as Randn does, so the same seed gives the same vector on
// every machine and in every run, and RandnVec(m·n, seed) equals Vec(Randn(m, n, seed)).
func RandnVec(n int, seed uint64) *mat.VecDense {
	if n <= 0 {
		panic(fmt.Sprintf("matcalc: RandnVec: n is %d, want n ≥ 1", n))
	}
	r := newRandSource(seed)
	v := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		v.SetVec(i, r.NormFloat64())
	}
	return v
}
