package matcalc_test

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// The expected values here come from closed forms: f of a diagonal, triangular or
// rotation matrix, f of V B V⁻¹ as V f(B) V⁻¹ for a block diagonal B whose f is scalar
// (math/cmplx), and identities such as sin² + cos² = I.

// spectral returns the real block diagonal matrix with f of the eigenvalues eigs: a real
// λ as the entry f(λ), a complex λ (standing for λ and its conjugate) as the 2×2 block
// [[Re f(λ), −Im f(λ)], [Im f(λ), Re f(λ)]]. For f real on the real axis (sqrt, log,
// sin, cos, exp), f(spectral(eigs, id)) = spectral(eigs, f).
func spectral(eigs []complex128, f func(complex128) complex128) *mat.Dense {
	n := 0
	for _, l := range eigs {
		n++
		if imag(l) != 0 {
			n++
		}
	}
	b := mat.NewDense(n, n, nil)
	i := 0
	for _, l := range eigs {
		v := f(l)
		b.Set(i, i, real(v))
		if imag(l) == 0 {
			i++
			continue
		}
		b.Set(i+1, i+1, real(v))
		b.Set(i, i+1, -imag(v))
		b.Set(i+1, i, imag(v))
		i += 2
	}
	return b
}

func identityFunc(z complex128) complex128 { return z }

// randomSpectrum returns the eigenvalues of a real n×n matrix: real ones uniform in
// [lo, hi] and, about half the time, complex pairs with that real part and imaginary
// part up to im.
func randomSpectrum(n int, seed uint64, lo, hi, im float64) []complex128 {
	u := matcalc.Rand(n, 3, seed)
	var eigs []complex128
	for k := 0; k < n; {
		re := lo + (hi-lo)*u.At(k, 1)
		if n-k >= 2 && u.At(k, 0) < 0.5 {
			eigs = append(eigs, complex(re, im*(0.1+0.9*u.At(k, 2))))
			k += 2
			continue
		}
		eigs = append(eigs, complex(re, 0))
		k++
	}
	return eigs
}

