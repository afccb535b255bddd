package tangent

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// ulps is the relative tolerance of the tests: a few units in the last place.
const ulps = 1e-15

func close(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

// The closed forms of the first and second derivatives of each function of one variable,
// written independently of the rules.
var unaries = []struct {
	name   string
	rule   func(float64, *T) *T
	d1, d2 func(float64) float64
	points []float64
}{
	{"Sqrt", Sqrt, func(x float64) float64 { return 1 / (2 * math.Sqrt(x)) }, func(x float64) float64 { return -math.Pow(x, -1.5) / 4 }, []float64{0.25, 2, 1e6}},
	{"Cbrt", Cbrt, func(x float64) float64 { return math.Pow(x, -2.0/3) / 3 }, func(x float64) float64 { return -2 * math.Pow(x, -5.0/3) / 9 }, []float64{0.125, 8, 1e3}},
	{"Exp", Exp, math.Exp, math.Exp, []float64{-3, 0, 0.5, 10}},
	{"Exp2", Exp2, func(x float64) float64 { return math.Pow(2, x) * math.Ln2 }, func(x float64) float64 { return math.Pow(2, x) * math.Ln2 * math.Ln2 }, []float64{-3, 0, 0.5, 10}},
	{"Expm1", Expm1, math.Exp, math.Exp, []float64{-1e-9, 0, 2}},
	{"Log", Log, func(x float64) float64 { return 1 / x }, func(x float64) float64 { return -1 / (x * x) }, []float64{0.05, 1, 7}},
	{"Log2", Log2, func(x float64) float64 { return 1 / x / math.Ln2 }, func(x float64) float64 { return -1 / (x * x) / math.Ln2 }, []float64{0.05, 1, 7}},
	{"Log10", Log10, func(x float64) float64 { return 1 / x / math.Ln10 }, func(x float64) float64 { return -1 / (x * x) / math.Ln10 }, []float64{0.05, 1, 7}},
	{"Log1p", Log1p, func(x float64) float64 { return 1 / (1 + x) }, func(x float64) float64 { return -math.Pow(1+x, -2) }, []float64{-0.5, 0, 3}},
	{"Sin", Sin, math.Cos, func(x float64) float64 { return -math.Sin(x) }, []float64{-1, 0.5, 3}},
	{"Cos", Cos, func(x float64) float64 { return -math.Sin(x) }, func(x float64) float64 { return -math.Cos(x) }, []float64{-1, 0.5, 3}},
	{"Tan", Tan, func(x float64) float64 { return 1 / (math.Cos(x) * math.Cos(x)) }, func(x float64) float64 { return 2 * math.Sin(x) / math.Pow(math.Cos(x), 3) }, []float64{-1, 0.5, 1.2}},
	{"Asin", Asin, func(x float64) float64 { return 1 / math.Sqrt(1-x*x) }, func(x float64) float64 { return x / math.Pow(1-x*x, 1.5) }, []float64{-0.5, 0, 0.25}},
	{"Acos", Acos, func(x float64) float64 { return -1 / math.Sqrt(1-x*x) }, func(x float64) float64 { return -x / math.Pow(1-x*x, 1.5) }, []float64{-0.5, 0, 0.25}},
	{"Atan", Atan, func(x float64) float64 { return 1 / (1 + x*x) }, func(x float64) float64 { return -2 * x / math.Pow(1+x*x, 2) }, []float64{-2, 0, 0.5}},
	{"Sinh", Sinh, math.Cosh, math.Sinh, []float64{-2, 0, 0.5}},
	{"Cosh", Cosh, math.Sinh, math.Cosh, []float64{-2, 0, 0.5}},
	{"Tanh", Tanh, func(x float64) float64 { return math.Pow(math.Cosh(x), -2) }, func(x float64) float64 { return -2 * math.Sinh(x) / math.Pow(math.Cosh(x), 3) }, []float64{-2, 0, 0.5}},
	{"Asinh", Asinh, func(x float64) float64 { return 1 / math.Sqrt(1+x*x) }, func(x float64) float64 { return -x / math.Pow(1+x*x, 1.5) }, []float64{-2, 0, 0.5}},
	{"Acosh", Acosh, func(x float64) float64 { return 1 / math.Sqrt(x*x-1) }, func(x float64) float64 { return -x / math.Pow(x*x-1, 1.5) }, []float64{1.5, 2, 10}},
	{"Atanh", Atanh, func(x float64) float64 { return 1 / (1 - x*x) }, func(x float64) float64 { return 2 * x / math.Pow(1-x*x, 2) }, []float64{-0.5, 0, 0.25}},
	{"Erf", Erf, func(x float64) float64 { return 2 / math.Sqrt(math.Pi) * math.Exp(-x*x) }, func(x float64) float64 { return -4 * x / math.Sqrt(math.Pi) * math.Exp(-x*x) }, []float64{-1, 0, 0.5, 2}},
	{"Erfc", Erfc, func(x float64) float64 { return -2 / math.Sqrt(math.Pi) * math.Exp(-x*x) }, func(x float64) float64 { return 4 * x / math.Sqrt(math.Pi) * math.Exp(-x*x) }, []float64{-1, 0, 0.5, 2}},
	{"Abs", Abs, func(x float64) float64 { return math.Copysign(1, x) }, func(float64) float64 { return 0 }, []float64{-2, 3}},
}

// TestUnary checks each rule's first and second derivatives against its closed forms,
// along two directions: First(i) = φ'·gᵢ and Second(i, j) = φ”·gᵢgⱼ.
func TestUnary(t *testing.T) {
	g := []float64{1, -0.5}
	for _, u := range unaries {
		for _, x := range u.points {
			r := u.rule(x, New(g, true))
			d1, d2 := u.d1(x), u.d2(x)
			for i := range g {
				if got := r.First(i); !close(got, d1*g[i], 4*ulps) {
					t.Errorf("%s at %v: First(%d) = %v, want %v", u.name, x, i, got, d1*g[i])
				}
				for j := range g {
					if got := r.Second(i, j); !close(got, d2*g[i]*g[j], 8*ulps) {
						t.Errorf("%s at %v: Second(%d, %d) = %v, want %v", u.name, x, i, j, got, d2*g[i]*g[j])
					}
				}
			}
			// At first order there are no second derivatives.
			if r := u.rule(x, New(g, false)); r.Order() != 1 || r.Second(0, 1) != 0 || !close(r.First(0), d1, 4*ulps) {
				t.Errorf("%s at %v, first order: %v", u.name, x, r)
			}
			if u.rule(x, nil) != nil {
				t.Errorf("%s of a constant is not nil", u.name)
			}
		}
	}
}

// bigDerivs are derivatives near domain edges, where a closed form in float64 loses
// digits, computed in 200-bit arithmetic.
func TestHardPoints(t *testing.T) {
	prec := uint(200)
	b := func(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
	one := b(1)
	f := func(z *big.Float) float64 { v, _ := z.Float64(); return v }
	// 1 - x² exactly, and its square root.
	oneMinusSq := func(x float64) *big.Float {
		s := new(big.Float).SetPrec(prec).Mul(b(x), b(x))
		return s.Sub(one, s)
	}
	cases := []struct {
		name   string
		got    *T
		d1, d2 float64
	}{}
	for _, x := range []float64{0.999999, -0.9999999999, 1 - 1.0/(1<<30)} {
		q := oneMinusSq(x)
		sq := new(big.Float).SetPrec(prec).Sqrt(q)
		d1 := new(big.Float).SetPrec(prec).Quo(one, sq)                                       // 1/√(1-x²)
		d2 := new(big.Float).SetPrec(prec).Quo(b(x), new(big.Float).SetPrec(prec).Mul(q, sq)) // x/(1-x²)^(3/2)
		cases = append(cases,
			struct {
				name   string
				got    *T
				d1, d2 float64
			}{"Asin", Asin(x, New([]float64{1}, true)), f(d1), f(d2)},
			struct {
				name   string
				got    *T
				d1, d2 float64
			}{"Atanh", Atanh(x, New([]float64{1}, true)), f(new(big.Float).SetPrec(prec).Quo(one, q)),
				f(new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Mul(b(2*x), one), new(big.Float).SetPrec(prec).Mul(q, q)))})
	}
	// log1p near -1: 1/(1+x) and -1/(1+x)².
	for _, x := range []float64{-0.999, -1 + 1e-12} {
		s := new(big.Float).SetPrec(prec).Add(one, b(x))
		inv := new(big.Float).SetPrec(prec).Quo(one, s)
		cases = append(cases, struct {
			name   string
			got    *T
			d1, d2 float64
		}{"Log1p", Log1p(x, New([]float64{1}, true)), f(inv), -f(new(big.Float).SetPrec(prec).Mul(inv, inv))})
	}
	for _, c := range cases {
		if !close(c.got.First(0), c.d1, 4*ulps) || !close(c.got.Second(0, 0), c.d2, 8*ulps) {
			t.Errorf("%s: got %v, %v, want %v, %v", c.name, c.got.First(0), c.got.Second(0, 0), c.d1, c.d2)
		}
	}
	// 1/x at 0.05: -400 and 16000 (the lecture's pole).
	r := Quo(1, nil, 0.05, New([]float64{1}, true))
	if !close(r.First(0), -400, 2*ulps) || !close(r.Second(0, 0), 16000, 2*ulps) {
		t.Errorf("1/x at 0.05: %v, %v; want -400, 16000", r.First(0), r.Second(0, 0))
	}
}

// seeds returns the tangents of two variables x and y seeded with the unit directions, at
// second order.
func seeds() (*T, *T) { return New([]float64{1, 0}, true), New([]float64{0, 1}, true) }

// checkGradHess compares r with the gradient g and Hessian h of a function of (x, y).
func checkGradHess(t *testing.T, name string, r *T, g [2]float64, h [2][2]float64, tol float64) {
	t.Helper()
	for i := 0; i < 2; i++ {
		if !close(r.First(i), g[i], tol) {
			t.Errorf("%s: First(%d) = %v, want %v", name, i, r.First(i), g[i])
		}
		for j := 0; j < 2; j++ {
			if !close(r.Second(i, j), h[i][j], tol) {
				t.Errorf("%s: Second(%d, %d) = %v, want %v", name, i, j, r.Second(i, j), h[i][j])
			}
		}
	}
}

func TestBinary(t *testing.T) {
	x, y := 1.7, -0.6
	dx, dy := seeds()
	checkGradHess(t, "x+y", Add(dx, dy), [2]float64{1, 1}, [2][2]float64{}, ulps)
	checkGradHess(t, "x-y", Sub(dx, dy), [2]float64{1, -1}, [2][2]float64{}, ulps)
	checkGradHess(t, "-x", Neg(dx), [2]float64{-1, 0}, [2][2]float64{}, ulps)
	checkGradHess(t, "x*y", Mul(x, dx, y, dy), [2]float64{y, x}, [2][2]float64{{0, 1}, {1, 0}}, ulps)
	checkGradHess(t, "x/y", Quo(x, dx, y, dy), [2]float64{1 / y, -x / (y * y)},
		[2][2]float64{{0, -1 / (y * y)}, {-1 / (y * y), 2 * x / (y * y * y)}}, 2*ulps)
	// x^y at x > 0.
	y = 2.5
	l := math.Log(x)
	checkGradHess(t, "x^y", Pow(x, dx, y, dy), [2]float64{y * math.Pow(x, y-1), math.Pow(x, y) * l},
		[2][2]float64{{y * (y - 1) * math.Pow(x, y-2), math.Pow(x, y-1) + y*math.Pow(x, y-1)*l},
			{math.Pow(x, y-1) + y*math.Pow(x, y-1)*l, math.Pow(x, y) * l * l}}, 4*ulps)
	// x³ at x = -2 has a constant exponent: no logarithm of a negative number.
	if r := Pow(-2, New([]float64{1}, true), 3, nil); !close(r.First(0), 12, ulps) || !close(r.Second(0, 0), -12, ulps) {
		t.Errorf("x³ at -2: %v", r)
	}
	if r := Pow(0, New([]float64{1}, true), 1, nil); r.First(0) != 1 || r.Second(0, 0) != 0 {
		t.Errorf("x¹ at 0: %v", r)
	}
	// atan2(y, x) along (dy, dx) = the unit directions: x/r², -y/r² and the second partials.
	p, q := 0.3, -1.1 // y, x
	r2 := p*p + q*q
	checkGradHess(t, "atan2", Atan2(p, dx, q, dy), [2]float64{q / r2, -p / r2},
		[2][2]float64{{-2 * p * q / (r2 * r2), (p*p - q*q) / (r2 * r2)}, {(p*p - q*q) / (r2 * r2), 2 * p * q / (r2 * r2)}}, 4*ulps)
	h := math.Sqrt(r2)
	h3 := h * h * h
	checkGradHess(t, "hypot", Hypot(p, dx, q, dy), [2]float64{p / h, q / h},
		[2][2]float64{{q * q / h3, -p * q / h3}, {-p * q / h3, p * p / h3}}, 4*ulps)
	// Binary itself, as the tangent of x²y: 2xy, x²; 2y, 2x, 0.
	x, y = 1.5, -2
	checkGradHess(t, "Binary x²y", Binary(dx, dy, 2*x*y, x*x, 2*y, 2*x, 0), [2]float64{2 * x * y, x * x},
		[2][2]float64{{2 * y, 2 * x}, {2 * x, 0}}, ulps)
}

// TestChains composes rules, so that the φ'·H terms of tangents that already carry second
// derivatives are checked.
func TestChains(t *testing.T) {
	x, y := 0.8, 1.3
	dx, dy := seeds()
	// sin(xy): (y cos, x cos); -y² sin, cos - xy sin, -x² sin.
	p := x * y
	s, c := math.Sin(p), math.Cos(p)
	checkGradHess(t, "sin(xy)", Sin(p, Mul(x, dx, y, dy)), [2]float64{y * c, x * c},
		[2][2]float64{{-y * y * s, c - p*s}, {c - p*s, -x * x * s}}, 4*ulps)
	// xy/(x+y): y²/(x+y)², x²/(x+y)²; -2y²/(x+y)³, 2xy/(x+y)³, -2x²/(x+y)³.
	sum := x + y
	s2, s3 := sum*sum, sum*sum*sum
	checkGradHess(t, "xy/(x+y)", Quo(p, Mul(x, dx, y, dy), sum, Add(dx, dy)), [2]float64{y * y / s2, x * x / s2},
		[2][2]float64{{-2 * y * y / s3, 2 * x * y / s3}, {2 * x * y / s3, -2 * x * x / s3}}, 8*ulps)
	// exp(x)·log(y): exp log, exp/y; exp log, exp/y, -exp/y².
	e, l := math.Exp(x), math.Log(y)
	checkGradHess(t, "exp(x)log(y)", Mul(e, Exp(x, dx), l, Log(y, dy)), [2]float64{e * l, e / y},
		[2][2]float64{{e * l, e / y}, {e / y, -e / (y * y)}}, 4*ulps)
	// √(x² + y²) composed from rules, against Hypot's closed form.
	h := math.Sqrt(x*x + y*y)
	h3 := h * h * h
	checkGradHess(t, "sqrt(x²+y²)", Sqrt(x*x+y*y, Add(Mul(x, dx, x, dx), Mul(y, dy, y, dy))), [2]float64{x / h, y / h},
		[2][2]float64{{y * y / h3, -x * y / h3}, {-x * y / h3, x * x / h3}}, 8*ulps)
}

func TestSteps(t *testing.T) {
	dx := New([]float64{1}, true)
	for _, c := range []struct {
		name string
		rule func(float64, *T) *T
		x    float64
	}{{"Floor", Floor, 2.5}, {"Ceil", Ceil, -0.3}, {"Trunc", Trunc, 0}, {"Trunc", Trunc, 1.5}, {"Round", Round, 0.3}, {"Round", Round, 2}} {
		if r := c.rule(c.x, dx); r != nil {
			t.Errorf("%s at %v: %v, want a zero derivative", c.name, c.x, r)
		}
	}
}

// panicOf returns what f panics with.
func panicOf(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestNotDifferentiable(t *testing.T) {
	dx, dy := seeds()
	for _, c := range []struct {
		what string
		f    func() *T
	}{
		{"math.Abs at 0", func() *T { return Abs(0, dx) }},
		{"math.Max at a tie", func() *T { return Max(1, dx, 1, dy) }},
		{"math.Min at a tie", func() *T { return Min(1, dx, 1, nil) }},
		{"math.Floor at 2", func() *T { return Floor(2, dx) }},
		{"math.Ceil at -1", func() *T { return Ceil(-1, dx) }},
		{"math.Trunc at 3", func() *T { return Trunc(3, dx) }},
		{"math.Round at 0.5", func() *T { return Round(0.5, dx) }},
		{"math.Round at -2.5", func() *T { return Round(-2.5, dx) }},
		{"math.Atan2 at (0, 0)", func() *T { return Atan2(0, dx, 0, dy) }},
		{"math.Hypot at (0, 0)", func() *T { return Hypot(0, dx, 0, nil) }},
	} {
		r := panicOf(func() { c.f() })
		nd, ok := r.(NotDifferentiable)
		if !ok || nd.What != c.what {
			t.Errorf("%s: panicked with %#v", c.what, r)
			continue
		}
		if nd.Error() != "tangent: not differentiable: "+c.what {
			t.Errorf("Error: %q", nd.Error())
		}
	}
	// Where the derivative along the directions is zero, there is nothing to guess.
	zero := New([]float64{0, 0}, true)
	if Abs(0, zero) != nil || Abs(0, nil) != nil || Floor(2, zero) != nil {
		t.Error("a zero tangent at a kink is not nil")
	}
	// At a tie with equal tangents, max is differentiable.
	if r := Max(1, dx, 1, dx); r != dx {
		t.Errorf("max at a tie with equal tangents: %v", r)
	}
	if r := Max(1, dx, 2, dy); r != dy {
		t.Errorf("max(1, 2): %v", r)
	}
	if r := Min(1, dx, 2, dy); r != dx {
		t.Errorf("min(1, 2): %v", r)
	}
	if got := (NoRule{"f calls fmt.Sprint"}).Error(); got != "tangent: no derivative rule: f calls fmt.Sprint" {
		t.Errorf("NoRule: %q", got)
	}
}

func TestMismatch(t *testing.T) {
	two, three := New([]float64{1, 0}, false), New([]float64{1, 0, 0}, false)
	second := New([]float64{1, 0}, true)
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"tangent: Add: tangents along 2 and 3 directions", func() { Add(two, three) }},
		{"tangent: Mul: tangents of orders 1 and 2", func() { Mul(1, two, 2, second) }},
		{"tangent: Quo: tangents along 2 and 3 directions", func() { Quo(1, two, 2, three) }},
		{"tangent: Binary: tangents along 3 and 2 directions", func() { Binary(three, two, 1, 1, 0, 0, 0) }},
		{"tangent: Max: tangents along 2 and 3 directions", func() { Max(1, two, 2, three) }},
		{"tangent: Sub: tangents of orders 2 and 1", func() { Sub(second, two) }},
	} {
		if r, _ := panicOf(c.f).(string); r != c.want {
			t.Errorf("panicked with %q, want %q", r, c.want)
		}
	}
}

