package matcalc_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// relErr is ‖got − want‖₁ / ‖want‖₁ (or the plain difference when want is 0).
func relErr(got, want mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(got, want)
	if w := mat.Norm(want, 1); w > 0 {
		return mat.Norm(&d, 1) / w
	}
	return mat.Norm(&d, 1)
}

// wantPanic runs f and fails unless it panics with a message that starts with want.
func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want %q", want)
			return
		}
		if msg := fmt.Sprint(r); !strings.HasPrefix(msg, want) {
			t.Errorf("panic %q, want it to start with %q", msg, want)
		}
	}()
	f()
}

func TestVecStacksColumns(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	if got, want := matcalc.Vec(a).RawVector().Data, []float64{1, 3, 2, 4}; !equalSlices(got, want) {
		t.Errorf("Vec([[1 2] [3 4]]) = %v, want %v", got, want)
	}
	// A view that is not a *mat.Dense, a row and a column.
	if got, want := matcalc.Vec(a.T()).RawVector().Data, []float64{1, 2, 3, 4}; !equalSlices(got, want) {
		t.Errorf("Vec(Aᵀ) = %v, want %v", got, want)
	}
	row := mat.NewDense(1, 3, []float64{5, 6, 7})
	if got := matcalc.Vec(row).RawVector().Data; !equalSlices(got, []float64{5, 6, 7}) {
		t.Errorf("Vec of a row = %v, want [5 6 7]", got)
	}
	v := mat.NewVecDense(3, []float64{8, 9, 10})
	if got := matcalc.Vec(v).RawVector().Data; !equalSlices(got, []float64{8, 9, 10}) {
		t.Errorf("Vec of a vector = %v, want [8 9 10]", got)
	}
	// Vec copies: changing the result leaves a alone.
	matcalc.Vec(a).SetVec(0, 100)
	if a.At(0, 0) != 1 {
		t.Error("changing Vec(a) changed a")
	}
	// Entry (i, j) of an m×n matrix is entry j·m + i.
	b := matcalc.Randn(3, 4, 1)
	vb := matcalc.Vec(b)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if vb.AtVec(j*3+i) != b.At(i, j) {
				t.Errorf("Vec(b)[%d] = %v, want b[%d, %d] = %v", j*3+i, vb.AtVec(j*3+i), i, j, b.At(i, j))
			}
		}
	}
}

func equalSlices(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnvecInvertsVec(t *testing.T) {
	v := mat.NewVecDense(6, []float64{1, 2, 3, 4, 5, 6})
	want := mat.NewDense(2, 3, []float64{1, 3, 5, 2, 4, 6})
	if got := matcalc.Unvec(v, 2, 3); !mat.Equal(got, want) {
		t.Errorf("Unvec([1..6], 2, 3) =\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(want))
	}
	for _, shape := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 4}, {7, 2}} {
		a := matcalc.Randn(shape[0], shape[1], 3)
		if back := matcalc.Unvec(matcalc.Vec(a), shape[0], shape[1]); !mat.Equal(back, a) {
			t.Errorf("Unvec(Vec(a)) != a for a %d×%d", shape[0], shape[1])
		}
		w := matcalc.RandnVec(shape[0]*shape[1], 4)
		if back := matcalc.Vec(matcalc.Unvec(w, shape[0], shape[1])); !mat.Equal(back, w) {
			t.Errorf("Vec(Unvec(v)) != v for %d×%d", shape[0], shape[1])
		}
	}
}

func TestKronMatchesItsDefinition(t *testing.T) {
	a := matcalc.Randn(2, 3, 5)
	b := matcalc.Randn(4, 2, 6)
	k := matcalc.Kron(a, b)
	if r, c := k.Dims(); r != 8 || c != 6 {
		t.Fatalf("Kron of 2×3 and 4×2 is %d×%d, want 8×6", r, c)
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for p := 0; p < 4; p++ {
				for q := 0; q < 2; q++ {
					if got, want := k.At(4*i+p, 2*j+q), a.At(i, j)*b.At(p, q); got != want {
						t.Errorf("(A⊗B)[%d, %d] = %v, want a[%d, %d]·b[%d, %d] = %v", 4*i+p, 2*j+q, got, i, j, p, q, want)
					}
				}
			}
		}
	}
	small := matcalc.Kron(mat.NewDense(1, 2, []float64{1, 2}), mat.NewDense(2, 1, []float64{3, 4}))
	if want := mat.NewDense(2, 2, []float64{3, 6, 4, 8}); !mat.Equal(small, want) {
		t.Errorf("[1 2] ⊗ [3; 4] =\n%v\nwant [[3 6] [4 8]]", mat.Formatted(small))
	}
}

