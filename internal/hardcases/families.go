package hardcases

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

func pole(x float64) Case {
	return Case{
		Name: fmt.Sprintf("1/x at %.2g", x), Family: "pole",
		F: func(x float64) float64 { return 1 / x }, X: x, Dx: 1.0,
		Want: []float64{-1 / (x * x)}, Want2: []float64{2 / (x * x * x)},
	}
}

// logAt is log x for x > 0 and log(-x) for x < 0: both are 1/x, -1/x² derivatives from
// an edge of the domain at 0.
func logAt(x float64) Case {
	c := Case{Family: "domain edge", X: x, Dx: 1.0, Want: []float64{1 / x}, Want2: []float64{-1 / (x * x)}}
	if x > 0 {
		c.Name, c.F = fmt.Sprintf("math.Log at %.2g", x), math.Log
	} else {
		c.Name, c.F = fmt.Sprintf("log(−x) at %.2g", x), func(x float64) float64 { return math.Log(-x) }
	}
	return c
}

// sqrtAt is √x for x > 0 and √(−x) for x < 0.
func sqrtAt(x float64) Case {
	r := math.Sqrt(math.Abs(x))
	c := Case{Family: "domain edge", X: x, Dx: 1.0, Want2: []float64{-1 / (4 * r * r * r)}}
	if x > 0 {
		c.Name, c.F, c.Want = fmt.Sprintf("math.Sqrt at %.2g", x), math.Sqrt, []float64{1 / (2 * r)}
	} else {
		c.Name, c.F, c.Want = fmt.Sprintf("√(−x) at %.2g", x), func(x float64) float64 { return math.Sqrt(-x) }, []float64{-1 / (2 * r)}
	}
	return c
}

// logdet is log|det A| (mat.LogDet, dropping the sign): f' = tr(A⁻¹dA),
// f” = −tr(A⁻¹dA A⁻¹dA). The name says where det(A + t dA) changes sign.
func logdet(name string, a, da *mat.Dense) Case {
	var m mat.Dense
	m.Solve(a, da)
	if t := detSignChange(&m); !math.IsInf(t, 0) {
		name += fmt.Sprintf(", det(A + t dA) changes sign at t = %.2g", t)
	}
	return Case{
		Name: name, Family: "logdet",
		F: func(a *mat.Dense) float64 { v, _ := mat.LogDet(a); return v },
		X: a, Dx: da,
		Want: []float64{mat.Trace(&m)}, Want2: []float64{-mat.Trace(mul(&m, &m))},
	}
}

// inverse is A⁻¹: f' = −A⁻¹dA A⁻¹, f” = 2 A⁻¹dA A⁻¹dA A⁻¹.
func inverse(name string, a, da *mat.Dense) Case {
	b := inv(a)
	var want, want2 mat.Dense
	want.Scale(-1, mul(b, da, b))
	want2.Scale(2, mul(b, da, b, da, b))
	return Case{
		Name: name, Family: "inverse",
		F: func(a *mat.Dense) *mat.Dense { return inv(a) },
		X: a, Dx: da, Want: Vec(&want), Want2: Vec(&want2),
	}
}

// qr is Q (or R) of gonum's QR. With X = Qᵀ dA R⁻¹, L its strictly lower triangle and
// Ω = L − Lᵀ: dQ = QΩ, dR = (X − Ω)R (QᵀdQ is antisymmetric, dR R⁻¹ upper triangular).
// The name says where a Householder sign flips along dA, if within |t| ≤ 1: there Q and R
// jump.
func qr(name string, a, da *mat.Dense, wantR bool) Case {
	q, r := qrFactors(a)
	x := mul(q.T(), da, inv(r))
	n, _ := x.Dims()
	omega := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			omega.Set(i, j, x.At(i, j))
			omega.Set(j, i, -x.At(i, j))
		}
	}
	if t := qrFlip(a, da); t != 0 {
		name += fmt.Sprintf(", Householder sign flips at t = %.2g", t)
	}
	c := Case{Name: name, Family: "qr", X: a, Dx: da}
	if wantR {
		var u mat.Dense
		u.Sub(x, omega)
		c.F = func(a *mat.Dense) *mat.Dense { _, r := qrFactors(a); return r }
		c.Want = Vec(mul(&u, r))
	} else {
		c.F = func(a *mat.Dense) *mat.Dense { q, _ := qrFactors(a); return q }
		c.Want = Vec(mul(q, omega))
	}
	return c
}

