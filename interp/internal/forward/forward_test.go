package forward

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// tangents parses declarations, makes the tangent of every function with an active
// parameter (each may call the others), and returns them as gofmt prints them, or the
// reason each has none.
func tangents(t *testing.T, src string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell.go", "package main\n\n"+src, 0)
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	env := &Env{Tan: "tan", Math: "math", Fmt: "fmt", Mat: "mat", Funcs: map[string]*Func{}}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			if sig, err := Signature(fd.Type, "tan_"+fd.Name.Name, env); err == nil && sig.ActiveParams() {
				env.Funcs[fd.Name.Name] = sig
			}
		}
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		sig, ok := env.Funcs[fd.Name.Name]
		if !ok {
			_, err := Signature(fd.Type, "", env)
			if err != nil {
				out[fd.Name.Name] = "unsupported: " + err.Error()
			}
			continue
		}
		tf, err := Decl(fd, sig, env)
		if err != nil {
			out[fd.Name.Name] = "unsupported: " + err.Error()
			continue
		}
		text, err := gosrc.Print(token.NewFileSet(), tf)
		if err != nil {
			t.Fatalf("printing %s: %v", fd.Name.Name, err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", "package main\n"+text, 0); err != nil {
			t.Fatalf("the tangent of %s does not parse: %v\n%s", fd.Name.Name, err, text)
		}
		out[fd.Name.Name] = strings.TrimSpace(text)
	}
	return out
}

// canonical is Go source as gofmt prints it with positions dropped.
func canonical(t *testing.T, src string) string {
	t.Helper()
	text, err := gosrc.Canonical("package main\n\n" + src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return strings.TrimSpace(strings.TrimPrefix(text, "package main\n"))
}

func TestTangents(t *testing.T) {
	for _, c := range []struct{ name, in, fn, want string }{
		{"a product and a math function", `func f(x []float64) float64 { return math.Sin(x[0]) * x[1] }`, "f",
			`func tan_f(x []float64, _Δx []*tan.T) (float64, *tan.T) {
	return math.Sin(x[0]) * x[1], tan.Mul(math.Sin(x[0]), tan.Sin(x[0], _Δx[0]), x[1], _Δx[1])
}`},
		// The derivative is computed from the values before the assignment, as the value.
		{"an update reads the old value", `func b(x float64, n int) float64 {
	t := (1 + x) / 2
	for i := 2; i <= n; i++ {
		t = (t + x/t) / 2
	}
	return t
}`, "b", `func tan_b(x float64, _Δx *tan.T, n int) (float64, *tan.T) {
	t, _Δt := (1+x)/2, tan.Quo((1+x), _Δx, 2, nil)
	for i := 2; i <= n; i++ {
		t, _Δt = (t+x/t)/2, tan.Quo((t+x/t), tan.Add(_Δt, tan.Quo(x, _Δx, t, _Δt)), 2, nil)
	}
	return t, _Δt
}`},
		{"op-assignment, range and a constant start", `func lse(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Exp(v)
	}
	return math.Log(s)
}`, "lse", `func tan_lse(x []float64, _Δx []*tan.T) (float64, *tan.T) {
	s, _Δs := 0.0, (*tan.T)(nil)
	{
		_gomatcalcFR1 := _Δx
		for _gomatcalcFK1, v := range x {
			_Δv := _gomatcalcFR1[_gomatcalcFK1]
			s, _Δs = s+(math.Exp(v)), tan.Add(_Δs, tan.Exp(v, _Δv))
		}
	}
	return math.Log(s), tan.Log(s, _Δs)
}`},
		{"calls of other functions go through their tangents, once", `func sq(x float64) float64 { return x * x }
func g(x []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = sq(x[i]) * sq(x[i])
	}
	return append(out, 1)
}`, "g", `func tan_g(x []float64, _Δx []*tan.T) ([]float64, []*tan.T) {
	out, _Δout := make([]float64, len(x)), make([]*tan.T, len(x))
	for i := range x {
		_gomatcalcF1, _Δ_gomatcalcF1 := tan_sq(x[i], _Δx[i])
		_gomatcalcF2, _Δ_gomatcalcF2 := tan_sq(x[i], _Δx[i])
		out[i], _Δout[i] = _gomatcalcF1*_gomatcalcF2, tan.Mul(_gomatcalcF1, _Δ_gomatcalcF1, _gomatcalcF2, _Δ_gomatcalcF2)
	}
	return append(out, 1), append(_Δout, (*tan.T)(nil))
}`},
		// A var's derivative is declared first: var y = y*2 reads the y outside.
		{"declarations", `func h(x float64) float64 {
	var y float64
	var z = x * 2
	y = z
	return y
}`, "h", `func tan_h(x float64, _Δx *tan.T) (float64, *tan.T) {
	var _Δy *tan.T
	var y float64
	var _Δz *tan.T = tan.Mul(x, _Δx, 2, nil)
	var z = x * 2
	y, _Δy = z, _Δz
	return y, _Δy
}`},
		// A call that may not give the same value twice is made once, for both.
		{"a call of unknown purity in an active expression", `func k(x float64) float64 { return x * A.At(0, 0) }`, "k",
			`func tan_k(x float64, _Δx *tan.T) (float64, *tan.T) {
	_gomatcalcF1 := A.At(0, 0)
	return x * _gomatcalcF1, tan.Mul(x, _Δx, _gomatcalcF1, nil)
}`},
		// gonum's methods: the receiver's derivative by the same method, first.
		{"the assignment's least squares", `func f(x *mat.VecDense) float64 {
	var r mat.VecDense
	r.MulVec(A, x)
	r.SubVec(&r, b)
	return mat.Dot(&r, &r)
}`, "f", `func tan_f(x *mat.VecDense, _Δx *tan.VecDense) (float64, *tan.T) {
	var _Δr tan.VecDense
	var r mat.VecDense
	_Δr.MulVec(A, nil, x, _Δx)
	r.MulVec(A, x)
	_Δr.SubVec(&r, &_Δr, b, nil)
	r.SubVec(&r, b)
	return mat.Dot(&r, &r), tan.Dot(&r, &_Δr, &r, &_Δr)
}`},
		{"an inverse that may fail", `func inverse(a *mat.Dense) *mat.Dense {
	var b mat.Dense
	if err := b.Inverse(a); err != nil {
		panic(err)
	}
	return &b
}`, "inverse", `func tan_inverse(a *mat.Dense, _Δa *tan.Dense) (*mat.Dense, *tan.Dense) {
	var _Δb tan.Dense
	var b mat.Dense
	{
		_Δb.Inverse(a, _Δa)
		err := b.Inverse(a)
		if err != nil {
			panic(err)
		}
	}
	return &b, &_Δb
}`},
		{"entries and a receiver that is an operand", `func h(x *mat.VecDense) float64 {
	var c mat.Dense
	c.Mul(x, x.T())
	c.Mul(&c, &c)
	s := 0.0
	for i := 0; i < x.Len(); i++ {
		s += math.Exp(x.AtVec(i)) * c.At(i, i)
	}
	return s + mat.Trace(&c)
}`, "h", `func tan_h(x *mat.VecDense, _Δx *tan.VecDense) (float64, *tan.T) {
	var _Δc tan.Dense
	var c mat.Dense
	_Δc.Mul(x, _Δx, x.T(), tan.Transpose(_Δx))
	c.Mul(x, x.T())
	_Δc.Mul(&c, &_Δc, &c, &_Δc)
	c.Mul(&c, &c)
	s, _Δs := 0.0, (*tan.T)(nil)
	for i := 0; i < x.Len(); i++ {
		s, _Δs = s+(math.Exp(x.AtVec(i))*c.At(i, i)), tan.Add(_Δs, tan.Mul(math.Exp(x.AtVec(i)), tan.Exp(x.AtVec(i), tan.AtVec(_Δx, i)), c.At(i, i), tan.At(&_Δc, i, i)))
	}
	return s + mat.Trace(&c), tan.Add(_Δs, tan.Trace(&c, &_Δc))
}`},
	} {
		got := tangents(t, c.in)[c.fn]
		if got != canonical(t, c.want) {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, canonical(t, c.want))
		}
	}
}

