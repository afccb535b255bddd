package matcalc

import (
	"context"
	"fmt"
	"math"
	"reflect"
)

// function is a user's f seen in coordinates: vec f(x) as a function of vec x.
type function struct {
	name     string // for messages: "D", "Hessian", ...
	f        reflect.Value
	in, out  shape
	ctx      context.Context
	evals    int
	inputArg reflect.Type
}

// Context, when set, is checked by every loop that calls a user's function: a session
// cancels it on interrupt, and the loop panics with ErrCanceled within one call of f.
var Context context.Context = context.Background()

// ErrCanceled is the panic value of a computation stopped through Context.
var ErrCanceled = fmt.Errorf("matcalc: canceled")

// newFunction checks that f is a func of one argument taking a point shaped like x, calls
// it once at x, and returns it with x's coordinates.
func newFunction(name string, f, x any) (*function, []float64) {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || fv.Type().NumIn() != 1 || fv.Type().NumOut() != 1 {
		panic(fmt.Sprintf("matcalc: %s: f must be a func of one argument and one result, got %T", name, f))
	}
	xv, in, err := vec(x)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: x: %v", name, err))
	}
	fn := &function{name: name, f: fv, in: in, ctx: Context, inputArg: fv.Type().In(0)}
	if _, ok := in.value(xv, fn.inputArg); !ok {
		panic(fmt.Sprintf("matcalc: %s: f takes %v, but x is %v", name, fn.inputArg, in))
	}
	_, out, err := vec(fv.Call([]reflect.Value{mustValue(in, xv, fn.inputArg)})[0].Interface())
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: f's result: %v", name, err))
	}
	fn.out = out
	fn.eval(xv) // checks that f is finite at x
	return fn, xv
}

func mustValue(s shape, v []float64, t reflect.Type) reflect.Value {
	val, _ := s.value(v, t)
	return val
}

// eval returns vec f(x) for coordinates x.
func (fn *function) eval(x []float64) []float64 {
	if fn.ctx != nil && fn.ctx.Err() != nil {
		panic(ErrCanceled)
	}
	fn.evals++
	y := fn.f.Call([]reflect.Value{mustValue(fn.in, x, fn.inputArg)})[0].Interface()
	yv, s, err := vec(y)
	if err != nil {
		panic(fmt.Sprintf("matcalc: %s: f's result: %v", fn.name, err))
	}
	if s != fn.out {
		panic(fmt.Sprintf("matcalc: %s: f returned %v at one point and %v at another", fn.name, fn.out, s))
	}
	for _, v := range yv {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("matcalc: %s: f is not finite at or near x (%v)", fn.name, v))
		}
	}
	return yv
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

// step is the first step Ridders' extrapolation tries along a direction d from x: a
// tenth of x's scale, measured along d.
func step(x, d []float64) float64 {
	scale, dn := 1.0, 0.0
	for _, v := range x {
		scale = math.Max(scale, math.Abs(v))
	}
	for _, v := range d {
		dn = math.Max(dn, math.Abs(v))
	}
	if dn == 0 {
		return 0
	}
	return 0.1 * scale / dn
}

// axpy returns x + a*d.
func axpy(x []float64, a float64, d []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + a*d[i]
	}
	return out
}