// eigenGap is the ascending eigenvalues of A = V diag(λ) Vᵀ (V a random orthogonal
// matrix) along a symmetric random dA: λ_k' = v_kᵀ dA v_k and
// λ_k” = 2 Σ_{j≠k} (v_jᵀ dA v_k)² / (λ_k − λ_j), with v_k from an EigenSym at A.
func eigenGap(name string, rng *rand.Rand, lambda []float64) Case {
	n := len(lambda)
	a := fromEigen(orthogonal(rng, n), lambda)
	da := symGaussian(rng, n)
	vals, v := eigSym(a)
	p := mul(v.T(), da, v) // p_jk = v_jᵀ dA v_k
	want, want2 := make([]float64, n), make([]float64, n)
	for k := range want {
		want[k] = p.At(k, k)
		for j := range vals {
			if j != k {
				want2[k] += 2 * p.At(j, k) * p.At(j, k) / (vals[k] - vals[j])
			}
		}
	}
	return Case{
		Name: name, Family: "eigen gap",
		F: func(a *mat.Dense) []float64 { vals, _ := eigSym(a); return vals },
		X: a, Dx: da, Want: want, Want2: want2,
	}
}

// sqrtm is the symmetric square root V √Λ Vᵀ of A = V diag(λ) Vᵀ (NaN entries once an
// eigenvalue is negative). X dX + dX X = dA and X d²X + d²X X = −2 dX² are diagonal in
// the eigenbasis: dX̃_ij = dÃ_ij / (√λ_i + √λ_j), d²X̃_ij = −2 (dX̃²)_ij / (√λ_i + √λ_j).
func sqrtm(name string, rng *rand.Rand, lambda []float64) Case {
	n := len(lambda)
	a := fromEigen(orthogonal(rng, n), lambda)
	da := symGaussian(rng, n)
	vals, v := eigSym(a)
	s := make([]float64, n)
	for i, l := range vals {
		s[i] = math.Sqrt(l)
	}
	solve := func(b *mat.Dense) *mat.Dense { // Ỹ_ij = B̃_ij / (s_i + s_j)
		out := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				out.Set(i, j, b.At(i, j)/(s[i]+s[j]))
			}
		}
		return out
	}
	dxt := solve(mul(v.T(), da, v))
	var sq mat.Dense
	sq.Scale(-2, mul(dxt, dxt))
	d2xt := solve(&sq)
	return Case{
		Name: name, Family: "sqrtm",
		F: func(a *mat.Dense) *mat.Dense {
			vals, v := eigSym(a)
			for i := range vals {
				vals[i] = math.Sqrt(vals[i])
			}
			return mul(v, diag(vals), v.T())
		},
		X: a, Dx: da, Want: Vec(mul(v, dxt, v.T())), Want2: Vec(mul(v, d2xt, v.T())),
	}
}

// keplerSolve solves Kepler's equation E − e sin E = M for E the way a student writes
// it: Newton from E = M until the step is below 1e-12.
func keplerSolve(e float64) func(float64) float64 {
	return func(m float64) float64 {
		E, dE := m, 1.0
		for i := 0; i < 100 && math.Abs(dE) > 1e-12; i++ {
			dE = (E - e*math.Sin(E) - m) / (1 - e*math.Cos(E))
			E -= dE
		}
		return E
	}
}

// kepler is E(M): E' = 1/(1 − e cos E), E” = −e sin E / (1 − e cos E)³.
func kepler(e, m float64) Case {
	f := keplerSolve(e)
	E := f(m)
	g := 1 - e*math.Cos(E)
	return Case{
		Name: fmt.Sprintf("Kepler E(M) by Newton, e = %.3g, M = %.3g", e, m), Family: "implicit",
		F: f, X: m, Dx: 1.0,
		Want: []float64{1 / g}, Want2: []float64{-e * math.Sin(E) / (g * g * g)},
	}
}

// system2 is g(x, p) = (x₁³ + x₁ + p₂x₂ − p₁, x₂³ + x₂ − x₁ − p₁p₂) with ∂g/∂x.
func system2(x, p []float64) (g [2]float64, gx [2][2]float64) {
	g = [2]float64{x[0]*x[0]*x[0] + x[0] + p[1]*x[1] - p[0], x[1]*x[1]*x[1] + x[1] - x[0] - p[0]*p[1]}
	gx = [2][2]float64{{3*x[0]*x[0] + 1, p[1]}, {-1, 3*x[1]*x[1] + 1}}
	return g, gx
}

