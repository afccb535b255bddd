package matcalc

import (
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc/tangent"
)

// Function is a function f with what matcalc knows of differentiating it: its tangent,
// for exact derivatives in forward mode (Exact), or why it has to be differentiated
// numerically (Numerical). Every call that takes a func f takes a *Function in its place.
type Function struct {
	f       any
	tangent reflect.Value // f's tangent; invalid when f is differentiated numerically
	why     string        // why f is differentiated numerically
}

// The reasons a derivative is numerical, as Accuracy.Why and ForwardMode's errors give them.
const (
	whyNoTangent = "f has no tangent"
	whyMatrices  = "exact derivatives of gonum matrices are not built yet"
	whyCompiled  = "f is compiled Go, not a cell's function; pass matcalc.Exact(f, tangent) with its tangent"
	whyMismatch  = "f's tangent does not agree with f (was f redefined?)"
	whyAsked     = "matcalc.Numerically() asks for numerical derivatives"
)

var (
	tangentType  = reflect.TypeOf((*tangent.T)(nil))
	tangentsType = reflect.TypeOf([]*tangent.T(nil))
	float64Type  = reflect.TypeOf(0.0)
	floatsType   = reflect.TypeOf([]float64(nil))
	denseType    = reflect.TypeOf((*mat.Dense)(nil))
	vecDenseType = reflect.TypeOf((*mat.VecDense)(nil))
)

// Exact returns f with its tangent, whose derivatives are then exact: computed in forward
// mode (package tangent), up to the rounding of the derivative rules' closed forms.
//
// For f of type func(X) Y, with X and Y each float64 or []float64, the tangent has type
// func(X, TX) (Y, TY), where TX and TY are *tangent.T for float64 and []*tangent.T for
// []float64: given a point and the tangents of its coordinates, it returns f's value and
// the value's tangents (nil for a coordinate that does not depend on the point), as many
// as the value has coordinates. A notebook session generates tangents of a cell's
// functions; Exact panics when the tangent does not have this type.
//
// A nil tangent gives numerical derivatives, as does an f that takes or returns gonum
// matrices, for which exact derivatives are not built yet. Where the tangent cannot be
// used (it does not agree with f, or it panics), derivatives are numerical and their
// Accuracy says why.
func Exact(f, tangent any) *Function {
	ft := reflect.TypeOf(f)
	if ft == nil || ft.Kind() != reflect.Func || ft.NumIn() != 1 || ft.NumOut() != 1 {
		panic(fmt.Sprintf("matcalc: Exact: f must be a func of one argument and one result, got %T", f))
	}
	tv := reflect.ValueOf(tangent)
	if tangent == nil || tv.Kind() == reflect.Func && tv.IsNil() {
		return Numerical(f, whyNoTangent)
	}
	in, out := ft.In(0), ft.Out(0)
	tin, okIn := tangentOf(in)
	tout, okOut := tangentOf(out)
	if !okIn || !okOut {
		if isMatrix(in) || isMatrix(out) {
			return Numerical(f, whyMatrices)
		}
		return Numerical(f, fmt.Sprintf("f is %v, and exact derivatives take and return float64 or []float64", ft))
	}
	want := reflect.FuncOf([]reflect.Type{in, tin}, []reflect.Type{out, tout}, false)
	if tv.Type() != want {
		panic(fmt.Sprintf("matcalc: Exact: f is %v, so its tangent must be %v, got %T", ft, want, tangent))
	}
	return &Function{f: f, tangent: tv}
}

// Numerical returns f marked to be differentiated numerically for the reason why ("f calls
// fmt.Sprint, which has no derivative rule"), which the Accuracy of its derivatives gives.
func Numerical(f any, why string) *Function {
	if why == "" {
		why = whyNoTangent
	}
	return &Function{f: f, why: why}
}

// tangentOf returns the type of the tangent of a value of type t.
func tangentOf(t reflect.Type) (reflect.Type, bool) {
	switch t {
	case float64Type:
		return tangentType, true
	case floatsType:
		return tangentsType, true
	}
	return nil, false
}

// isMatrix reports whether t is a gonum matrix or vector type.
func isMatrix(t reflect.Type) bool {
	if t == denseType || t == vecDenseType {
		return true
	}
	return t.Kind() == reflect.Interface && t.NumMethod() > 0 && (denseType.Implements(t) || vecDenseType.Implements(t))
}

