package matcalc

import (
	"fmt"
	"math"
	"reflect"
)

// function is a user's f seen in coordinates: vec f(x) as a function of vec x.
type function struct {
	name     string // for messages: "D", "Hessian", ...
	f        reflect.Value
	in, out  shape
	inputArg reflect.Type
	set      settings
	fx       []float64 // vec f(x) at the point it was made at
	m        *method   // exact or numerical
}

// ErrCanceled is the panic value of a computation stopped through WithContext.
var ErrCanceled = fmt.Errorf("matcalc: canceled")

// newFunction checks that f is a func of one argument taking a point shaped like x (or a
// *Function of one), calls it once at x, and returns it with x's coordinates.
func newFunction(name string, f, x any, opts []Option) (*function, []float64) {
	f, m := newMethod(f)
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || fv.Type().NumIn() != 1 || fv.Type().NumOut() != 1 {
		panic(fmt.Sprintf("matcalc: %s: f must be a func of one argument and one result, got %T", name, f))
	}
	xv, in, err := vec(x)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: x: %v", name, err))
	}
	fn := &function{name: name, f: fv, in: in, inputArg: fv.Type().In(0), set: newSettings(opts), m: m}
	if _, ok := in.value(xv, fn.inputArg); !ok {
		panic(fmt.Sprintf("matcalc: %s: f takes %v, but x is %v", name, fn.inputArg, in))
	}
	// Called directly: a panic of f at x itself is the user's to see.
	fx, out, err := vec(fv.Call([]reflect.Value{mustValue(in, xv, fn.inputArg)})[0].Interface())
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: f's result: %v", name, err))
	}
	for _, v := range fx {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("matcalc: %s: f is not finite at x (%v)", name, v))
		}
	}
	fn.out, fn.fx = out, fx
	return fn, xv
}

// withTolerance returns fn with another Tolerance (0: the default): a derivative inside
// another computation may need fewer digits than the user's own.
func (fn *function) withTolerance(tol float64) *function {
	c := *fn
	c.set.tol = tol
	return &c
}

func mustValue(s shape, v []float64, t reflect.Type) reflect.Value {
	val, _ := s.value(v, t)
	return val
}

// eval returns vec f(x) for coordinates x where f must be finite (at x itself).
func (fn *function) eval(x []float64) []float64 {
	y, err := fn.at(x)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: %v", fn.name, err))
	}
	return y
}

// at returns vec f(x) for coordinates x, or an error when f's value is not finite or f
// panics there: the points a difference formula probes may lie outside f's domain.
func (fn *function) at(x []float64) ([]float64, error) {
	fn.set.checkCanceled()
	y, err := fn.call(x)
	if err != nil {
		return nil, err
	}
	yv, s, verr := vec(y)
	if verr != nil {
		panic(fmt.Sprintf("matcalc: %s: f's result: %v", fn.name, verr))
	}
	if s != fn.out {
		panic(fmt.Sprintf("matcalc: %s: f returned %v at one point and %v at another", fn.name, fn.out, s))
	}
	for _, v := range yv {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("f is not finite (%v)", v)
		}
	}
	return yv, nil
}

// call calls f, turning its panic into an error (a cancellation goes on).
func (fn *function) call(x []float64) (y any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == ErrCanceled {
				panic(r)
			}
			err = fmt.Errorf("f panicked: %v", r)
		}
	}()
	return fn.f.Call([]reflect.Value{mustValue(fn.in, x, fn.inputArg)})[0].Interface(), nil
}

// direction returns the coordinates of a direction dx, which must be shaped like the
// function's input.
func (fn *function) direction(what string, dx any) []float64 {
	v, s, err := vec(dx)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: %s: %v", fn.name, what, err))
	}
	if s.size() != fn.in.size() || s.kind == matrixKind && fn.in.kind == matrixKind && s != fn.in {
		panic(fmt.Sprintf("matcalc: %s: %s is %v, want the shape of x (%v)", fn.name, what, s, fn.in))
	}
	return v
}

