package interp

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Exact derivatives of cell functions, through the whole session: each cell computes a
// derivative by matcalc and its closed form, in the cell, and shows the largest relative
// difference (or the accuracy's text). The closed forms are the lectures'.

// ulps is the bound of these tests: a few units in the last place.
const ulps = 8 * 2.220446049250313e-16

func cellFloat(t *testing.T, s *Session, code string) float64 {
	t.Helper()
	res, _ := exec(t, s, code)
	if res.Err != nil {
		t.Fatalf("%s\n%s", code, strings.Join(res.Err.Traceback, "\n"))
	}
	text, _ := res.Value["text/plain"].(string)
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		t.Fatalf("%s: value %q is no float64", code, text)
	}
	return v
}

func cellText(t *testing.T, s *Session, code string) string {
	t.Helper()
	res, _ := exec(t, s, code)
	if res.Err != nil {
		t.Fatalf("%s\n%s", code, strings.Join(res.Err.Traceback, "\n"))
	}
	text, _ := res.Value["text/plain"].(string)
	return text
}

// relDiff is defined in the session: the largest |a_i - b_i| / |b_i|.
const relDiff = `func relDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		if b[i] == 0 {
			m = math.Max(m, math.Abs(a[i]))
		} else {
			m = math.Max(m, math.Abs(a[i]-b[i])/math.Abs(b[i]))
		}
	}
	return m
}
func flat(m mat.Matrix) []float64 {
	r, c := m.Dims()
	var out []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}`

func TestExactDerivativesOfCellFunctions(t *testing.T) {
	s := newSession(t)
	if res, _ := exec(t, s, relDiff); res.Err != nil {
		t.Fatal(strings.Join(res.Err.Traceback, "\n"))
	}
	for _, c := range []struct{ name, code string }{
		{"lecture 7's f: gradient", `func f(x []float64) float64 { return math.Sin(x[0])*math.Exp(x[1]) + x[0]*x[2]*x[2] }
x := []float64{0.5, 0.3, -1.2}
s, c, e := math.Sin(x[0]), math.Cos(x[0]), math.Exp(x[1])
relDiff(matcalc.GradientSlice(f, x), []float64{c*e + x[2]*x[2], s * e, 2 * x[0] * x[2]})`},
		{"lecture 7's f: Hessian", `relDiff(flat(matcalc.Hessian(f, x)), []float64{-s * e, c * e, 2 * x[2], c * e, s * e, 0, 2 * x[2], 0, 2 * x[0]})`},
		{"the Hessian lesson's f, a func variable", `g := func(p []float64) float64 { x, y := p[0], p[1]; return 2*x*x + 3*y*y - x*y }
relDiff(flat(matcalc.Hessian(g, []float64{0.5, 0.5})), []float64{4, -1, -1, 6})`},
		{"Rosenbrock at (-1.2, 1)", `func rosen(x []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	return a*a + 100*b*b
}
p := []float64{-1.2, 1}
gr := matcalc.GradientSlice(rosen, p)
want := []float64{-2*(1-p[0]) - 400*p[0]*(p[1]-p[0]*p[0]), 200 * (p[1] - p[0]*p[0])}
math.Max(relDiff(gr, want), relDiff(flat(matcalc.Hessian(rosen, p)), []float64{1330, 480, 480, 200}))`},
		{"1/x at 0.05", `inv := func(x float64) float64 { return 1 / x }
math.Max(relDiff([]float64{matcalc.Derivative(inv, 0.05)}, []float64{-400}),
	relDiff([]float64{matcalc.D2(inv, 0.05).ApplyFloat(1.0, 1.0)}, []float64{16000}))`},
		{"log-sum-exp of 100 variables", `func lse(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Exp(v)
	}
	return math.Log(s)
}
z := make([]float64, 100)
for i := range z {
	z[i] = math.Sin(float64(7*i)) * 3
}
total := 0.0
for _, v := range z {
	total += math.Exp(v)
}
soft := make([]float64, 100)
for i, v := range z {
	soft[i] = math.Exp(v) / total
}
relDiff(matcalc.GradientSlice(lse, z), soft)`},
		{"log-sum-exp's Hessian diag(p) - ppᵀ", `H := matcalc.Hessian(lse, z)
worst := 0.0
for i := 0; i < 100; i++ {
	for j := 0; j < 100; j++ {
		hij := -soft[i] * soft[j]
		if i == j {
			hij += soft[i]
		}
		worst = math.Max(worst, math.Abs(H.At(i, j)-hij)/math.Abs(hij))
	}
}
worst`},
		{"1,000 steps of Babylonian square roots", `func babylonian(x float64, n int) float64 {
	t := (1 + x) / 2
	for i := 2; i <= n; i++ {
		t = (t + x/t) / 2
	}
	return t
}
sq := func(x float64) float64 { return babylonian(x, 1000) }
math.Max(relDiff([]float64{matcalc.Derivative(sq, 2)}, []float64{0.5 / math.Sqrt(2)}),
	relDiff([]float64{matcalc.D2(sq, 2.0).ApplyFloat(1.0, 1.0)}, []float64{-0.25 / (2 * math.Sqrt(2))}))`},
		{"a function literal calling cell functions, vector-valued", `relDiff(flat(matcalc.Jacobian(func(p []float64) []float64 { return []float64{lse(p), babylonian(p[0], 30) * p[1]} }, []float64{4, 0.5})),
	[]float64{math.Exp(4) / (math.Exp(4) + math.Exp(0.5)), math.Exp(0.5) / (math.Exp(4) + math.Exp(0.5)), 0.25 * 0.5, 2})`},
		{"recursion", `func power(x float64, n int) float64 {
	if n == 0 {
		return 1
	}
	return x * power(x, n-1)
}
relDiff([]float64{matcalc.Derivative(func(x float64) float64 { return power(x, 5) }, 1.5)}, []float64{5 * math.Pow(1.5, 4)})`},
	} {
		if got := cellFloat(t, s, c.code); !(got <= ulps) {
			t.Errorf("%s: relative difference %.3g, want ≤ %.3g", c.name, got, ulps)
		}
	}
}