// method is how a function is differentiated: through its tangent while it has one that
// works, numerically otherwise. It is shared by the copies of a function (withTolerance),
// so that a tangent found wanting is left for all of them.
type method struct {
	tangent reflect.Value // valid while exact derivatives are possible
	why     string        // why not, once not
	shown   bool          // f came as a *Function: its results say why they are numerical
}

func newMethod(f any) (any, *method) {
	fw, ok := f.(*Function)
	if !ok {
		return f, &method{why: whyCompiled}
	}
	if fw == nil {
		return nil, &method{why: whyNoTangent}
	}
	return fw.f, &method{tangent: fw.tangent, why: fw.why, shown: true}
}

// Numerically makes derivatives numerical even for an f with a tangent (Exact), to compare
// the two methods, say.
func Numerically() Option { return func(s *settings) { s.method = numericalMethod } }

// ForwardMode requires exact derivatives: a call whose f has none (a plain func, one given
// by Numerical, or one whose tangent cannot be used) panics saying why, instead of
// differentiating numerically.
func ForwardMode() Option { return func(s *settings) { s.method = forwardMethod } }

const (
	anyMethod = iota
	numericalMethod
	forwardMethod
)

// requireForward panics when ForwardMode asks for exact derivatives that f does not have.
func (fn *function) requireForward() {
	if fn.set.method == forwardMethod && !fn.m.tangent.IsValid() {
		panic(fmt.Sprintf("matcalc: %s: f has no exact derivative: %s", fn.name, fn.m.why))
	}
}

// exact reports whether derivatives are to be computed through f's tangent.
func (fn *function) exact() bool {
	if fn.set.method == numericalMethod {
		return false
	}
	fn.requireForward()
	return fn.m.tangent.IsValid()
}

// fallBack leaves the tangent for numerical derivatives, for the reason why.
func (fn *function) fallBack(why string) {
	fn.m.tangent, fn.m.why = reflect.Value{}, why
	fn.requireForward()
}

// why is the reason numerical results give for not being exact: empty for a plain func
// (nothing was asked) and under Numerically (the user asked).
func (fn *function) why() string {
	if fn.set.method == numericalMethod || !fn.m.shown {
		return ""
	}
	return fn.m.why
}

// exactAccuracy is the Accuracy of a result of forward mode.
func exactAccuracy() Accuracy { return Accuracy{Exact: true, Digits: 15} }

// forward evaluates f's tangent at coordinates x, where f's value is fx, seeding input
// coordinate i with the derivatives dirs[0][i], ..., dirs[k-1][i] along k directions, at
// second order when order2. It returns the tangents of f's value coordinates, or false
// when the derivatives are to be numerical.
func (fn *function) forward(x, fx []float64, dirs [][]float64, order2 bool) ([]*tangent.T, bool) {
	if !fn.exact() {
		return nil, false
	}
	fn.set.checkCanceled()
	k := len(dirs)
	seeds := make([]*tangent.T, len(x))
	g := make([]float64, k)
	for i := range seeds {
		for j, d := range dirs {
			g[j] = d[i]
		}
		seeds[i] = tangent.New(g, order2)
	}
	var args []reflect.Value
	if fn.in.kind == scalarKind {
		args = []reflect.Value{reflect.ValueOf(x[0]), reflect.ValueOf(seeds[0])}
	} else {
		args = []reflect.Value{reflect.ValueOf(append([]float64(nil), x...)), reflect.ValueOf(seeds)}
	}
	out, why := fn.callTangent(args)
	if why != "" {
		fn.fallBack(why)
		return nil, false
	}
	y, ts := fn.tangentResult(out)
	if len(y) != len(fx) {
		fn.fallBack(whyMismatch)
		return nil, false
	}
	for i := range y {
		if math.Float64bits(y[i]) != math.Float64bits(fx[i]) {
			fn.fallBack(whyMismatch)
			return nil, false
		}
	}
	order := 1
	if order2 {
		order = 2
	}
	for c, t := range ts {
		if t == nil {
			continue
		}
		if t.Directions() != k || t.Order() != order {
			panic(fmt.Sprintf("matcalc: %s: f's tangent returned a tangent along %d directions of order %d for coordinate %d, want %d directions of order %d",
				fn.name, t.Directions(), t.Order(), c, k, order))
		}
		for i := 0; i < k; i++ {
			if v := t.First(i); math.IsNaN(v) || math.IsInf(v, 0) {
				fn.notFinite(fmt.Sprintf("the derivative of %s along direction %d is %v", fn.coordinate(c), i+1, v))
			}
			for j := 0; order2 && j <= i; j++ {
				if v := t.Second(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					fn.notFinite(fmt.Sprintf("the second derivative of %s along directions %d and %d is %v", fn.coordinate(c), j+1, i+1, v))
				}
			}
		}
	}
	return ts, true
}