// vec(AXB) = (Bᵀ ⊗ A) vec(X), the identity that makes Jacobians of matrix maps.
func TestKronVecIdentity(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		a := matcalc.Randn(3, 4, seed)
		x := matcalc.Randn(4, 5, seed+10)
		b := matcalc.Randn(5, 2, seed+20)
		var axb mat.Dense
		axb.Product(a, x, b)
		var rhs mat.VecDense
		rhs.MulVec(matcalc.Kron(b.T(), a), matcalc.Vec(x))
		if e := relErr(&rhs, matcalc.Vec(&axb)); e > 1e-14 {
			t.Errorf("seed %d: vec(AXB) and (Bᵀ⊗A)vec(X) differ by %.2g relative", seed, e)
		}
	}
	// The mixed-product property (A⊗B)(C⊗D) = AC ⊗ BD.
	a, b := matcalc.Randn(2, 3, 1), matcalc.Randn(3, 2, 2)
	c, d := matcalc.Randn(3, 2, 3), matcalc.Randn(2, 4, 4)
	var lhs, ac, bd mat.Dense
	lhs.Mul(matcalc.Kron(a, b), matcalc.Kron(c, d))
	ac.Mul(a, c)
	bd.Mul(b, d)
	if e := relErr(&lhs, matcalc.Kron(&ac, &bd)); e > 1e-14 {
		t.Errorf("(A⊗B)(C⊗D) and AC ⊗ BD differ by %.2g relative", e)
	}
}

func TestFrobeniusInner(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	b := mat.NewDense(2, 2, []float64{5, 6, 7, 8})
	if got := matcalc.FrobeniusInner(a, b); got != 70 {
		t.Errorf("⟨[[1 2] [3 4]], [[5 6] [7 8]]⟩ = %v, want 5+12+21+32 = 70", got)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		a, b := matcalc.Randn(3, 5, seed), matcalc.Randn(3, 5, seed+100)
		var atb mat.Dense
		atb.Mul(a.T(), b)
		got := matcalc.FrobeniusInner(a, b)
		if tr := mat.Trace(&atb); math.Abs(got-tr) > 1e-14*(1+math.Abs(tr)) {
			t.Errorf("⟨A, B⟩ = %v, tr(AᵀB) = %v", got, tr)
		}
		if dot := mat.Dot(matcalc.Vec(a), matcalc.Vec(b)); math.Abs(got-dot) > 1e-14*(1+math.Abs(dot)) {
			t.Errorf("⟨A, B⟩ = %v, vec(A)·vec(B) = %v", got, dot)
		}
		if nn, fro := matcalc.FrobeniusInner(a, a), mat.Norm(a, 2); math.Abs(nn-fro*fro) > 1e-14*nn {
			t.Errorf("⟨A, A⟩ = %v, ‖A‖²_F = %v", nn, fro*fro)
		}
	}
	// Views work too: ⟨Aᵀ, Bᵀ⟩ = ⟨A, B⟩.
	if got := matcalc.FrobeniusInner(a.T(), b.T()); got != 70 {
		t.Errorf("⟨Aᵀ, Bᵀ⟩ = %v, want 70", got)
	}
}

func TestIdentity(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		id := matcalc.Identity(n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if id.At(i, j) != want {
					t.Errorf("Identity(%d)[%d, %d] = %v", n, i, j, id.At(i, j))
				}
			}
		}
	}
	// Each call is a new, mutable matrix.
	id := matcalc.Identity(3)
	id.Set(0, 1, 7)
	id.Scale(2, id)
	if matcalc.Identity(3).At(0, 1) != 0 || matcalc.Identity(3).At(0, 0) != 1 {
		t.Error("changing one Identity changed another")
	}
}

func TestRandomMatricesAreReproducible(t *testing.T) {
	if !mat.Equal(matcalc.Randn(4, 3, 42), matcalc.Randn(4, 3, 42)) {
		t.Error("Randn(4, 3, 42) differs between calls")
	}
	if !mat.Equal(matcalc.Rand(4, 3, 42), matcalc.Rand(4, 3, 42)) {
		t.Error("Rand(4, 3, 42) differs between calls")
	}
	if !mat.Equal(matcalc.RandnVec(7, 42), matcalc.RandnVec(7, 42)) {
		t.Error("RandnVec(7, 42) differs between calls")
	}
	if mat.Equal(matcalc.Randn(4, 3, 42), matcalc.Randn(4, 3, 43)) {
		t.Error("Randn gives the same matrix for seeds 42 and 43")
	}
	if mat.Equal(matcalc.Rand(4, 3, 42), matcalc.Rand(4, 3, 43)) {
		t.Error("Rand gives the same matrix for seeds 42 and 43")
	}
	if mat.Equal(matcalc.RandnVec(7, 0), matcalc.RandnVec(7, 1)) {
		t.Error("RandnVec gives the same vector for seeds 0 and 1")
	}
	// The documented construction, so that the same matrices can be drawn elsewhere.
	r := rand.New(rand.NewPCG(9, 0x9e3779b97f4a7c15))
	a := matcalc.Randn(3, 2, 9)
	for j := 0; j < 2; j++ {
		for i := 0; i < 3; i++ {
			if want := r.NormFloat64(); a.At(i, j) != want {
				t.Errorf("Randn(3, 2, 9)[%d, %d] = %v, want %v", i, j, a.At(i, j), want)
			}
		}
	}
	r = rand.New(rand.NewPCG(9, 0x9e3779b97f4a7c15))
	u := matcalc.Rand(3, 2, 9)
	for j := 0; j < 2; j++ {
		for i := 0; i < 3; i++ {
			if want := r.Float64(); u.At(i, j) != want {
				t.Errorf("Rand(3, 2, 9)[%d, %d] = %v, want %v", i, j, u.At(i, j), want)
			}
		}
	}
	// A vector is the vec of a matrix drawn with the same seed.
	if !mat.Equal(matcalc.RandnVec(12, 5), matcalc.Vec(matcalc.Randn(3, 4, 5))) {
		t.Error("RandnVec(12, 5) != Vec(Randn(3, 4, 5))")
	}
	// A first row is not a first column: entries go down the columns.
	if matcalc.Randn(1, 3, 5).At(0, 1) != matcalc.Randn(3, 1, 5).At(1, 0) {
		t.Error("Randn(1, 3) and Randn(3, 1) of one seed do not share their entries")
	}
}

