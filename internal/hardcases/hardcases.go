// Package hardcases is a catalog of derivatives that numerical differentiation gets wrong
// easily, each with its derivative (and mostly its second derivative) in closed form: poles
// and domain edges close to the point, determinants that change sign within a step,
// inverses of near-singular matrices, QR factorizations whose Householder signs flip,
// eigenvalues with small gaps, functions computed by Newton's method, square roots of
// matrices with a small eigenvalue, and smooth controls. It is the yardstick matcalc's
// step selection is measured with (bench/matcalc), so it never uses matcalc itself.
package hardcases

import (
	"fmt"
	"math/rand/v2"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// Case is a derivative with a closed form.
type Case struct {
	Name   string    // e.g. "1/x at 0.05", "log|det A|, 9×9 Gaussian (seed 3)"
	Family string    // "pole", "domain edge", "logdet", "inverse", "qr", "eigen gap", "implicit", "sqrtm", "smooth"
	F      any       // a func from one of matcalc's point kinds to one of them (typed, e.g. func(float64) float64, func(*mat.Dense) *mat.Dense)
	X, Dx  any       // the point, and a direction shaped like it
	Want   []float64 // f'(X)[Dx] in vec coordinates (matrices column by column), from the closed form
	Want2  []float64 // f''(X)[Dx, Dx] from its closed form, or nil where the case gives none
}

// Fixed returns the fixed cases: the ones a user reported as silently wrong, and smooth
// controls. Every call builds them afresh, so a caller may change them.
func Fixed() []Case {
	cs := []Case{
		pole(0.05), pole(1e-3), pole(-0.02),
		logAt(0.05), logAt(1e-4), sqrtAt(1e-3),
	}
	// Seeds 3, 15 and 40: det(A + t dA) changes sign at t = 0.036, −0.052 and 0.017 (the
	// name says so; the test checks it); seed 7 is a draw whose sign holds up to |t| = 51.
	for _, seed := range []uint64{3, 15, 40, 7} {
		a, da := gaussian(seedRNG(seed), 9, 9), gaussian(seedRNG(seed+1000), 9, 9)
		cs = append(cs, logdet(fmt.Sprintf("log|det A|, 9×9 Gaussian (seed %d)", seed), a, da))
	}
	cs = append(cs,
		inverse("A⁻¹, 6×6 Gaussian (seed 2)", gaussian(seedRNG(2), 6, 6), gaussian(seedRNG(1002), 6, 6)),
		inverse("A⁻¹, 6×6 with σ_min/σ_max = 1e-3 (seed 4)", nearSingular(seedRNG(4), 6, 1e-3), gaussian(seedRNG(1004), 6, 6)),
	)
	cs = append(cs, fixedQR()...)
	cs = append(cs,
		// Seeds where dA couples the close pair as a typical draw does (|v_jᵀ dA v_k| about
		// 0.3) and where dA moves the small eigenvalue as a typical draw does: some draws
		// nearly miss them, which makes a case easy.
		eigenGap("eigenvalues, 6×6 symmetric, gap 1e-3 (seed 6)", seedRNG(6), []float64{-1.3, 0.2, 1, 1 + 1e-3, 2.1, 3.5}),
		eigenGap("eigenvalues, 6×6 symmetric, gap 1e-4 (seed 8)", seedRNG(8), []float64{-1.3, 0.2, 1, 1 + 1e-4, 2.1, 3.5}),
		kepler(0.5, 1), kepler(0.95, 1), kepler(0.95, 0.05),
		implicit2([]float64{1.5, -0.5}, []float64{0.7, 1.1}),
		sqrtm("√A, 5×5 SPD, λ_min = 1e-3 (seed 8)", seedRNG(8), []float64{1e-3, 0.5, 1, 2, 4}),
		sqrtm("√A, 5×5 SPD, λ_min = 1e-5 (seed 10)", seedRNG(10), []float64{1e-5, 0.5, 1, 2, 4}),
	)
	return append(cs, controls()...)
}

func fixedQR() []Case {
	a, da := gaussian(seedRNG(10), 5, 5), gaussian(seedRNG(1010), 5, 5)
	// Column 1's working entry is A₁₁ itself: 0.01 with dA₁₁ = -1 puts the flip at t = 0.01.
	b, db := mat.DenseCopyOf(a), mat.DenseCopyOf(da)
	b.Set(0, 0, 0.01)
	db.Set(0, 0, -1)
	// Column 3's working entry, after two reflections, set to 1e-3.
	c := workingEntry(gaussian(seedRNG(11), 6, 6), 2, 1e-3)
	dc := gaussian(seedRNG(1011), 6, 6)
	return []Case{
		qr("Q of QR, 5×5 Gaussian (seed 10)", a, da, false),
		qr("R of QR, 5×5 Gaussian (seed 10)", a, da, true),
		qr("Q of QR, 5×5, working entry A₁₁ = 0.01", b, db, false),
		qr("R of QR, 5×5, working entry A₁₁ = 0.01", b, db, true),
		qr("Q of QR, 6×6, column 3's working entry 1e-3 (seed 11)", c, dc, false),
	}
}

// Random returns n random cases, cycling through the random families (pole, domain edge,
// logdet, inverse, qr, eigen gap, implicit, sqrtm). The same seed gives the same cases.
func Random(seed uint64, n int) []Case {
	rng := rand.New(rand.NewPCG(seed, 0x18596))
	draws := []func(*rand.Rand) Case{randPole, randEdge, randLogdet, randInverse, randQR, randEigenGap, randKepler, randSqrtm}
	cs := make([]Case, n)
	for i := range cs {
		cs[i] = draws[i%len(draws)](rng)
		cs[i].Name = fmt.Sprintf("#%d %s", i, cs[i].Name)
	}
	return cs
}

// Vec returns the coordinates of a point as matcalc orders them: a float64 is one
// coordinate, a []float64 or *mat.VecDense its entries, a matrix its columns one after
// another. It panics on anything else.
func Vec(p any) []float64 {
	switch p := p.(type) {
	case float64:
		return []float64{p}
	case []float64:
		return append([]float64(nil), p...)
	case *mat.VecDense:
		out := make([]float64, p.Len())
		for i := range out {
			out[i] = p.AtVec(i)
		}
		return out
	case mat.Matrix:
		r, c := p.Dims()
		out := make([]float64, 0, r*c)
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				out = append(out, p.At(i, j))
			}
		}
		return out
	}
	panic(fmt.Sprintf("hardcases: %T is not a point", p))
}

// Along returns vec f(X + t·Dx): the case restricted to its line, the function every
// finite difference of f'(X)[Dx] differentiates at t = 0.
func (c Case) Along(t float64) []float64 {
	return Vec(reflect.ValueOf(c.F).Call([]reflect.Value{reflect.ValueOf(shift(c.X, t, c.Dx))})[0].Interface())
}

// shift returns x + t·d for points of one kind.
func shift(x any, t float64, d any) any {
	switch x := x.(type) {
	case float64:
		return x + t*d.(float64)
	case []float64:
		d := d.([]float64)
		out := make([]float64, len(x))
		for i := range x {
			out[i] = x[i] + t*d[i]
		}
		return out
	case *mat.VecDense:
		var out mat.VecDense
		out.AddScaledVec(x, t, d.(*mat.VecDense))
		return &out
	case *mat.Dense:
		var out mat.Dense
		out.Scale(t, d.(*mat.Dense))
		out.Add(x, &out)
		return &out
	}
	panic(fmt.Sprintf("hardcases: %T is not a point", x))
}