// orthogonal returns a random n×n orthogonal matrix.
func orthogonal(n int, seed uint64) *mat.Dense {
	var qr mat.QR
	qr.Factorize(matcalc.Randn(n, n, seed))
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// similarity is a well-conditioned random V and its inverse, for nonnormal test matrices.
func similarity(n int, seed uint64) (v, vinv *mat.Dense) {
	v = shifted(matcalc.Randn(n, n, seed), float64(n))
	vinv = new(mat.Dense)
	if err := vinv.Inverse(v); err != nil {
		panic(err)
	}
	return v, vinv
}

func product(ms ...mat.Matrix) *mat.Dense {
	var p mat.Dense
	if len(ms) == 2 {
		p.Mul(ms[0], ms[1])
	} else {
		p.Product(ms...)
	}
	return &p
}

// shifted returns a + c·I.
func shifted(a *mat.Dense, c float64) *mat.Dense {
	n, _ := a.Dims()
	s := mat.DenseCopyOf(a)
	for i := 0; i < n; i++ {
		s.Set(i, i, s.At(i, i)+c)
	}
	return s
}

func diagonal(d ...float64) *mat.Dense {
	m := mat.NewDense(len(d), len(d), nil)
	for i, v := range d {
		m.Set(i, i, v)
	}
	return m
}

func rotation(t float64) *mat.Dense {
	return mat.NewDense(2, 2, []float64{math.Cos(t), -math.Sin(t), math.Sin(t), math.Cos(t)})
}

// checkClose fails when relErr(got, want) > tol, and returns the error.
func checkClose(t *testing.T, what string, got, want mat.Matrix, tol float64) float64 {
	t.Helper()
	e := relErr(got, want)
	if e > tol || math.IsNaN(e) {
		t.Errorf("%s: relative error %.2g > %.0g\ngot\n%.17g\nwant\n%.17g", what, e, tol, mat.Formatted(got), mat.Formatted(want))
	}
	return e
}

// matrixFunc is a matrix function with its scalar counterpart.
type matrixFunc struct {
	matrix func(mat.Matrix) *mat.Dense
	scalar func(complex128) complex128
}

// checkSpectra checks matrix functions on a family of matrices with known spectra: for
// each size and seed, a normal A = Q B Qᵀ and a nonnormal A = V B V⁻¹ against the
// closed forms Q f(B) Qᵀ and V f(B) V⁻¹. Several functions are checked side by side
// ([f₁(A) f₂(A) …]), so the error is relative to the sum of their norms.
func checkSpectra(t *testing.T, name string, spectrum func(n int, seed uint64) []complex128, tol float64, fs ...matrixFunc) {
	t.Helper()
	worst := 0.0
	defer func() { t.Helper(); t.Logf("%s: worst relative error %.2g", name, worst) }()
	side := func(f func(i int) mat.Matrix) *mat.Dense {
		m := mat.DenseCopyOf(f(0))
		for i := 1; i < len(fs); i++ {
			var g mat.Dense
			g.Augment(m, f(i))
			m = &g
		}
		return m
	}
	for _, n := range []int{2, 3, 6, 10, 20} {
		for seed := uint64(1); seed <= 3; seed++ {
			eigs := spectrum(n, 100*uint64(n)+seed)
			b := spectral(eigs, identityFunc)
			q := orthogonal(n, seed)
			v, vinv := similarity(n, seed+10)
			for _, kind := range []struct {
				name    string
				v, vinv mat.Matrix
			}{{"normal", q, q.T()}, {"nonnormal", v, vinv}} {
				a := product(kind.v, b, kind.vinv)
				got := side(func(i int) mat.Matrix { return fs[i].matrix(a) })
				want := side(func(i int) mat.Matrix { return product(kind.v, spectral(eigs, fs[i].scalar), kind.vinv) })
				what := fmt.Sprintf("%s of a %s %d×%d (seed %d)", name, kind.name, n, n, seed)
				worst = math.Max(worst, checkClose(t, what, got, want, tol))
			}
		}
	}
}

func TestSqrtmClosedForms(t *testing.T) {
	checkClose(t, "Sqrtm(diag(4, 9))", matcalc.Sqrtm(diagonal(4, 9)), diagonal(2, 3), 1e-15)
	checkClose(t, "Sqrtm([[4]])", matcalc.Sqrtm(diagonal(4)), diagonal(2), 1e-15)
	checkClose(t, "Sqrtm(I)", matcalc.Sqrtm(matcalc.Identity(4)), matcalc.Identity(4), 0)
	checkClose(t, "Sqrtm([[1, 1], [0, 1]])", matcalc.Sqrtm(mat.NewDense(2, 2, []float64{1, 1, 0, 1})),
		mat.NewDense(2, 2, []float64{1, 0.5, 0, 1}), 1e-15)
	// f of a Jordan block J(λ) = λI + N is f(λ)I + f'(λ)N + f''(λ)/2 N².
	checkClose(t, "Sqrtm of the Jordan block J₃(4)", matcalc.Sqrtm(mat.NewDense(3, 3, []float64{4, 1, 0, 0, 4, 1, 0, 0, 4})),
		mat.NewDense(3, 3, []float64{2, 0.25, -1.0 / 64, 0, 2, 0.25, 0, 0, 2}), 1e-15)
	// The principal square root of a rotation by t is the rotation by t/2, for |t| < π.
	for _, th := range []float64{0.5, 2, 3, -3} {
		checkClose(t, fmt.Sprintf("Sqrtm(rotation(%v))", th), matcalc.Sqrtm(rotation(th)), rotation(th/2), 1e-14)
	}
	checkSpectra(t, "Sqrtm (right half plane)", rightHalfPlane, 1e-13, matrixFunc{matcalc.Sqrtm, cmplx.Sqrt})
	checkSpectra(t, "Sqrtm (off the negative axis)", offTheNegativeAxis, 1e-13, matrixFunc{matcalc.Sqrtm, cmplx.Sqrt})
}

// rightHalfPlane is a spectrum with real parts in [0.1, 5].
func rightHalfPlane(n int, seed uint64) []complex128 { return randomSpectrum(n, seed, 0.1, 5, 3) }

// offTheNegativeAxis is a spectrum with real eigenvalues in [0.2, 4] and complex ones
// with real parts in [-3, 4] and imaginary parts at least 0.3.
func offTheNegativeAxis(n int, seed uint64) []complex128 {
	eigs := randomSpectrum(n, seed, -3, 4, 3)
	for i, l := range eigs {
		if imag(l) == 0 {
			eigs[i] = complex(0.2+3.8*(real(l)+3)/7, 0)
		}
	}
	return eigs
}

// eigenvalues returns the eigenvalues of a.
func eigenvalues(a mat.Matrix) []complex128 {
	var eig mat.Eigen
	if !eig.Factorize(a, mat.EigenNone) {
		panic("eigenvalues did not converge")
	}
	return eig.Values(nil)
}

func TestSqrtmSquaresBack(t *testing.T) {
	worst := 0.0
	for _, n := range []int{2, 5, 20} {
		for seed := uint64(1); seed <= 3; seed++ {
			g := matcalc.Randn(n, n, seed)
			var spd mat.Dense
			spd.Mul(g.T(), g)
			for name, a := range map[string]*mat.Dense{
				"AᵀA + I/10": shifted(&spd, 0.1),
				"Randn + 5I": shifted(g, 5),
			} {
				what := fmt.Sprintf("Sqrtm(%s) for n = %d, seed %d", name, n, seed)
				x := matcalc.Sqrtm(a)
				worst = math.Max(worst, checkClose(t, what+" squared", product(x, x), a, 1e-13))
				// A square root of A commutes with A, and the principal one has its
				// eigenvalues in the right half plane.
				checkClose(t, what+" times A", product(x, a), product(a, x), 1e-13)
				for _, l := range eigenvalues(x) {
					if real(l) <= 0 {
						t.Errorf("%s has the eigenvalue %v, want a positive real part", what, l)
					}
				}
			}
		}
	}
	t.Logf("worst relative residual ‖X² − A‖₁/‖A‖₁: %.2g", worst)
}

// hadamard4 is the 4×4 orthogonal matrix with entries ±1/2. Products H D H of it with a
// diagonal of powers of two are exact, so an ill-conditioned test matrix can be
// given without the rounding that would dominate its square root or logarithm.
func hadamard4() *mat.Dense {
	return mat.NewDense(4, 4, []float64{
		0.5, 0.5, 0.5, 0.5,
		0.5, -0.5, 0.5, -0.5,
		0.5, 0.5, -0.5, -0.5,
		0.5, -0.5, -0.5, 0.5,
	})
}

func TestSqrtmIllConditioned(t *testing.T) {
	// The eigenvalues 2⁻²⁰ ≈ 1e-6, 1, 4 and 16, exactly: the square root's condition
	// number is about ‖A‖/(2√λ_min ‖√A‖) = 2000.
	h := hadamard4()
	a := product(h, diagonal(0x1p-20, 1, 4, 16), h)
	x := matcalc.Sqrtm(a)
	e := checkClose(t, "Sqrtm of H diag(2⁻²⁰, 1, 4, 16) H", x, product(h, diagonal(0x1p-10, 1, 2, 4), h), 1e-12)
	r := checkClose(t, "Sqrtm of H diag(2⁻²⁰, 1, 4, 16) H, squared", product(x, x), a, 1e-14)
	t.Logf("eigenvalue 2⁻²⁰: error %.2g, residual %.2g", e, r)
	// An eigenvalue 1e-6 in larger matrices, SPD and nonnormal. Forming them rounds A by
	// about eps·‖A‖, which moves √A by up to 500 times that; the tolerances allow for it.
	for _, n := range []int{3, 8} {
		d := make([]float64, n)
		sd := make([]float64, n)
		for i := range d {
			d[i] = math.Pow(4, float64(i)) / 4
			sd[i] = math.Sqrt(d[i])
		}
		d[0], sd[0] = 1e-6, 1e-3
		q := orthogonal(n, 7)
		a := product(q, diagonal(d...), q.T())
		x := matcalc.Sqrtm(a)
		e := checkClose(t, fmt.Sprintf("Sqrtm of a %d×%d SPD matrix with the eigenvalue 1e-6", n, n), x, product(q, diagonal(sd...), q.T()), 1e-11)
		// The residual of the Schur method does not suffer from the conditioning.
		r := checkClose(t, "and squared", product(x, x), a, 1e-13)
		t.Logf("n = %d: error %.2g, residual %.2g", n, e, r)
		v, vinv := similarity(n, 8)
		a = product(v, diagonal(d...), vinv)
		e = checkClose(t, fmt.Sprintf("Sqrtm of a nonnormal %d×%d matrix with the eigenvalue 1e-6", n, n), matcalc.Sqrtm(a), product(v, diagonal(sd...), vinv), 1e-11)
		t.Logf("n = %d nonnormal: error %.2g", n, e)
	}
	// Eigenvalues 1e±6, a condition number of 1e12.
	checkClose(t, "Sqrtm(diag(1e-6, 1e6))", matcalc.Sqrtm(diagonal(1e-6, 1e6)), diagonal(1e-3, 1e3), 1e-15)
	// Close to the negative real axis: a rotation by π − 1e-3 has the square root rotation((π − 1e-3)/2),
	// a problem with condition number about 1/(2 cos(t/2)) = 1000.
	th := math.Pi - 1e-3
	checkClose(t, "Sqrtm(rotation(π − 1e-3))", matcalc.Sqrtm(rotation(th)), rotation(th/2), 1e-12)
	// A defective matrix far from normal.
	checkClose(t, "Sqrtm([[1, 1e6], [0, 1]])", matcalc.Sqrtm(mat.NewDense(2, 2, []float64{1, 1e6, 0, 1})),
		mat.NewDense(2, 2, []float64{1, 5e5, 0, 1}), 1e-15)
}

func TestLogmClosedForms(t *testing.T) {
	checkClose(t, "Logm(I)", matcalc.Logm(matcalc.Identity(3)), mat.NewDense(3, 3, nil), 0)
	checkClose(t, "Logm(e·I)", matcalc.Logm(diagonal(math.E, math.E)), matcalc.Identity(2), 1e-15)
	d := []float64{2, 3, 0.5, 1e-3, 1e3, 1e-6, 1e6}
	ld := make([]float64, len(d))
	for i, v := range d {
		ld[i] = math.Log(v)
	}
	checkClose(t, "Logm(diag)", matcalc.Logm(diagonal(d...)), diagonal(ld...), 1e-15)
	// log(I + N) = N − N²/2 + … = N for N² = 0.
	checkClose(t, "Logm([[1, 1], [0, 1]])", matcalc.Logm(mat.NewDense(2, 2, []float64{1, 1, 0, 1})),
		mat.NewDense(2, 2, []float64{0, 1, 0, 0}), 1e-15)
	checkClose(t, "Logm([[1, 100], [0, 1]])", matcalc.Logm(mat.NewDense(2, 2, []float64{1, 100, 0, 1})),
		mat.NewDense(2, 2, []float64{0, 100, 0, 0}), 1e-15)
	// f(J(λ)) = f(λ)I + f'(λ)N + f''(λ)/2 N²: for log at 2, log 2, 1/2, −1/8.
	checkClose(t, "Logm of the Jordan block J₃(2)", matcalc.Logm(mat.NewDense(3, 3, []float64{2, 1, 0, 0, 2, 1, 0, 0, 2})),
		mat.NewDense(3, 3, []float64{math.Ln2, 0.5, -0.125, 0, math.Ln2, 0.5, 0, 0, math.Ln2}), 1e-15)
	// The principal logarithm of a rotation by t, |t| < π, is t times the generator.
	for _, th := range []float64{0.1, 1, 2, 3, -3, 3.1} {
		want := mat.NewDense(2, 2, []float64{0, -th, th, 0})
		checkClose(t, fmt.Sprintf("Logm(rotation(%v))", th), matcalc.Logm(rotation(th)), want, 1e-14)
	}
	checkSpectra(t, "Logm (right half plane)", rightHalfPlane, 1e-13, matrixFunc{matcalc.Logm, cmplx.Log})
	checkSpectra(t, "Logm (off the negative axis)", offTheNegativeAxis, 1e-13, matrixFunc{matcalc.Logm, cmplx.Log})
}

func TestLogmInvertsExpm(t *testing.T) {
	worst := 0.0
	for _, n := range []int{2, 5, 20} {
		for seed := uint64(1); seed <= 3; seed++ {
			// ‖X‖₁ ≤ 2 puts the eigenvalues of X within |Im λ| < π, where log exp X = X.
			for _, size := range []float64{1e-3, 0.5, 2} {
				x := matcalc.Randn(n, n, seed)
				x.Scale(size/mat.Norm(x, 1), x)
				what := fmt.Sprintf("Logm(Expm(X)) for ‖X‖₁ = %v, n = %d, seed %d", size, n, seed)
				// Expm(X) is I + X rounded to ulps of 1, so for small X the relative
				// error is about n·eps/‖X‖ whatever Logm does.
				tol := math.Max(1e-13, 100*float64(n)*0x1p-53/size)
				e := checkClose(t, what, matcalc.Logm(matcalc.Expm(x)), x, tol)
				if size >= 0.5 {
					worst = math.Max(worst, e)
				}
			}
			// The eigenvalues of an n×n Randn fill about the disc of radius √n.
			a := shifted(matcalc.Randn(n, n, seed+50), 5+math.Sqrt(float64(n)))
			checkClose(t, fmt.Sprintf("Expm(Logm(A)) for n = %d, seed %d", n, seed), matcalc.Expm(matcalc.Logm(a)), a, 1e-13)
			// log A = 2 log √A.
			l2 := matcalc.Logm(matcalc.Sqrtm(a))
			l2.Scale(2, l2)
			checkClose(t, fmt.Sprintf("2 Logm(Sqrtm(A)) for n = %d, seed %d", n, seed), l2, matcalc.Logm(a), 1e-13)
		}
	}
	t.Logf("worst relative error of Logm(Expm(X)) for ‖X‖₁ ≥ 1/2: %.2g", worst)
}

func TestLogmHardCases(t *testing.T) {
	// Eigenvalues 2⁻¹⁰ to 2¹⁰ (1e-3 to 1e3), exactly, so that Logm takes square roots of a
	// badly scaled matrix. The logarithm's absolute condition number is about
	// 1/λ_min = 1024, so errors of a few ulps of ‖A‖ become about 2e-10 absolute, 3e-11
	// relative to ‖log A‖.
	h := hadamard4()
	e := checkClose(t, "Logm of H diag(2⁻¹⁰, 2⁻³, 2, 2¹⁰) H", matcalc.Logm(product(h, diagonal(0x1p-10, 0x1p-3, 2, 0x1p10), h)),
		product(h, diagonal(-10*math.Ln2, -3*math.Ln2, math.Ln2, 10*math.Ln2), h), 1e-10)
	t.Logf("eigenvalues 2⁻¹⁰ to 2¹⁰: error %.2g", e)
	// Well scaled but with eigenvalues e⁻⁵ to e⁵.
	e = checkClose(t, "Logm of H diag(e⁻⁵, e⁻¹, e, e⁵) H", matcalc.Logm(product(h, diagonal(math.Exp(-5), math.Exp(-1), math.E, math.Exp(5)), h)),
		product(h, diagonal(-5, -1, 1, 5), h), 1e-12)
	t.Logf("eigenvalues e⁻⁵ to e⁵: error %.2g", e)
	// Near the negative real axis: the rotation by π − 1e-3.
	th := math.Pi - 1e-3
	checkClose(t, "Logm(rotation(π − 1e-3))", matcalc.Logm(rotation(th)), mat.NewDense(2, 2, []float64{0, -th, th, 0}), 1e-12)
	// A large nonnormal part: log [[2, 1e6], [0, 3]] = [[log 2, 1e6 (log 3 − log 2)], [0, log 3]].
	checkClose(t, "Logm([[2, 1e6], [0, 3]])", matcalc.Logm(mat.NewDense(2, 2, []float64{2, 1e6, 0, 3})),
		mat.NewDense(2, 2, []float64{math.Ln2, 1e6 * (math.Log(3) - math.Ln2), 0, math.Log(3)}), 1e-14)
	// A 20×20 random matrix with eigenvalues everywhere off the negative real axis.
	a := shifted(matcalc.Randn(20, 20, 11), 6)
	checkClose(t, "Expm(Logm(A)) for a 20×20 Randn + 6I", matcalc.Expm(matcalc.Logm(a)), a, 1e-13)
}

func TestSinmCosmClosedForms(t *testing.T) {
	// J = [[0, 1], [−1, 0]] has J² = −I, so sin tJ = sinh(t) J and cos tJ = cosh(t) I.
	for _, th := range []float64{0.3, 1, 5, 20} {
		tj := mat.NewDense(2, 2, []float64{0, th, -th, 0})
		sj := mat.NewDense(2, 2, []float64{0, math.Sinh(th), -math.Sinh(th), 0})
		checkClose(t, fmt.Sprintf("Sinm(%vJ)", th), matcalc.Sinm(tj), sj, 1e-14)
		checkClose(t, fmt.Sprintf("Cosm(%vJ)", th), matcalc.Cosm(tj), diagonal(math.Cosh(th), math.Cosh(th)), 1e-14)
	}
	checkClose(t, "Sinm(0)", matcalc.Sinm(mat.NewDense(3, 3, nil)), mat.NewDense(3, 3, nil), 0)
	checkClose(t, "Cosm(0)", matcalc.Cosm(mat.NewDense(3, 3, nil)), matcalc.Identity(3), 0)
	// Entry by entry against math.Sin and math.Cos, relative to |sin x| + |cos x|.
	d := []float64{1e-8, 0.1, -2, math.Pi / 2, 7, 30, -55.5}
	s, c := matcalc.Sinm(diagonal(d...)), matcalc.Cosm(diagonal(d...))
	for i, x := range d {
		scale := math.Abs(math.Sin(x)) + math.Abs(math.Cos(x))
		if e := math.Abs(s.At(i, i)-math.Sin(x)) / scale; e > 1e-14 {
			t.Errorf("Sinm(diag)[%d] = %v, want sin(%v) = %v", i, s.At(i, i), x, math.Sin(x))
		}
		if e := math.Abs(c.At(i, i)-math.Cos(x)) / scale; e > 1e-14 {
			t.Errorf("Cosm(diag)[%d] = %v, want cos(%v) = %v", i, c.At(i, i), x, math.Cos(x))
		}
	}
	if got := matcalc.Sinm(diagonal(1e-8)).At(0, 0); math.Abs(got-1e-8) > 1e-24 {
		t.Errorf("Sinm([[1e-8]]) = %v, want 1e-8 to full relative precision", got)
	}
	// f([[a, 1], [0, a]]) = [[f(a), f'(a)], [0, f(a)]].
	for _, x := range []float64{0.7, 4} {
		j := mat.NewDense(2, 2, []float64{x, 1, 0, x})
		checkClose(t, fmt.Sprintf("Sinm([[%v, 1], [0, %v]])", x, x), matcalc.Sinm(j), mat.NewDense(2, 2, []float64{math.Sin(x), math.Cos(x), 0, math.Sin(x)}), 1e-15)
		checkClose(t, fmt.Sprintf("Cosm([[%v, 1], [0, %v]])", x, x), matcalc.Cosm(j), mat.NewDense(2, 2, []float64{math.Cos(x), -math.Sin(x), 0, math.Cos(x)}), 1e-15)
	}
	// Normal and nonnormal matrices with eigenvalues up to 12 in modulus: the errors are
	// relative to ‖sin A‖ + ‖cos A‖.
	for _, spread := range []float64{2, 12} {
		spectrum := func(n int, seed uint64) []complex128 { return randomSpectrum(n, seed, -spread, spread, spread/2) }
		checkSpectra(t, fmt.Sprintf("[Sinm Cosm] (real parts to ±%v)", spread), spectrum, 1e-13, matrixFunc{matcalc.Sinm, cmplx.Sin}, matrixFunc{matcalc.Cosm, cmplx.Cos})
	}
}

func TestSinmCosmIdentities(t *testing.T) {
	worst := 0.0
	for _, n := range []int{2, 5, 20} {
		for seed := uint64(1); seed <= 3; seed++ {
			for _, size := range []float64{0.1, 1, 5} {
				a := matcalc.Randn(n, n, seed)
				a.Scale(size/mat.Norm(a, 1), a)
				s, c := matcalc.Sinm(a), matcalc.Cosm(a)
				what := fmt.Sprintf("‖A‖₁ = %v, n = %d, seed %d", size, n, seed)
				// sin² A + cos² A = I.
				var pyth mat.Dense
				pyth.Add(product(s, s), product(c, c))
				worst = math.Max(worst, checkClose(t, "sin² + cos² for "+what, &pyth, matcalc.Identity(n), 1e-14))
				// sin 2A = 2 sin A cos A and cos 2A = 2 cos² A − I = I − 2 sin² A.
				a2 := mat.DenseCopyOf(a)
				a2.Scale(2, a2)
				scale := mat.Norm(s, 1) + mat.Norm(c, 1)
				s2 := product(s, c)
				s2.Scale(2, s2)
				if e := relErr(matcalc.Sinm(a2), s2) * mat.Norm(s2, 1) / scale; e > 1e-14 {
					t.Errorf("sin 2A and 2 sin A cos A differ by %.2g relative to ‖sin A‖ + ‖cos A‖ for %s", e, what)
				}
				c2 := shifted(product(s, s), -0.5)
				c2.Scale(-2, c2)
				if e := relErr(matcalc.Cosm(a2), c2) * mat.Norm(c2, 1) / scale; e > 1e-14 {
					t.Errorf("cos 2A and I − 2 sin² A differ by %.2g relative to ‖sin A‖ + ‖cos A‖ for %s", e, what)
				}
				// Both commute with A, and sin is odd, cos even.
				checkClose(t, "A sin A = sin A A for "+what, product(a, s), product(s, a), 1e-13)
				neg := mat.DenseCopyOf(a)
				neg.Scale(-1, neg)
				minusS := matcalc.Sinm(neg)
				minusS.Scale(-1, minusS)
				checkClose(t, "−sin(−A) for "+what, minusS, s, 0)
				checkClose(t, "cos(−A) for "+what, matcalc.Cosm(neg), c, 0)
			}
		}
	}
	t.Logf("worst ‖sin² A + cos² A − I‖₁ for ‖A‖₁ ≤ 5: %.2g", worst)
	// A large norm: 20·Randn has eigenvalues far from the real axis and sin, cos of norm
	// up to 1e30 or so, between which sin² + cos² = I cancels; the error is measured
	// against ‖sin A‖² + ‖cos A‖².
	for _, n := range []int{3, 6, 10} {
		a := matcalc.Randn(n, n, uint64(n))
		a.Scale(20, a)
		s, c := matcalc.Sinm(a), matcalc.Cosm(a)
		var pyth mat.Dense
		pyth.Add(product(s, s), product(c, c))
		scale := math.Pow(mat.Norm(s, 1), 2) + math.Pow(mat.Norm(c, 1), 2)
		if e := relErr(&pyth, matcalc.Identity(n)) / scale; e > 1e-13 {
			t.Errorf("20·Randn(%d): ‖sin² + cos² − I‖ = %.2g (‖sin‖² + ‖cos‖²)", n, e)
		} else {
			t.Logf("20·Randn(%d), ‖A‖₁ = %.3g: ‖sin² + cos² − I‖ = %.2g (‖sin‖² + ‖cos‖² = %.2g)", n, mat.Norm(a, 1), e, scale)
		}
	}
}

func TestExpm(t *testing.T) {
	checkClose(t, "Expm(diag(1, −2, 0.5))", matcalc.Expm(diagonal(1, -2, 0.5)), diagonal(math.E, math.Exp(-2), math.Exp(0.5)), 1e-15)
	for _, th := range []float64{0.5, 3, 10} {
		checkClose(t, fmt.Sprintf("Expm of %v times the rotation generator", th), matcalc.Expm(mat.NewDense(2, 2, []float64{0, -th, th, 0})), rotation(th), 1e-14)
	}
	checkClose(t, "Expm(0)", matcalc.Expm(mat.NewDense(3, 3, nil)), matcalc.Identity(3), 0)
	checkClose(t, "Expm([[1, 1], [0, 1]])", matcalc.Expm(mat.NewDense(2, 2, []float64{1, 1, 0, 1})), mat.NewDense(2, 2, []float64{math.E, math.E, 0, math.E}), 1e-15)
	// exp(iA) = cos A + i sin A: in real form, exp of [[0, −A], [A, 0]] is [[cos A, −sin A], [sin A, cos A]].
	a := matcalc.Randn(4, 4, 2)
	k := matcalc.Kron(mat.NewDense(2, 2, []float64{0, -1, 1, 0}), a)
	c, s := matcalc.Cosm(a), matcalc.Sinm(a)
	minusS := mat.DenseCopyOf(s)
	minusS.Scale(-1, minusS)
	var top, bottom, want mat.Dense
	top.Augment(c, minusS)
	bottom.Augment(s, c)
	want.Stack(&top, &bottom)
	checkClose(t, "Expm of [[0, −A], [A, 0]] against Cosm and Sinm", matcalc.Expm(k), &want, 1e-14)
	e := matcalc.Expm(a)
	neg := mat.DenseCopyOf(a)
	neg.Scale(-1, neg)
	checkClose(t, "Expm(A) Expm(−A)", product(e, matcalc.Expm(neg)), matcalc.Identity(4), 1e-14)
	checkSpectra(t, "Expm", func(n int, seed uint64) []complex128 { return randomSpectrum(n, seed, -3, 3, 3) }, 1e-13, matrixFunc{matcalc.Expm, cmplx.Exp})
}

func TestMatrixFunctionsPanicClearly(t *testing.T) {
	for name, f := range map[string]func(mat.Matrix) *mat.Dense{
		"Sqrtm": matcalc.Sqrtm, "Logm": matcalc.Logm, "Sinm": matcalc.Sinm, "Cosm": matcalc.Cosm, "Expm": matcalc.Expm,
	} {
		wantPanic(t, "matcalc: "+name+": a is 2×3, want a square matrix", func() { f(mat.NewDense(2, 3, nil)) })
		wantPanic(t, "matcalc: "+name+": a is empty", func() { f(&mat.Dense{}) })
		wantPanic(t, "matcalc: "+name+": a[0, 1] is NaN, want a finite number", func() {
			f(mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 1}))
		})
		wantPanic(t, "matcalc: "+name+": a[1, 0] is +Inf, want a finite number", func() {
			f(mat.NewDense(2, 2, []float64{1, 0, math.Inf(1), 1}))
		})
	}
	const negative = "on the closed negative real axis, so it has no principal "
	wantPanic(t, "matcalc: Sqrtm: a has the eigenvalue -1 "+negative+"square root", func() { matcalc.Sqrtm(diagonal(-1, 1)) })
	wantPanic(t, "matcalc: Sqrtm: a has the eigenvalue -1 "+negative+"square root", func() { matcalc.Sqrtm(shifted(mat.NewDense(3, 3, nil), -1)) })
	// [[1, 2], [3, −4]] has the eigenvalues 2 and −5.
	wantPanic(t, "matcalc: Sqrtm: a has the eigenvalue -5 "+negative+"square root", func() { matcalc.Sqrtm(mat.NewDense(2, 2, []float64{1, 2, 3, -4})) })
	wantPanic(t, "matcalc: Sqrtm: a is singular (it has the eigenvalue 0", func() { matcalc.Sqrtm(diagonal(0, 1)) })
	wantPanic(t, "matcalc: Logm: a has the eigenvalue -2 "+negative+"logarithm", func() { matcalc.Logm(diagonal(-2, 1)) })
	wantPanic(t, "matcalc: Logm: a is singular (it has the eigenvalue 0", func() { matcalc.Logm(diagonal(0, 1)) })
	wantPanic(t, "matcalc: Logm: a is singular", func() { matcalc.Logm(mat.NewDense(3, 3, nil)) })
	wantPanic(t, "matcalc: Logm: a is singular", func() { matcalc.Logm(mat.NewDense(2, 2, []float64{1, 2, 2, 4})) })
	wantPanic(t, "matcalc: Sqrtm: a is singular", func() { matcalc.Sqrtm(mat.NewDense(2, 2, []float64{1, 2, 2, 4})) })
	// Rank-deficient Gram matrices GGᵀ, whose eigenvalue 0 is computed only to rounding,
	// as ±1e-17 or so: they panic whatever the sign.
	for seed := uint64(1); seed <= 12; seed++ {
		g := matcalc.Randn(4, 3, seed)
		gram := product(g, g.T())
		wantPanic(t, "matcalc: Logm: a is singular", func() { matcalc.Logm(gram) })
		wantPanic(t, "matcalc: Sqrtm: a is singular", func() { matcalc.Sqrtm(gram) })
	}
	// Eigenvalues of graded size are not taken for 0.
	matcalc.Logm(diagonal(1e-15, 1))
	matcalc.Sqrtm(diagonal(1e-15, 1))
	// A nilpotent matrix: all its eigenvalues are 0.
	wantPanic(t, "matcalc: Sqrtm: a is singular", func() { matcalc.Sqrtm(mat.NewDense(2, 2, []float64{0, 1, 0, 0})) })
}