// firstStep is the first step an extrapolation tries along a direction d from x: the
// Step option, or a tenth of x's scale, measured along d (the search shrinks it where f
// needs less).
func (fn *function) firstStep(x, d []float64) float64 {
	dn := maxAbs(d)
	if dn == 0 {
		return 0
	}
	if fn.set.step > 0 {
		return fn.set.step / dn
	}
	return 0.1 * xScale(x, d)
}

// noisiness measures how many times noisier f is near x than the rounding of its values
// (2 eps |f|): for a smooth f, the fourth to sixth differences of f at the seven points
// x + kδd (k = -3..3) are all noise when δ is far below the steps in use (ECnoise, Moré
// and Wild 2011). f computed through a factorization or an iteration carries more than
// rounding, and an error estimate must know.
func (fn *function) noisiness(x, fx, d []float64, delta float64) float64 {
	var vals [7][]float64
	vals[3] = fx
	for k := -3; k <= 3; k++ {
		if k != 0 {
			y, err := fn.at(axpy(x, float64(k)*delta, d))
			if err != nil {
				return 1
			}
			vals[k+3] = y
		}
	}
	// gamma[m] = (m!)² / (2m)! turns the mean square of m-th differences into a variance.
	gamma := [7]float64{4: 576.0 / 40320, 5: 14400.0 / 3628800, 6: 518400.0 / 479001600}
	ratio := 1.0
	for c := range fx {
		diffs, size := make([]float64, 7), 0.0
		for k := range diffs {
			diffs[k] = vals[k][c]
			size = math.Max(size, math.Abs(diffs[k]))
		}
		sigma := 0.0
		for m := 1; m <= 6; m++ {
			for k := 0; k < len(diffs)-1; k++ {
				diffs[k] = diffs[k+1] - diffs[k]
			}
			diffs = diffs[:len(diffs)-1]
			if m >= 4 {
				sq := 0.0
				for _, v := range diffs {
					sq += v * v
				}
				sigma = math.Max(sigma, math.Sqrt(gamma[m]*sq/float64(len(diffs))))
			}
		}
		if size > 0 {
			// Three times the spread: one sample of it is a rough measure.
			ratio = math.Max(ratio, 3*sigma/(2*eps*size))
		}
	}
	return ratio
}

// noisinessAlong is noisiness for an extrapolation along d, at a thousandth of its
// smallest step.
func (fn *function) noisinessAlong(x, fx, d []float64) func(hMin float64) float64 {
	return func(hMin float64) float64 { return fn.noisiness(x, fx, d, hMin/1000) }
}

// ones is the direction that moves every coordinate at once.
func ones(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// kink returns the gap between f's slopes on the two sides of x along d when it does not
// shrink with the step, as it does for an f smooth at x: (f(x+hd) - 2f(x) + f(x-hd))/h is
// about h f”(x) there, and the gap itself at a kink. It is 0 for a smooth f.
func (fn *function) kink(x, fx, d []float64, h float64) float64 {
	gap := func(h float64) (g, noise float64, ok bool) {
		p, err := fn.at(axpy(x, h, d))
		if err != nil {
			return 0, 0, false
		}
		m, err := fn.at(axpy(x, -h, d))
		if err != nil {
			return 0, 0, false
		}
		big := maxAbs(fx)
		for i := range p {
			g = math.Max(g, math.Abs(p[i]-2*fx[i]+m[i])/h)
			big = max(big, math.Abs(p[i]), math.Abs(m[i]))
		}
		return g, 8 * eps * big / h, true
	}
	g1, _, ok1 := gap(h)
	g2, noise, ok2 := gap(h / 16)
	if !ok1 || !ok2 || g2 <= 16*noise || g2 < g1/4 {
		return 0
	}
	return g2
}

// xScale is x's scale along d: the distance, in units of d, over which a function of x's
// size can be expected to change by its own size.
func xScale(x, d []float64) float64 { return math.Max(1, maxAbs(x)) / maxAbs(d) }

// axpy returns x + a*d.
func axpy(x []float64, a float64, d []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + a*d[i]
	}
	return out
}
