package matcalc

import (
	"fmt"
	"math"
)

// Ridders' method (Numerical Recipes' dfridr, for vectors) behind a search for the steps
// where it is valid.
//
// A difference formula d(h), a central first or second difference along fixed directions,
// approaches the derivative as d(h) = d(0) + c₁h² + c₂h⁴ + ... only while the points it
// probes stay where f is smooth. A step of a tenth of x's scale can cross a pole (1/x at
// 0.05), leave f's domain (log at 0.05), pass where a determinant changes sign or a
// factorization flips a sign, or straddle two eigenvalues that swap. So the steps
// h₀, h₀/1.4, h₀/1.4², ... are used only while the formula behaves as its series says: f
// finite (and not panicking) at every point, and each three consecutive differences
// shrinking at a rate a series in h² gives (or agreeing to round-off). Where f fails, the
// search goes on from a step ten times smaller; where the differences do not settle, a new
// tableau starts from the last two. Each run of steps that behaved is extrapolated to h = 0
// in a Neville tableau, whose answer is the entry whose neighbours agree best; the run with
// the smallest error estimate wins. The estimate is the neighbours' disagreement, but never
// less than the round-off of the differences the entry came from: entries can agree by
// chance where round-off rules.
const (
	riddersShrink = 1.4
	riddersSafe   = 2.0
	tableRows     = 14 // rows of one tableau: by then round-off has taken over
	maxLevels     = 60 // differences evaluated at most in one extrapolation
	failShrink    = 10 // f failed at a step: try one this many times smaller
)

// Extrapolation stops once the error estimate is this small relative to the result: first
// derivatives aim at 12 digits or more, second derivatives (whose round-off grows like
// 1/h², and which cost n² evaluations a level for a Hessian) at 9 or more.
const (
	firstOrderAim  = 1e-14
	secondOrderAim = 1e-10
)

// difference is a finite-difference formula at step h: its value in coordinates and the
// largest |f| it used, or an error when f failed at one of its points.
type difference func(h float64) (v []float64, fmag float64, err error)

// estimate is the outcome of an extrapolation.
type estimate struct {
	value []float64
	err   float64 // error estimate in the max norm; +Inf when no steps behaved
	scale float64 // the size the error is measured against (see scaleOf)
	// noise is the round-off the value may carry, and natural the size of a derivative of
	// f at x's scale (f's size over x's scale, to the derivative's order): a derivative
	// that is zero, at a minimum say, is right when its error is round-off small against
	// natural.
	noise, natural float64
	hMax           float64 // the steps the value came from
	hMin           float64
	h0             float64 // the first step tried, and the last
	hLast          float64
	// trouble says why steps were rejected: the last failure of f or of smoothness.
	trouble string
}

// row is one difference of the tableau.
type row struct {
	h     float64
	v     []float64
	noise float64
	fmag  float64 // the largest |f| the difference used
}

// extrapolation is a derivative to extrapolate.
type extrapolation struct {
	diff  difference
	order int     // of the derivative: the round-off of diff grows like 1/h^order
	gain  float64 // the sizes of diff's coefficients added up, times h^order
	h0    float64 // the first step
	aim   float64 // the relative error at which it stops early
	fx    float64 // f's size at x
	scale float64 // x's scale along the directions
	// check, when not nil, may vouch for the best entry from the second step on, with an
	// error estimate of its own.
	check func(best []float64) (float64, bool)
	// noisiness, when not nil, measures how many times noisier f is near x than the
	// rounding of its values, at steps far below hMin.
	noisiness func(hMin float64) float64
}

// run evaluates the difference on shrinking steps and returns the extrapolation to h = 0.
func (x extrapolation) run() estimate {
	diff, h0, aim, check := x.diff, x.h0, x.aim, x.check
	best := estimate{err: math.Inf(1), h0: h0}
	var all []row // every difference evaluated
	// keep makes the tableau of rows a candidate answer; the best candidate wins.
	keep := func(rows []row, t *tableau, checked float64) {
		// f's size near x (at x, and at the largest step the run used) over x's scale.
		natural := math.Max(x.fx, rows[0].fmag) / math.Pow(x.scale, float64(x.order))
		e := estimate{value: t.best, noise: t.noisy, h0: h0, natural: natural}
		if checked >= 0 {
			e.noise = rows[len(rows)-1].noise
			e.err = math.Max(checked, e.noise)
		} else {
			// Twice the disagreement: the best of many entries is chosen for agreeing.
			e.err = math.Max(2*t.err, e.noise)
		}
		e.hMax, e.hMin = rows[0].h, rows[len(rows)-1].h
		e.scale = scaleOf(e.value, rows)
		if flat(rows) && changedAbove(all, rows[0].h) {
			// f is constant within these steps of x but not at larger ones: a step
			// function, or f computed with too few digits.
			e.err, e.trouble = math.Inf(1), fmt.Sprintf("f is constant within %.3g of x but not at larger steps: is it computed with too few digits?", e.hMax)
		}
		if e.err < best.err {
			e.trouble = best.trouble
			best = e
		} else if math.IsInf(e.err, 1) && math.IsInf(best.err, 1) {
			best.trouble = e.trouble
		}
	}
	var rows []row
	var t tableau
	h := h0
	for level := 0; level < maxLevels && h > 0; level, h = level+1, h/riddersShrink {
		best.hLast = h
		v, fmag, err := diff(h)
		if err != nil {
			best.trouble = fmt.Sprintf("at step %.3g %v", h, err)
			if len(rows) >= 3 {
				keep(rows, &t, -1)
			}
			rows, t = nil, tableau{}
			h /= failShrink / riddersShrink
			continue
		}
		// The rounding of f's values (2 eps |f| each), through diff's coefficients.
		noise := x.gain * 2 * eps * fmag / math.Pow(h, float64(x.order))
		all = append(all, row{h: h, v: v})
		rows = append(rows, row{h, v, noise, fmag})
		if n := len(rows); n >= 3 && !settles(rows[n-3:]) {
			// The rows before the last two are suspect: start a tableau from these two.
			best.trouble = fmt.Sprintf("the differences at steps %.3g to %.3g do not settle as a smooth f's do", rows[n-3].h, h)
			if n > 3 {
				keep(rows[:n-1], &t, -1)
			}
			rows, t = restart(rows[n-2:])
			continue
		}
		t.add(v, noise)
		if check != nil && len(rows) >= 2 {
			if e, ok := check(t.best); ok {
				keep(rows, &t, e)
				break
			}
		}
		if len(rows) < 3 {
			continue
		}
		if t.err <= aim*maxAbs(t.best) || len(rows) == tableRows {
			keep(rows, &t, -1)
			break
		}
		if t.settled {
			keep(rows, &t, -1)
			if t.err <= 1000*t.noisy {
				break // round-off has taken over
			}
			// Higher orders got worse far above round-off: the larger steps were not yet
			// where f is smooth.
			best.trouble = fmt.Sprintf("the extrapolation from steps %.3g to %.3g did not converge", rows[0].h, h)
			n := len(rows)
			rows, t = restart(rows[n-2:])
		}
	}
	if len(rows) >= 3 && math.IsInf(best.err, 1) {
		keep(rows, &t, -1)
	}
	if math.IsInf(best.err, 1) {
		if best.trouble == "" {
			best.trouble = "too few steps behaved"
		}
		return best
	}
	if x.noisiness != nil {
		best.noise *= x.noisiness(best.hMin)
		best.err = math.Max(best.err, best.noise)
	}
	return best
}