// The derivatives of the matrix functions, taken numerically by matcalc.D, against
// equations they satisfy: this is what the functions' smoothness is for.
func TestMatrixFunctionsDifferentiate(t *testing.T) {
	a := shifted(matcalc.Randn(4, 4, 21), 4)
	e := matcalc.Randn(4, 4, 22)
	// X = √A: X dX + dX X = dA.
	x := matcalc.Sqrtm(a)
	dx := matcalc.D(matcalc.Sqrtm, a).Apply(e).(*mat.Dense)
	var sylv mat.Dense
	sylv.Add(product(x, dx), product(dx, x))
	checkClose(t, "D Sqrtm: X dX + dX X = dA", &sylv, e, 1e-10)
	// L = log A: the derivative of exp at L maps dL to dA, and exp of the block
	// [[L, dL], [0, L]] has that derivative in its corner (gonum's Exp, not Logm).
	l := matcalc.Logm(a)
	dl := matcalc.D(matcalc.Logm, a).Apply(e).(*mat.Dense)
	var top, bottom, block mat.Dense
	top.Augment(l, dl)
	bottom.Augment(mat.NewDense(4, 4, nil), l)
	block.Stack(&top, &bottom)
	corner := matcalc.Expm(&block).Slice(0, 4, 4, 8)
	checkClose(t, "D Logm: exp'(log A)[dL] = dA", corner, e, 1e-10)
	// Along A itself everything commutes: d sin(A + hA)/dh = A cos A, and so on.
	for _, c := range []struct {
		name string
		f    func(mat.Matrix) *mat.Dense
		want *mat.Dense
	}{
		{"Sinm", matcalc.Sinm, product(a, matcalc.Cosm(a))},
		{"Cosm", matcalc.Cosm, func() *mat.Dense { m := product(a, matcalc.Sinm(a)); m.Scale(-1, m); return m }()},
		{"Expm", matcalc.Expm, product(a, matcalc.Expm(a))},
		{"Logm", matcalc.Logm, matcalc.Identity(4)},
		{"Sqrtm", matcalc.Sqrtm, func() *mat.Dense { m := matcalc.Sqrtm(a); m.Scale(0.5, m); return m }()},
	} {
		checkClose(t, "D "+c.name+" along A", matcalc.D(c.f, a).Apply(a).(*mat.Dense), c.want, 1e-10)
	}
}