// TestConstants checks that every rule returns nil when all its tangents are nil.
func TestConstants(t *testing.T) {
	binaries := map[string]func(float64, *T, float64, *T) *T{
		"Mul": Mul, "Quo": Quo, "Pow": Pow, "Atan2": Atan2, "Hypot": Hypot, "Max": Max, "Min": Min,
	}
	for name, f := range binaries {
		if f(1.5, nil, 0.5, nil) != nil {
			t.Errorf("%s of constants is not nil", name)
		}
	}
	for name, f := range map[string]func(float64, *T) *T{"Floor": Floor, "Ceil": Ceil, "Trunc": Trunc, "Round": Round} {
		if f(2, nil) != nil {
			t.Errorf("%s of a constant is not nil", name)
		}
	}
	if Add(nil, nil) != nil || Sub(nil, nil) != nil || Neg(nil) != nil || Unary(nil, 1, 1) != nil || Binary(nil, nil, 1, 1, 1, 1, 1) != nil {
		t.Error("arithmetic of constants is not nil")
	}
	var n *T
	if n.First(3) != 0 || n.Second(1, 2) != 0 || n.Directions() != 0 || n.Order() != 0 {
		t.Error("a nil T is not zero")
	}
}

// TestImmutable checks that rules never change their arguments and that New copies.
func TestImmutable(t *testing.T) {
	g := []float64{1, 2}
	dx := New(g, true)
	g[0] = 5
	if dx.First(0) != 1 {
		t.Fatal("New did not copy")
	}
	Mul(2, dx, 3, Exp(1, dx))
	Quo(2, dx, 3, Sin(1, dx))
	if dx.First(0) != 1 || dx.First(1) != 2 || dx.Second(1, 1) != 0 {
		t.Errorf("a rule changed its argument: %v", dx)
	}
	if s := Exp(0, dx).String(); !strings.HasPrefix(s, "[1 2]; [1 2 4]") {
		t.Errorf("String: %s", s)
	}
}