// settles reports whether three consecutive differences at steps h, h/1.4, h/1.4² behave
// as a smooth f's do: the two changes shrink by a factor 1.4^2k (k ≥ 1, about 2, 4 or 8)
// as the error series says, or both are at the level of round-off.
func settles(r []row) bool {
	d1, d2 := maxDiff(r[0].v, r[1].v), maxDiff(r[1].v, r[2].v)
	if roundoff := 16 * r[2].noise; d1 <= roundoff && d2 <= roundoff || d2 <= roundoff && d1 <= 64*roundoff {
		return true
	}
	return d2 >= d1/12 && d2 <= d1/1.4
}

// restart begins a tableau from the rows (the last two of a run that did not behave).
func restart(rows []row) ([]row, tableau) {
	var t tableau
	for _, r := range rows {
		t.add(r.v, r.noise)
	}
	return rows, t
}

// changedAbove reports whether any difference at a step larger than h was not zero.
func changedAbove(all []row, h float64) bool {
	for _, r := range all {
		if r.h > h && maxAbs(r.v) != 0 {
			return true
		}
	}
	return false
}

// flat reports whether all differences of the run are zero.
func flat(rows []row) bool {
	for _, r := range rows {
		if maxAbs(r.v) != 0 {
			return false
		}
	}
	return true
}

// scaleOf is the size a result's error is measured against: its own largest coordinate,
// or, for a derivative that is zero or nearly so, the size of the differences at the
// largest step that behaved (a secant over a step where f is smooth).
func scaleOf(value []float64, rows []row) float64 {
	return math.Max(maxAbs(value), maxAbs(rows[0].v))
}

// roundoffOnly reports whether the error estimate is no more than the round-off of the
// differences: then the value is as good as f's own rounding allows.
func (e estimate) roundoffOnly() bool { return e.err <= 2*e.noise }

// size is what the digits of e are counted against: its scale, or for a value that is
// round-off small (a zero derivative), the natural size of f's derivatives.
func (e estimate) size() float64 {
	if e.roundoffOnly() {
		return math.Max(e.scale, e.natural)
	}
	return e.scale
}

// tableau is Neville's tableau of Ridders' method, a row at a time.
type tableau struct {
	a       [][][]float64 // a[i][j]: extrapolation of order j from row i and the j rows before it
	noise   [][]float64   // noise[i][j]: a bound on the round-off a[i][j] carries
	best    []float64
	err     float64
	noisy   float64 // the round-off bound of best
	settled bool    // a higher order got worse: round-off has taken over
}

// add adds the difference v, which carries round-off up to noise.
func (t *tableau) add(v []float64, noise float64) {
	i := len(t.a)
	if i == 0 {
		t.a, t.noise = [][][]float64{{v}}, [][]float64{{noise}}
		t.best, t.err, t.noisy = v, math.Inf(1), noise
		return
	}
	r, nz := [][]float64{v}, []float64{noise}
	fac := riddersShrink * riddersShrink
	for j := 1; j <= i; j++ {
		e := make([]float64, len(v))
		for k := range e {
			e[k] = (r[j-1][k]*fac - t.a[i-1][j-1][k]) / (fac - 1)
		}
		r, nz = append(r, e), append(nz, (nz[j-1]*fac+t.noise[i-1][j-1])/(fac-1))
		fac *= riddersShrink * riddersShrink
		if d := math.Max(maxDiff(e, r[j-1]), maxDiff(e, t.a[i-1][j-1])); d <= t.err {
			t.best, t.err, t.noisy = e, d, nz[j]
		}
	}
	t.a, t.noise = append(t.a, r), append(t.noise, nz)
	t.settled = maxDiff(r[i], t.a[i-1][i-1]) >= riddersSafe*t.err
}

func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// eps is the rounding error of a float64 relative to its size.
const eps = 0x1p-52