// Where an algorithm branches, finite differences straddle the branch; the derivative
// must come out as well as anywhere else.
func TestMatrixFunctionsDifferentiateAcrossBranches(t *testing.T) {
	e := matcalc.Randn(3, 3, 31)
	// Logm switches from the plain series to the Schur form at ‖A − I‖₁ = 1/2.
	x := matcalc.Randn(3, 3, 32)
	x.Scale(0.5/mat.Norm(x, 1), x)
	a := shifted(x, 1)
	l := matcalc.Logm(a)
	dl := matcalc.D(matcalc.Logm, a).Apply(e).(*mat.Dense)
	var top, bottom, block mat.Dense
	top.Augment(l, dl)
	bottom.Augment(mat.NewDense(3, 3, nil), l)
	block.Stack(&top, &bottom)
	checkClose(t, "D Logm at ‖A − I‖₁ = 1/2", matcalc.Expm(&block).Slice(0, 3, 3, 6), e, 1e-10)
	// Sinm and Cosm halve A once more from ‖A‖₁ = 4 on.
	b := matcalc.Randn(3, 3, 33)
	b.Scale(4/mat.Norm(b, 1), b)
	minusS := matcalc.Sinm(b)
	minusS.Scale(-1, minusS)
	checkClose(t, "D Sinm along A at ‖A‖₁ = 4", matcalc.D(matcalc.Sinm, b).Apply(b).(*mat.Dense), product(b, matcalc.Cosm(b)), 1e-10)
	checkClose(t, "D Cosm along A at ‖A‖₁ = 4", matcalc.D(matcalc.Cosm, b).Apply(b).(*mat.Dense), product(b, minusS), 1e-10)
}