// What forward mode cannot follow makes a function unsupported, with the reason: never a
// tangent that is wrong.
func TestUnsupported(t *testing.T) {
	for _, c := range []struct{ in, fn, why string }{
		{`func f(x []float64) float64 { return floats.Sum(x) }`, "f", "calls floats.Sum with a value that depends on its argument; floats.Sum has no derivative rule"},
		{`func f(x float64) float64 { total += x; return total }`, "f", "assigns to total, a variable outside the function"},
		{`func f(x float64) float64 { evals++; return x }`, "f", "assigns to evals, a variable outside the function"},
		{`func f(x float64) float64 { go g(); return x }`, "f", "starts a goroutine"},
		{`func f(x float64) float64 { y := g0; y = x; return y }`, "f", "gives y, whose type forward mode cannot see, a value that depends on the argument"},
		{`func f(x float64) float64 { h := func() float64 { return x }; return h() }`, "f", "defines a function literal"},
		{`func f(x float64) float64 { return math.Gamma(x) }`, "f", "calls math.Gamma, which has no derivative rule"},
		{`func f(x float64) float64 { v.SetVec(0, x); return mat.Dot(v, v) }`, "f", "calls v.SetVec with a value that depends on its argument; v.SetVec has no derivative rule"},
		{`func f(a *mat.CDense) float64 { return 1 }`, "f", "has a value of type *mat.CDense, which forward mode does not take yet"},
		{`func f(a *mat.Dense) float64 { var l mat.LU; l.Factorize(a); return l.Det() }`, "f", "has a value of type mat.LU, which forward mode does not take yet"},
		{`func f(a *mat.Dense) float64 { var b mat.Dense; b.Exp(a); return mat.Det(&b) }`, "f", "calls b.Exp, which has no derivative rule"},
		{`func f(a *mat.Dense) float64 { return mat.Max(a) }`, "f", "calls mat.Max, which has no derivative rule"},
		{`func f(x float64) (y float64) { y = x; return }`, "f", "names its results"},
		{`func f(x []float64) float64 { sort.Float64s(x); return x[0] }`, "f", "calls sort.Float64s with a value that depends on its argument; sort.Float64s has no derivative rule"},
		{`func f(x float64) float64 { p := &x; return *p }`, "f", "takes the address of a float"},
		{`func f(a *mat.Dense) float64 { b := *a; return mat.Det(&b) }`, "f", "dereferences a pointer to a matrix"},
		// A global slice's type is not in the syntax: the derivative of y[1] would be lost.
		{`func f(x float64) float64 { y := append(g0, x); return y[1] }`, "f", "appends a value that depends on its argument to a slice whose type forward mode cannot see"},
		{`func f(x float64) float64 { var v any = x; return v.(float64) }`, "f", "has a value of type any, which forward mode does not take yet"},
		{`func f(x float64) float64 { return float64(float32(x)) }`, "f", "calls float32 with a value that depends on its argument; float32 has no derivative rule"},
	} {
		got := tangents(t, c.in)[c.fn]
		if got != "unsupported: "+c.why {
			t.Errorf("%s\ngot  %s\nwant unsupported: %s", c.in, got, c.why)
		}
	}
}
