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
	matrixType   = reflect.TypeOf((*mat.Matrix)(nil)).Elem()
	vectorType   = reflect.TypeOf((*mat.Vector)(nil)).Elem()
	// The tangents of the matrix types, in the same order.
	tDenseType    = reflect.TypeOf((*tangent.Dense)(nil))
	tVecDenseType = reflect.TypeOf((*tangent.VecDense)(nil))
	tMatrixType   = reflect.TypeOf((*tangent.Matrix)(nil)).Elem()
	tVectorType   = reflect.TypeOf((*tangent.Vector)(nil)).Elem()
)

// Exact returns f with its tangent, whose derivatives are then exact: computed in forward
// mode (package tangent), up to the rounding of the derivative rules' closed forms.
//
// For f of type func(X) Y, the tangent has type func(X, TX) (Y, TY): given a point and
// the derivatives of its coordinates, it returns f's value and the value's derivatives.
// X and Y are each one of
//
//	float64       with the tangent *tangent.T
//	[]float64     with []*tangent.T, one per coordinate
//	*mat.Dense    with *tangent.Dense
//	*mat.VecDense with *tangent.VecDense
//	mat.Matrix    with tangent.Matrix (a *mat.Dense or *mat.VecDense point)
//	mat.Vector    with tangent.Vector (a *mat.VecDense point)
//
// and a nil derivative is that of a constant. A matrix's coordinates are its vec, column
// by column: the tangent of entry (i, j) of an r×c point carries the derivatives of
// coordinate j*r + i. A notebook session generates tangents of a cell's functions;
// Exact panics when the tangent does not have this type.
//
// A nil tangent gives numerical derivatives, as does an f of other types. Where the
// tangent cannot be used (it does not agree with f, or it panics), derivatives are
// numerical and their Accuracy says why.
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
		return Numerical(f, fmt.Sprintf("f is %v, and exact derivatives take and return float64, []float64, *mat.Dense, *mat.VecDense, mat.Matrix or mat.Vector", ft))
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
	case denseType:
		return tDenseType, true
	case vecDenseType:
		return tVecDenseType, true
	case matrixType:
		return tMatrixType, true
	case vectorType:
		return tVectorType, true
	}
	return nil, false
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
	out, why := fn.callTangent(fn.tangentArgs(x, seeds))
	if why != "" {
		fn.fallBack(why)
		return nil, false
	}
	y, ts, ok := fn.tangentResult(out)
	if !ok || len(y) != len(fx) {
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

// tangentArgs returns the arguments of f's tangent at coordinates x with the tangents
// seeds of the coordinates: a matrix point's entry (i, j) gets the tangent of coordinate
// j*rows + i.
func (fn *function) tangentArgs(x []float64, seeds []*tangent.T) []reflect.Value {
	switch fn.in.kind {
	case scalarKind:
		return []reflect.Value{reflect.ValueOf(x[0]), reflect.ValueOf(seeds[0])}
	case sliceKind:
		return []reflect.Value{reflect.ValueOf(append([]float64(nil), x...)), reflect.ValueOf(seeds)}
	case vectorKind:
		return []reflect.Value{mustValue(fn.in, x, fn.inputArg), reflect.ValueOf(tangent.NewVecDense(fn.in.rows, nil, seeds))}
	}
	r, c := fn.in.rows, fn.in.cols
	d := make([]*tangent.T, r*c)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			d[i*c+j] = seeds[j*r+i]
		}
	}
	return []reflect.Value{mustValue(fn.in, x, fn.inputArg), reflect.ValueOf(tangent.NewDense(r, c, nil, d))}
}

// tangentResult returns the value and the tangents the tangent returned, in vec
// coordinates; false when the value is not a point (a nil matrix).
func (fn *function) tangentResult(out []reflect.Value) ([]float64, []*tangent.T, bool) {
	switch fn.out.kind {
	case scalarKind:
		return []float64{out[0].Float()}, []*tangent.T{out[1].Interface().(*tangent.T)}, true
	case sliceKind:
		y, ts := out[0].Interface().([]float64), out[1].Interface().([]*tangent.T)
		if len(ts) != len(y) {
			panic(fmt.Sprintf("matcalc: %s: f's tangent returned %d tangents for a value of %d coordinates; it must return one per coordinate (nil for a constant one)", fn.name, len(ts), len(y)))
		}
		return append([]float64(nil), y...), ts, true
	}
	if isNilValue(out[0]) {
		return nil, nil, false
	}
	y, s, err := vec(out[0].Interface())
	if err != nil || s != fn.out {
		return nil, nil, false
	}
	ts := make([]*tangent.T, len(y))
	if isNilValue(out[1]) {
		return y, ts, true
	}
	d := out[1].Interface().(tangent.Matrix)
	if r, c := d.Dims(); r != s.rows || c != s.cols {
		panic(fmt.Sprintf("matcalc: %s: f's tangent returned a %d×%d derivative for f's value, a %v; it must have the value's shape (or be nil for a constant)", fn.name, r, c, s))
	}
	for j := 0; j < s.cols; j++ {
		for i := 0; i < s.rows; i++ {
			ts[j*s.rows+i] = d.At(i, j)
		}
	}
	return y, ts, true
}

// isNilValue reports whether v is a nil pointer or interface, or an interface holding a
// nil pointer.
func isNilValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface:
		return v.IsNil() || isNilValue(v.Elem())
	case reflect.Pointer:
		return v.IsNil()
	}
	return !v.IsValid()
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