func (fn *function) coordinate(c int) string {
	if fn.out.kind == scalarKind {
		return "f"
	}
	return fmt.Sprintf("coordinate %d of f", c)
}

func (fn *function) notFinite(what string) {
	panic(fmt.Sprintf("matcalc: %s: the derivative is not finite at x (forward mode): %s. f's slope may be infinite there (as √x's at 0), or its derivative overflow: try a point where f is smooth, inside its domain", fn.name, what))
}

// callTangent calls f's tangent, returning why when it panicked in a way that leaves the
// derivative to numerical differences. A tangent.NotDifferentiable and a cancellation go
// on as panics.
func (fn *function) callTangent(args []reflect.Value) (out []reflect.Value, why string) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == ErrCanceled {
			panic(r)
		}
		if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
			// An interpreter's panic (yaegi's, for a tangent written in a cell) carries
			// the reflect.Value of what was panicked with.
			r = v.Interface()
		}
		switch r := r.(type) {
		case tangent.NotDifferentiable:
			panic(fmt.Sprintf("matcalc: %s: f is not differentiable at x: %s", fn.name, r.What))
		case *tangent.NotDifferentiable:
			panic(fmt.Sprintf("matcalc: %s: f is not differentiable at x: %s", fn.name, r.What))
		case tangent.NoRule:
			why = noRule(r.Why)
		case *tangent.NoRule:
			why = noRule(r.Why)
		default:
			why = fmt.Sprintf("forward mode failed: %v", r)
		}
	}()
	return fn.m.tangent.Call(args), ""
}

func noRule(why string) string {
	if why == "" {
		return "f's tangent has no derivative rule for a function f calls"
	}
	return why
}

// tangentResult returns the value and the tangents the tangent returned.
func (fn *function) tangentResult(out []reflect.Value) ([]float64, []*tangent.T) {
	if fn.out.kind == scalarKind {
		return []float64{out[0].Float()}, []*tangent.T{out[1].Interface().(*tangent.T)}
	}
	y, ts := out[0].Interface().([]float64), out[1].Interface().([]*tangent.T)
	if len(ts) != len(y) {
		panic(fmt.Sprintf("matcalc: %s: f's tangent returned %d tangents for a value of %d coordinates; it must return one per coordinate (nil for a constant one)", fn.name, len(ts), len(y)))
	}
	return append([]float64(nil), y...), ts
}

// firsts returns the derivatives of the coordinates along direction i.
func firsts(ts []*tangent.T, i int) []float64 {
	out := make([]float64, len(ts))
	for c, t := range ts {
		out[c] = t.First(i)
	}
	return out
}

// exactJacobian is the Jacobian of f at x through its tangent, in one evaluation along
// the n unit directions.
func (fn *function) exactJacobian(x, fx []float64) (*mat.Dense, bool) {
	n := len(x)
	ts, ok := fn.forward(x, fx, unitVectors(n), false)
	if !ok {
		return nil, false
	}
	j := mat.NewDense(len(ts), n, nil)
	for i, t := range ts {
		for k := 0; k < n; k++ {
			j.Set(i, k, t.First(k))
		}
	}
	return j, true
}

// exactHessian is the Hessian of scalar f at x through its tangent, in one evaluation
// along the n unit directions at second order.
func (fn *function) exactHessian(x, fx []float64) (*mat.Dense, bool) {
	n := len(x)
	ts, ok := fn.forward(x, fx, unitVectors(n), true)
	if !ok {
		return nil, false
	}
	h := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := ts[0].Second(i, j)
			h.Set(i, j, v)
			h.Set(j, i, v)
		}
	}
	return h, true
}
