package hardcases

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// logUniform is ±10^U(lo, hi), the sign drawn too when signed.
func logUniform(rng *rand.Rand, lo, hi float64, signed bool) float64 {
	x := math.Pow(10, lo+(hi-lo)*rng.Float64())
	if signed && rng.IntN(2) == 0 {
		x = -x
	}
	return x
}

func randPole(rng *rand.Rand) Case { return pole(logUniform(rng, -4, -1, true)) }

func randEdge(rng *rand.Rand) Case {
	x := logUniform(rng, -4, -1, true)
	if rng.IntN(2) == 0 {
		return logAt(x)
	}
	return sqrtAt(x)
}

// randSquare is a Gaussian n×n matrix, n in 2..9, and a third of the time one whose
// smallest singular value is 10^U(−4, −2) times its largest; its name says which.
func randSquare(rng *rand.Rand) (name string, a, da *mat.Dense) {
	n := 2 + rng.IntN(8)
	if rng.IntN(3) == 0 {
		ratio := logUniform(rng, -4, -2, false)
		return fmt.Sprintf("%d×%d, σ_min/σ_max = %.1e", n, n, ratio), nearSingular(rng, n, ratio), gaussian(rng, n, n)
	}
	return fmt.Sprintf("%d×%d Gaussian", n, n), gaussian(rng, n, n), gaussian(rng, n, n)
}

func randLogdet(rng *rand.Rand) Case {
	name, a, da := randSquare(rng)
	return logdet("log|det A|, "+name, a, da)
}

func randInverse(rng *rand.Rand) Case {
	name, a, da := randSquare(rng)
	return inverse("A⁻¹, "+name, a, da)
}

// randQR is Q or R of a Gaussian n×n matrix, n in 2..6; half the time one column's
// working entry is ±10^U(−4, −2), so that a Householder sign flips close by.
func randQR(rng *rand.Rand) Case {
	n := 2 + rng.IntN(5)
	a, da := gaussian(rng, n, n), gaussian(rng, n, n)
	name := fmt.Sprintf("%d×%d Gaussian", n, n)
	if rng.IntN(2) == 0 {
		k, w := rng.IntN(n-1), logUniform(rng, -4, -2, true)
		a = workingEntry(a, k, w)
		name = fmt.Sprintf("%d×%d, column %d's working entry %.1e", n, n, k+1, w)
	}
	wantR := rng.IntN(2) == 0
	if wantR {
		return qr("R of QR, "+name, a, da, true)
	}
	return qr("Q of QR, "+name, a, da, false)
}

// randEigenGap is a symmetric n×n matrix, n in 3..7, with eigenvalues about 1 apart but
// for one pair 10^U(−4, −2) apart.
func randEigenGap(rng *rand.Rand) Case {
	n := 3 + rng.IntN(5)
	gap := logUniform(rng, -4, -2, false)
	lambda := make([]float64, 0, n)
	for i := 0; i < n-1; i++ {
		lambda = append(lambda, -2+float64(i)+0.4*rng.Float64())
	}
	k := rng.IntN(n - 1)
	lambda = append(lambda[:k+1], append([]float64{lambda[k] + gap}, lambda[k+1:]...)...)
	return eigenGap(fmt.Sprintf("eigenvalues, %d×%d symmetric, gap %.1e", n, n, gap), rng, lambda)
}

func randKepler(rng *rand.Rand) Case {
	return kepler(0.95*rng.Float64(), 2*math.Pi*rng.Float64())
}

// randSqrtm is √A of an n×n SPD matrix, n in 2..6, with its smallest eigenvalue
// 10^U(−6, −2) and the others in [0.5, 4].
func randSqrtm(rng *rand.Rand) Case {
	n := 2 + rng.IntN(5)
	lambda := []float64{logUniform(rng, -6, -2, false)}
	for i := 1; i < n; i++ {
		lambda = append(lambda, 0.5+3.5*rng.Float64())
	}
	return sqrtm(fmt.Sprintf("√A, %d×%d SPD, λ_min = %.1e", n, n, lambda[0]), rng, lambda)
}
