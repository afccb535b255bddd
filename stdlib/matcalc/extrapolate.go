package matcalc

import "math"

// Ridders' method (Numerical Recipes' dfridr, for vectors): estimates est(h) of a
// derivative whose error is a series in h², at steps h0, h0/1.4, h0/1.4², ..., are
// extrapolated to h = 0 in a Neville tableau; the answer is the entry whose neighbours
// agree best, and their disagreement is the error estimate.
const (
	riddersShrink = 1.4
	riddersTable  = 12
	riddersSafe   = 2.0
)

// Extrapolation stops once the error estimate is this small relative to the result: first
// derivatives aim at 12 digits or more, second derivatives (whose round-off grows like
// 1/h², and which cost n² evaluations a level for a Hessian) at 9 or more.
const (
	firstOrderTol  = 1e-14
	secondOrderTol = 1e-10
)

// ridders returns the extrapolated value of est at h = 0 and its error estimate (in the
// max norm). It stops early once the error estimate is below tol relative to the result.
func ridders(est func(h float64) []float64, h0, tol float64) ([]float64, float64) {
	return riddersChecked(est, h0, tol, nil)
}

// riddersChecked is ridders with a second way to stop: from the second level on, while
// the tableau's own estimate is not yet small enough, check(best) may vouch for the best
// entry with an error estimate of its own (ok set); the tableau's estimate needs a third
// level.
func riddersChecked(est func(h float64) []float64, h0, tol float64, check func(best []float64) (err float64, ok bool)) ([]float64, float64) {
	a := make([][][]float64, riddersTable) // a[j][i]: extrapolation order j at step i
	for j := range a {
		a[j] = make([][]float64, riddersTable)
	}
	h := h0
	a[0][0] = est(h)
	best, bestErr := a[0][0], math.Inf(1)
	for i := 1; i < riddersTable; i++ {
		h /= riddersShrink
		a[0][i] = est(h)
		fac := riddersShrink * riddersShrink
		for j := 1; j <= i; j++ {
			a[j][i] = make([]float64, len(a[0][i]))
			for k := range a[j][i] {
				a[j][i][k] = (a[j-1][i][k]*fac - a[j-1][i-1][k]) / (fac - 1)
			}
			fac *= riddersShrink * riddersShrink
			e := math.Max(maxDiff(a[j][i], a[j-1][i]), maxDiff(a[j][i], a[j-1][i-1]))
			if e <= bestErr {
				best, bestErr = a[j][i], e
			}
		}
		// Higher order made it worse: round-off has taken over. Or the estimate already
		// agrees to round-off: more levels cannot improve it.
		if maxDiff(a[i][i], a[i-1][i-1]) >= riddersSafe*bestErr || bestErr <= tol*maxAbs(best) {
			break
		}
		if check != nil {
			if e, ok := check(best); ok {
				return best, e
			}
		}
	}
	return best, bestErr
}

func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