// mean and variance of the entries of a.
func meanVariance(a mat.Matrix) (mean, variance float64) {
	r, c := a.Dims()
	n := float64(r * c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			mean += a.At(i, j)
		}
	}
	mean /= n
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d := a.At(i, j) - mean
			variance += d * d
		}
	}
	return mean, variance / (n - 1)
}

func TestRandomMatrixDistributions(t *testing.T) {
	// 40000 draws: the sample mean has standard deviation σ/200, the sample variance
	// about σ²·√(2/40000) for a Gaussian and σ²·√(0.8/40000) for a uniform. The bounds
	// are 5 of those standard deviations.
	for seed := uint64(1); seed <= 3; seed++ {
		mean, variance := meanVariance(matcalc.Randn(200, 200, seed))
		if math.Abs(mean) > 5.0/200 || math.Abs(variance-1) > 5*math.Sqrt(2.0/40000) {
			t.Errorf("Randn(200, 200, %d): mean %.4f, variance %.4f, want about 0 and 1", seed, mean, variance)
		}
		u := matcalc.Rand(200, 200, seed)
		mean, variance = meanVariance(u)
		sigma := math.Sqrt(1.0 / 12)
		if math.Abs(mean-0.5) > 5*sigma/200 || math.Abs(variance-1.0/12) > 5*math.Sqrt(0.8/40000)/12 {
			t.Errorf("Rand(200, 200, %d): mean %.4f, variance %.4f, want about 1/2 and 1/12", seed, mean, variance)
		}
		for _, v := range u.RawMatrix().Data {
			if v < 0 || v >= 1 {
				t.Fatalf("Rand(200, 200, %d) has the entry %v, outside [0, 1)", seed, v)
			}
		}
		v := matcalc.RandnVec(40000, seed)
		mean, variance = meanVariance(v)
		if math.Abs(mean) > 5.0/200 || math.Abs(variance-1) > 5*math.Sqrt(2.0/40000) {
			t.Errorf("RandnVec(40000, %d): mean %.4f, variance %.4f, want about 0 and 1", seed, mean, variance)
		}
	}
	// Entries are independent: neighbours in a column are uncorrelated.
	a := matcalc.Randn(200, 200, 7)
	var c float64
	for j := 0; j < 200; j++ {
		for i := 0; i+1 < 200; i++ {
			c += a.At(i, j) * a.At(i+1, j)
		}
	}
	if c /= 199 * 200; math.Abs(c) > 5.0/200 {
		t.Errorf("correlation of neighbours in Randn(200, 200, 7) is %.4f, want about 0", c)
	}
}

func TestMatricesPanicClearly(t *testing.T) {
	v := mat.NewVecDense(5, nil)
	wantPanic(t, "matcalc: Unvec: v has length 5, want 2×3 = 6", func() { matcalc.Unvec(v, 2, 3) })
	wantPanic(t, "matcalc: Unvec: ", func() { matcalc.Unvec(v, 0, 5) })
	wantPanic(t, "matcalc: Vec: a is empty", func() { matcalc.Vec(&mat.Dense{}) })
	wantPanic(t, "matcalc: FrobeniusInner: a is 2×3 and b is 3×2, want the same shape", func() {
		matcalc.FrobeniusInner(mat.NewDense(2, 3, nil), mat.NewDense(3, 2, nil))
	})
	wantPanic(t, "matcalc: Identity: n is 0", func() { matcalc.Identity(0) })
	wantPanic(t, "matcalc: Randn: ", func() { matcalc.Randn(0, 3, 1) })
	wantPanic(t, "matcalc: Rand: ", func() { matcalc.Rand(3, -1, 1) })
	wantPanic(t, "matcalc: RandnVec: n is 0", func() { matcalc.RandnVec(0, 1) })
}