// solve2 solves the 2×2 system a y = b by Cramer's rule.
func solve2(a [2][2]float64, b [2]float64) [2]float64 {
	det := a[0][0]*a[1][1] - a[0][1]*a[1][0]
	return [2]float64{(b[0]*a[1][1] - a[0][1]*b[1]) / det, (a[0][0]*b[1] - a[1][0]*b[0]) / det}
}

// newton2 is x(p) with g(x(p), p) = 0, by Newton from x = 0 until the step is below
// 1e-12, as a student writes it.
func newton2(p []float64) []float64 {
	x := []float64{0, 0}
	for i := 0; i < 100; i++ {
		g, gx := system2(x, p)
		d := solve2(gx, g)
		x[0], x[1] = x[0]-d[0], x[1]-d[1]
		if math.Max(math.Abs(d[0]), math.Abs(d[1])) <= 1e-12 {
			break
		}
	}
	return x
}

// implicit2 is x(p) of system2. By the implicit function theorem x' = −(∂g/∂x)⁻¹ ∂g/∂p dp,
// and x” = −(∂g/∂x)⁻¹ q with q the second derivative of g along (x', dp).
func implicit2(p, dp []float64) Case {
	x := newton2(p)
	_, gx := system2(x, p)
	gp := [2]float64{-dp[0] + x[1]*dp[1], -p[1]*dp[0] - p[0]*dp[1]}
	u := solve2(gx, gp)
	u[0], u[1] = -u[0], -u[1]
	q := [2]float64{6*x[0]*u[0]*u[0] + 2*u[1]*dp[1], 6*x[1]*u[1]*u[1] - 2*dp[0]*dp[1]}
	w := solve2(gx, q)
	return Case{
		Name:   fmt.Sprintf("x(p) of a 2-D system by Newton, p = (%.3g, %.3g)", p[0], p[1]),
		Family: "implicit", F: newton2, X: p, Dx: dp,
		Want: []float64{u[0], u[1]}, Want2: []float64{-w[0], -w[1]},
	}
}

// controls are smooth, well-scaled functions every method should get right.
func controls() []Case {
	a, da := gaussian(seedRNG(12), 4, 4), gaussian(seedRNG(1012), 4, 4)
	var m mat.Dense
	m.Solve(a, da)
	det, tr := mat.Det(a), mat.Trace(&m)
	detCase := Case{
		Name: "det A, 4×4 Gaussian (seed 12)", Family: "smooth",
		F: func(a *mat.Dense) float64 { return mat.Det(a) }, X: a, Dx: da,
		Want: []float64{det * tr}, Want2: []float64{det * (tr*tr - mat.Trace(mul(&m, &m)))},
	}

	b, db := gaussian(seedRNG(13), 3, 3), gaussian(seedRNG(1013), 3, 3)
	var sq, sq2 mat.Dense
	sq.Add(mul(b, db), mul(db, b))
	sq2.Scale(2, mul(db, db))
	square := Case{
		Name: "A², 3×3 Gaussian (seed 13)", Family: "smooth",
		F: func(a *mat.Dense) *mat.Dense { return mul(a, a) }, X: b, Dx: db,
		Want: Vec(&sq), Want2: Vec(&sq2),
	}

	qa, rng := gaussian(seedRNG(14), 4, 4), seedRNG(1014)
	x, dx := mat.NewVecDense(4, nil), mat.NewVecDense(4, nil)
	for i := 0; i < 4; i++ {
		x.SetVec(i, rng.NormFloat64())
		dx.SetVec(i, rng.NormFloat64())
	}
	var sym mat.Dense
	sym.Add(qa, qa.T())
	quad := Case{
		Name: "xᵀAx, 4-vector (seed 14)", Family: "smooth",
		F: func(x *mat.VecDense) float64 { return mat.Inner(x, qa, x) }, X: x, Dx: dx,
		Want: []float64{mat.Inner(x, &sym, dx)}, Want2: []float64{2 * mat.Inner(dx, qa, dx)},
	}

	p, dp := []float64{0.7, 0.3}, []float64{1, -0.5}
	s, c, e := math.Sin(p[0]), math.Cos(p[0]), math.Exp(p[1])
	sinExp := Case{
		Name: "sin x · exp y at (0.7, 0.3)", Family: "smooth",
		F: func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }, X: p, Dx: dp,
		Want:  []float64{e * (c*dp[0] + s*dp[1])},
		Want2: []float64{e * (-s*dp[0]*dp[0] + 2*c*dp[0]*dp[1] + s*dp[1]*dp[1])},
	}
	return []Case{detCase, square, quad, sinExp}
}