func TestExactOrNumericalIsSaid(t *testing.T) {
	s := newSession(t)
	for _, c := range []struct{ name, code, want string }{
		{"a cell function", `func f(x []float64) float64 { return x[0] * x[1] }
_, acc := matcalc.GradientAcc(f, []float64{1, 2})
acc.String()`, `"exact (forward mode)"`},
		{"a function with no rule", `func h(x []float64) float64 { return x[0] * floats.Sum(x) }
_, acc = matcalc.GradientAcc(h, []float64{1, 2})
acc.Why`, `"h calls floats.Sum with a value that depends on its argument; floats.Sum has no derivative rule (line 1)"`},
		{"a compiled function", `_, acc = matcalc.GradientAcc(floats.Sum, []float64{1, 2})
acc.Exact`, `false`},
		{"forced numerical", `_, acc = matcalc.GradientAcc(f, []float64{1, 2}, matcalc.Numerically())
acc.Exact`, `false`},
		// A name of the pass's own in the cell: the tangent does not compile, the cell does.
		{"a tangent that does not compile", `func clash(x float64) float64 { _Δx := 1.0; return x * _Δx }
_, acc = matcalc.GradientAcc(func(p []float64) float64 { return clash(p[0]) }, []float64{2})
fmt.Sprint(clash(3), acc.Exact)`, `"3 false"`},
		{"a parameter that shadows a cell function", `func via(f func([]float64) float64) bool {
	_, acc := matcalc.GradientAcc(f, []float64{1, 2})
	return acc.Exact
}
via(func(x []float64) float64 { return math.Sin(x[0]) })`, `false`},
		{"a caller of a function with a tangent", `func outer(x []float64) float64 { return 2 * f(x) }
_, acc = matcalc.GradientAcc(outer, []float64{1, 2})
acc.Exact`, `true`},
		// outer is compiled again with the new f (callers.go): 2 Σ x, numerically now.
		{"the function redefined without a tangent", `func f(x []float64) float64 { return floats.Sum(x) }
gOuter, acc := matcalc.GradientAcc(outer, []float64{1, 2})
fmt.Sprint(math.Abs(gOuter.([]float64)[0]-2) < 1e-12, math.Abs(gOuter.([]float64)[1]-2) < 1e-12, acc.Exact, " ", acc.Why)`,
			`"true true false outer calls f, which has no exact derivative: f calls floats.Sum with a value that depends on its argument; floats.Sum has no derivative rule (line 1) (line 1)"`},
		{"the new function's why", `_, acc = matcalc.GradientAcc(f, []float64{1, 2})
acc.Why`, `"f calls floats.Sum with a value that depends on its argument; floats.Sum has no derivative rule (line 1)"`},
		{"a func variable reassigned to a literal with no rule", `k := func(x []float64) float64 { return x[0] * x[0] }
k = func(x []float64) float64 { return floats.Sum(x) }
_, acc = matcalc.GradientAcc(k, []float64{3})
acc.Exact`, `false`},
		{"and again to one with a tangent", `k = func(x []float64) float64 { return x[0] * x[0] * x[0] }
g3, acc := matcalc.GradientAcc(k, []float64{3})
fmt.Sprint(g3, acc.Exact)`, `"[27] true"`},
	} {
		if c.name == "a compiled function" || strings.HasPrefix(c.name, "a function with") {
			exec(t, s, `import "gonum.org/v1/gonum/floats"`)
		}
		if got := cellText(t, s, c.code); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

// What forward mode cannot give is an error that says so, or the numerical method with
// the reason; the tangent's panics reach matcalc through the interpreter as they are.
func TestForwardModeErrors(t *testing.T) {
	s := newSession(t)
	for _, c := range []struct{ name, code, want string }{
		{"a kink", `matcalc.Derivative(func(x float64) float64 { return math.Abs(x) }, 0.0)`, "f is not differentiable at x: math.Abs at 0"},
		{"an infinite slope", `matcalc.Derivative(func(x float64) float64 { return math.Sqrt(x) }, 0.0)`, "the derivative is not finite at x (forward mode)"},
		{"forced forward mode", `matcalc.Gradient(floats.Sum, []float64{1, 2}, matcalc.ForwardMode())`, "f has no exact derivative"},
	} {
		exec(t, s, `import "gonum.org/v1/gonum/floats"`)
		res, _ := exec(t, s, c.code)
		if res.Err == nil || !strings.Contains(res.Err.Value, c.want) {
			t.Errorf("%s: got %+v, want an error saying %q", c.name, res.Err, c.want)
		}
	}
	why := cellText(t, s, `tangentPanics := func(x float64, dx *_gomatcalctan.T) (float64, *_gomatcalctan.T) { panic(_gomatcalctan.NoRule{Why: "no rule here"}) }
l := matcalc.D(matcalc.Exact(func(x float64) float64 { return 3 * x }, tangentPanics), 1.0)
fmt.Sprintf("%.6f %s", l.ApplyFloat(1.0), l.Accuracy.Why)`)
	if why != `"3.000000 no rule here"` {
		t.Errorf("a tangent that panics with NoRule: got %s", why)
	}
}

// A long tangent evaluation stops at an interrupt as any cell does: f itself takes
// milliseconds, its Hessian in 300 directions takes seconds.
func TestInterruptStopsForwardMode(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	code := "chain := func(x []float64) float64 {\n\ts := 0.0\n\tfor i := 0; i < 20000; i++ {\n\t\ts += x[i%300] * x[(i+1)%300]\n\t}\n\treturn s\n}\n" +
		"matcalc.Hessian(chain, make([]float64, 300))"
	res := s.Execute(ctx, lang.ExecuteRequest{Code: code}, newRecorder())
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("got %+v", res.Err)
	}
}

// gonum's matrices through the lectures' rules, in the lectures' own functions.
func TestExactDerivativesOfMatrixFunctions(t *testing.T) {
	s := newSession(t)
	if res, _ := exec(t, s, relDiff); res.Err != nil {
		t.Fatal(strings.Join(res.Err.Traceback, "\n"))
	}
	for _, c := range []struct{ name, code string }{
		{"d(A²)[dA] = dA A + A dA", `func square(a *mat.Dense) *mat.Dense {
	var p mat.Dense
	p.Mul(a, a)
	return &p
}
A := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
dA := mat.NewDense(2, 2, []float64{0.5, -1, 2, 0.25})
var p, q mat.Dense
p.Mul(dA, A)
q.Mul(A, dA)
p.Add(&p, &q)
relDiff(flat(matcalc.D(square, A).ApplyDense(dA)), flat(&p))`},
		{"d(A⁻¹)[dA] = -A⁻¹ dA A⁻¹", `func inverse(a *mat.Dense) *mat.Dense {
	var b mat.Dense
	if err := b.Inverse(a); err != nil {
		panic(err)
	}
	return &b
}
Ai := inverse(A)
var r mat.Dense
r.Mul(Ai, dA)
r.Mul(&r, Ai)
r.Scale(-1, &r)
relDiff(flat(matcalc.D(inverse, A).ApplyDense(dA)), flat(&r))`},
		{"∇det A = det(A) A⁻ᵀ", `det := func(a *mat.Dense) float64 { return mat.Det(a) }
var cof mat.Dense
cof.Scale(mat.Det(A), Ai.T())
relDiff(flat(matcalc.GradientDense(det, A)), flat(&cof))`},
		{"the Hessian of det, 9×9, from det A (tr(X dA') tr(X dA) - tr(X dA' X dA))", `B := mat.NewDense(3, 3, []float64{2, 1, 0, -1, 3, 1, 4, 2, 1})
X := inverse(B)
H := matcalc.Hessian(det, B)
E := func(k int) *mat.Dense { e := mat.NewDense(3, 3, nil); e.Set(k%3, k/3, 1); return e }
worst := 0.0
for k := 0; k < 9; k++ {
	for l := 0; l < 9; l++ {
		var u, v, uv mat.Dense
		u.Mul(X, E(k))
		v.Mul(X, E(l))
		uv.Mul(&u, &v)
		want := mat.Det(B) * (mat.Trace(&u)*mat.Trace(&v) - mat.Trace(&uv))
		if want == 0 {
			worst = math.Max(worst, math.Abs(H.At(k, l)))
		} else {
			worst = math.Max(worst, math.Abs(H.At(k, l)-want)/math.Abs(want))
		}
	}
}
worst`},
		{"∇(xᵀAx) = (A + Aᵀ)x, its Hessian A + Aᵀ", `A3 := mat.NewDense(3, 3, []float64{2, 1, 0, -1, 3, 1, 4, 2, 1})
quad := func(x *mat.VecDense) float64 { return mat.Inner(x, A3, x) }
xv := mat.NewVecDense(3, []float64{1, 2, 3})
var sym mat.Dense
sym.Add(A3, A3.T())
var want mat.VecDense
want.MulVec(&sym, xv)
math.Max(relDiff(flat(matcalc.GradientVec(quad, xv)), flat(&want)), relDiff(flat(matcalc.Hessian(quad, xv)), flat(&sym)))`},
		{"the assignment's ‖Ax - b‖²: gradient 2Aᵀ(Ax - b), Hessian 2AᵀA", `Am := mat.NewDense(4, 3, []float64{1, 2, 0, 0, 1, 1, 2, 0, 1, 1, 1, 1})
bv := mat.NewVecDense(4, []float64{1, 2, 0, 3})
func lsq(x *mat.VecDense) float64 {
	var r mat.VecDense
	r.MulVec(Am, x)
	r.SubVec(&r, bv)
	return mat.Dot(&r, &r)
}
x0 := mat.NewVecDense(3, []float64{0.5, -1, 2})
var res, grad mat.VecDense
res.MulVec(Am, x0)
res.SubVec(&res, bv)
grad.MulVec(Am.T(), &res)
grad.ScaleVec(2, &grad)
var ata mat.Dense
ata.Mul(Am.T(), Am)
ata.Scale(2, &ata)
math.Max(relDiff(flat(matcalc.GradientVec(lsq, x0)), flat(&grad)), relDiff(flat(matcalc.Hessian(lsq, x0)), flat(&ata)))`},
		{"∇tr(X³) = 3(X²)ᵀ, with a receiver that is an operand", `h := func(X *mat.Dense) float64 {
	var c mat.Dense
	c.Mul(X, X)
	c.Mul(&c, X)
	return mat.Trace(&c)
}
var sq, g3 mat.Dense
sq.Mul(B, B)
g3.Scale(3, sq.T())
relDiff(flat(matcalc.GradientDense(h, B)), flat(&g3))`},
		{"the largest eigenvalue of [[a, b], [b, c]]: (a + c)/2 + √(((a - c)/2)² + b²)", `lmax := func(p []float64) float64 {
	s := mat.NewSymDense(2, []float64{p[0], p[1], p[1], p[2]})
	var e mat.EigenSym
	if !e.Factorize(s, false) {
		panic("no eigenvalues")
	}
	return e.Values(nil)[1]
}
pa, pb, pc := 1.0, 0.5, -2.0
rad := math.Hypot((pa-pc)/2, pb)
relDiff(matcalc.GradientSlice(lmax, []float64{pa, pb, pc}), []float64{0.5 + (pa-pc)/4/rad, pb / rad, 0.5 - (pa-pc)/4/rad})`},
	} {
		if got := cellFloat(t, s, c.code); !(got <= ulps) {
			t.Errorf("%s: relative difference %.3g, want ≤ %.3g", c.name, got, ulps)
		}
	}
	// Each of them exact: none fell back to numbers.
	for _, f := range []string{"square", "inverse", "det", "quad", "lsq", "h", "lmax"} {
		x := map[string]string{"square": "A", "inverse": "A", "det": "A", "quad": "xv", "lsq": "x0", "h": "B", "lmax": "[]float64{pa, pb, pc}"}[f]
		if got := cellText(t, s, "l := matcalc.D("+f+", "+x+")\nl.Matrix()\nl.Accuracy.String()"); got != `"exact (forward mode)"` {
			t.Errorf("%s: %s", f, got)
		}
	}
}

// Functions written the ways students write them (shadowing, aliasing slices, swaps,
// arrays, ranges that write, fallthrough, labels, several results, conversions, gonum
// built from a point's entries): forward mode's gradient against the numerical one, an
// independent method, and each of them exact. A tangent that followed the code wrong
// would disagree far beyond the numerical method's error.
func TestForwardModeFollowsGo(t *testing.T) {
	s := newSession(t)
	exec(t, s, `func sq(v float64) float64 { return v * v }
func two(a float64) (float64, float64) { return a * a, math.Sin(a) }
func pass(a float64) (float64, float64) { return two(a) }
func scale(s []float64, c float64) {
	for i := range s {
		s[i] *= c
	}
}
func sumTo(s []float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return s[n-1] + sumTo(s, n-1)
}
A := mat.NewDense(2, 2, []float64{2, 1, 1, 3})`)
	for _, c := range []struct{ name, f string }{
		{"shadowing in a block", `y := x[0]
	{
		y := x[1] * 2
		_ = y
	}
	return y * y`},
		{"a slice that aliases the parameter", `s := x
	s[0] = s[0] * 3
	return x[0] + s[1]*x[0]`},
		{"appends that share a backing array", `s := make([]float64, 0, 4)
	s = append(s, x[0])
	t := append(s, x[1])
	u := append(s, x[2])
	return t[1] * u[1] * s[0]`},
		{"a swap", `a, b := x[0], x[1]
	a, b = b, a*b
	return a - b*a`},
		{"an array copied by range", `arr := [3]float64{x[0], x[1], x[2]}
	for i, v := range arr {
		arr[i] = v * v * arr[(i+1)%3]
	}
	return arr[0] + arr[2]`},
		{"a range that writes its slice", `for i := range x {
		x[i] *= 2 + x[(i+1)%3]
	}
	return x[0] * x[1] * x[2]`},
		{"fallthrough", `y := 0.0
	switch {
	case x[0] > 0:
		y = x[0] * x[1]
		fallthrough
	default:
		y += x[2]
	}
	return y`},
		{"labels", `s := 0.0
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if j > i {
				continue outer
			}
			if i == 2 && j == 2 {
				break outer
			}
			s += x[i] * x[j]
		}
	}
	return s`},
		{"several results", `p, q := two(x[0])
	r, _ := pass(x[1])
	return p*q + r`},
		{"conversions and builtins", `k := float64(len(x)) / 10
	return k*x[1] + max(x[0], x[1], 0.25) + min(x[2], 5) + math.Pow(x[2], 3) + math.Hypot(x[0], x[1])`},
		{"an op-assignment at a computed index", `x[len(x)-1] += x[0] * x[1]
	return x[2] * x[2]`},
		{"a loop with two variables", `t := 0.0
	for i, s := 0, 1.0; i < 3; i, s = i+1, s*x[i] {
		t += s
	}
	return t`},
		{"a definition that assigns too", `y := x[0] * 2
	y, z := y*y, math.Sin(y)
	return y + z*x[1]`},
		{"a post statement with a compiled call", `t := 0.0
	for i, m := 0, 0.0; i < 3; i, m = i+1, math.Max(m, x[i]*x[i]) {
		t += m * x[2]
	}
	return t`},
		{"a callee that writes a slice", `y := make([]float64, 3)
	copy(y, x)
	scale(y, x[0])
	return y[1] + sumTo(y, 3)`},
		{"if with inits", `if v := sq(x[0]); v > 10 {
		return v
	} else if w := sq(x[1]); w > 0 {
		return w + v*x[2]
	}
	return 0`},
		{"var declarations", `var a, b = x[0], x[1]
	var c float64
	c = a * b
	var d []float64
	d = append(d, c, a)
	return d[0] + d[1]*b`},
		{"gonum from the point's entries", `m := mat.NewDense(2, 2, []float64{x[0], x[1], x[1], x[2]})
	var p mat.Dense
	p.Mul(m, A)
	v := mat.NewVecDense(2, []float64{x[0], 1})
	return mat.Det(&p) + mat.Inner(v, m, v) + p.At(0, 1)`},
		{"a matrix filled by Set", `var m mat.Dense
	m.CloneFrom(A)
	m.Set(0, 0, x[0]*x[1])
	var inv mat.Dense
	if err := inv.Inverse(&m); err != nil {
		panic(err)
	}
	return mat.Trace(&inv) + mat.Sum(&m)`},
	} {
		code := "func f(x []float64) float64 {\n\t" + c.f + "\n}\n" +
			`x0 := []float64{0.7, -1.3, 0.4}
ge, acc := matcalc.GradientAcc(f, x0)
gn := matcalc.GradientSlice(f, x0, matcalc.Numerically())
worst := 0.0
for i := range gn {
	worst = math.Max(worst, math.Abs(ge.([]float64)[i]-gn[i])/math.Max(1, math.Abs(gn[i])))
}
fmt.Sprint(acc.Exact, " ", acc.Why, " ", worst < 1e-8)`
		if got := cellText(t, s, code); got != `"true  true"` {
			t.Errorf("%s: exact, why, agrees: %s", c.name, got)
		}
	}
}
