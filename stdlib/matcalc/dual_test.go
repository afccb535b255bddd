package matcalc

import (
	"math"
	"math/big"
	"testing"
)

// dualTol is the relative error a Dual's derivative may have where the closed form is
// dualTol in floating point (a literal, or a formula of one or two correctly rounded
// operations): each rule is one to three rounded operations on numbers that are
// themselves rounded, about 4.5 units in the last place (2⁻⁵² ≈ 2.2e-16) in all.
const dualTol = 1e-15

// relErr is |got − want|/|want|, or |got| when want is 0.
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// expectDual checks x's value and derivative against closed forms to within dualTol.
func expectDual(t *testing.T, what string, x Dual, value, derivative float64) {
	t.Helper()
	if e := relErr(x.Value(), value); !(e <= dualTol) {
		t.Errorf("%s: value %v, want %v (relative error %.2g)", what, x.Value(), value, e)
	}
	if e := relErr(x.Derivative(), derivative); !(e <= dualTol) {
		t.Errorf("%s: derivative %v, want %v (relative error %.2g)", what, x.Derivative(), derivative, e)
	}
}

// Closed forms, to more digits than a float64 holds.
const (
	sqrt2     = 1.41421356237309504880168872420969807856967187537694
	sqrt3     = 1.73205080756887729352744634150587236694280525381038
	ln2       = 0.693147180559945309417232121458176568075500134360255
	halfInvSq = 0.282094791773878143474039725780386292922025314664499 // 1/(2√π)
)

// The arithmetic of the lecture on small integers, where every operation is dualTol.
func TestDualArithmeticIsTheAlgebraOfEpsilon(t *testing.T) {
	f, g := NewDual(3, 4), NewDual(5, 6)
	eps := NewDual(0, 1)
	for _, c := range []struct {
		what string
		got  Dual
		want Dual
	}{
		{"(3 + 4ε) + (5 + 6ε)", f.Add(g), Dual{8, 10}},
		{"(3 + 4ε) − (5 + 6ε)", f.Sub(g), Dual{-2, -2}},
		{"(3 + 4ε)(5 + 6ε) = 15 + (4·5 + 3·6)ε", f.Mul(g), Dual{15, 38}},
		{"−(3 + 4ε)", f.Neg(), Dual{-3, -4}},
		{"2.5(3 + 4ε)", f.Scale(2.5), Dual{7.5, 10}},
		{"ε·ε = 0", eps.Mul(eps), Dual{0, 0}},
		{"(1 + ε)⁵ by products = 1 + 5ε", pow5(Constant(1).Add(eps)), Dual{1, 5}},
		{"(1 + ε)⁵ by Pow = 1 + 5ε", Constant(1).Add(eps).Pow(5), Dual{1, 5}},
		// 1/(1 + ε) = 1 − ε + ε² − ... = 1 − ε exactly.
		{"1/(1 + ε) = 1 − ε", Constant(1).Div(Constant(1).Add(eps)), Dual{1, -1}},
		{"(1 + ε)⁻¹ = 1 − ε", Constant(1).Add(eps).Inv(), Dual{1, -1}},
		{"(2 + 3ε)/(4 + 8ε) = ½ + (3·4 − 2·8)/4² ε", NewDual(2, 3).Div(NewDual(4, 8)), Dual{0.5, -0.25}},
		{"Variable(2)", Variable(2), Dual{2, 1}},
		{"Constant(2)", Constant(2), Dual{2, 0}},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// The lecture's D(2, 3)/D(3, 4) = 2/3 + (3·3 − 2·4)/3² ε = 2/3 + 1/9 ε.
	expectDual(t, "(2 + 3ε)/(3 + 4ε)", NewDual(2, 3).Div(NewDual(3, 4)), 2.0/3, 1.0/9)
	// (1e300 + ε)/(1e200 + ε) = 1e100 + (1e200 − 1e300)/1e400 ε, though 1e400 overflows.
	expectDual(t, "(1e300 + ε)/(1e200 + ε)", NewDual(1e300, 1).Div(NewDual(1e200, 1)), 1e100, -1e-100)
}

func pow5(x Dual) Dual { return x.Mul(x).Mul(x).Mul(x).Mul(x) }

// Each rule against its closed-form derivative, at ordinary points and at hard ones:
// next to a pole, the edge of a domain or an overflow.
func TestDualRulesAgainstClosedForms(t *testing.T) {
	type point struct{ x, value, derivative float64 }
	for _, c := range []struct {
		rule   string
		f      func(Dual) Dual
		points []point
	}{
		// 1/x at 0.05, next to its pole: −1/x² = −400.
		{"Inv", Dual.Inv, []point{{0.05, 20, -400}, {-3, -1.0 / 3, -1.0 / 9}, {1e-150, 1e150, -1e300}, {1e150, 1e-150, -1e-300}}},
		{"1/x by Div", func(x Dual) Dual { return Constant(1).Div(x) }, []point{{0.05, 20, -400}, {1e-150, 1e150, -1e300}, {1e200, 1e-200, 0}}},
		{"x/(1 + x) by Div", func(x Dual) Dual { return x.Div(Constant(1).Add(x)) }, []point{{1, 0.5, 0.25}, {3, 0.75, 1.0 / 16}}},
		{"Pow(-1)", func(x Dual) Dual { return x.Pow(-1) }, []point{{0.05, 20, -400}}},
		{"Pow(3)", func(x Dual) Dual { return x.Pow(3) }, []point{{2, 8, 12}, {-2, -8, 12}, {0, 0, 0}}},
		{"Pow(0.5)", func(x Dual) Dual { return x.Pow(0.5) }, []point{{4, 2, 0.25}, {0x1p-70, 0x1p-35, 0x1p34}}},
		{"Pow(0)", func(x Dual) Dual { return x.Pow(0) }, []point{{0, 1, 0}, {5, 1, 0}}},
		// √x near 0, where its derivative 1/(2√x) grows without bound.
		{"Sqrt", Dual.Sqrt, []point{{4, 2, 0.25}, {2, sqrt2, sqrt2 / 4}, {1e-20, 1e-10, 5e9}, {0x1p-70, 0x1p-35, 0x1p34}, {1e300, 1e150, 5e-151}}},
		// log near 0: 1/x.
		{"Log", Dual.Log, []point{{1, 0, 1}, {2, ln2, 0.5}, {1e-300, -300 * math.Ln10, 1e300}, {0x1p-1000, -1000 * ln2, 0x1p1000}}},
		{"Exp", Dual.Exp, []point{{0, 1, 1}, {1, math.E, math.E}, {ln2, 2, 2}, {-ln2, 0.5, 0.5}}},
		// sin(π/6) = ½, cos(π/6) = √3/2.
		{"Sin", Dual.Sin, []point{{0, 0, 1}, {math.Pi / 6, 0.5, sqrt3 / 2}, {1e-8, 1e-8, 1}}},
		{"Cos", Dual.Cos, []point{{0, 1, 0}, {math.Pi / 3, 0.5, -sqrt3 / 2}, {math.Pi, -1, 0}}},
		{"Tan", Dual.Tan, []point{{0, 0, 1}, {math.Pi / 4, 1, 2}}},
		{"Atan", Dual.Atan, []point{{0, 0, 1}, {1, math.Pi / 4, 0.5}, {1e10, math.Pi/2 - 1e-10, 1e-20}}},
		// arcsin and arccos at ½: π/6 and π/3, with derivatives ±2/√3.
		{"Asin", Dual.Asin, []point{{0, 0, 1}, {0.5, math.Pi / 6, 2 / sqrt3}}},
		{"Acos", Dual.Acos, []point{{0, math.Pi / 2, -1}, {0.5, math.Pi / 3, -2 / sqrt3}}},
		// sinh and cosh of log 2: (2 − ½)/2 and (2 + ½)/2.
		{"Sinh", Dual.Sinh, []point{{0, 0, 1}, {ln2, 0.75, 1.25}}},
		{"Cosh", Dual.Cosh, []point{{0, 1, 0}, {ln2, 1.25, 0.75}}},
		// tanh(log 2) = 3/5, sech²(log 2) = 1 − 9/25.
		{"Tanh", Dual.Tanh, []point{{0, 0, 1}, {ln2, 0.6, 16.0 / 25}}},
		{"Abs", Dual.Abs, []point{{-3, 3, -1}, {2, 2, 1}, {-1e-300, 1e-300, -1}}},
	} {
		for _, p := range c.points {
			expectDual(t, c.rule+" at "+shortest(p.x), c.f(Variable(p.x)), p.value, p.derivative)
		}
	}
}

// At the edges of floating point the closed form itself needs care: these are evaluated
// here without the rule's formula.
func TestDualRulesAtTheEdges(t *testing.T) {
	// arcsin' near 1: 1/√(1 − x²) with 1 − x² = 2⁻³⁰(2 − 2⁻³⁰) exactly for x = 1 − 2⁻³⁰.
	// (1 − x*x would round x² and keep only 9 digits.)
	x := 1 - 0x1p-30
	want := 1 / math.Sqrt(0x1p-29-0x1p-60)
	if e := relErr(Variable(x).Asin().Derivative(), want); !(e <= dualTol) {
		t.Errorf("Asin' at 1 − 2⁻³⁰: relative error %.2g", e)
	}
	if e := relErr(Variable(x).Acos().Derivative(), -want); !(e <= dualTol) {
		t.Errorf("Acos' at 1 − 2⁻³⁰: relative error %.2g", e)
	}
	// tanh' = sech² x = 4/(eˣ + e⁻ˣ)², 1.7e-17 at 20, where 1 − tanh² x rounds to 0.
	for _, x := range []float64{0.5, 20, -30} {
		want := 4 / ((math.Exp(x) + math.Exp(-x)) * (math.Exp(x) + math.Exp(-x)))
		if e := relErr(Variable(x).Tanh().Derivative(), want); !(e <= dualTol) {
			t.Errorf("Tanh' at %v: %v, want %v", x, Variable(x).Tanh().Derivative(), want)
		}
	}
	// exp' = exp, even where eˣ is near the ends of the float64 range.
	for _, x := range []float64{-700, 700} {
		if d := Variable(x).Exp(); d.Derivative() != d.Value() {
			t.Errorf("Exp at %v: %v", x, d)
		}
	}
}

// tan near its pole at π/2: tan' x = 1/cos² x = 1/sin² δ with δ = π/2 − x, computed in
// 200-bit arithmetic from π's digits and sin's series (δ < 1e-7: three terms are plenty).
// Not at the float64 nearest π/2 (δ = 6e-17), where math.Tan and math.Cos are themselves
// off by 1.4e-15: their reduction by multiples of π/4 carries π to about 100 bits.
func TestTanNearItsPole(t *testing.T) {
	const digits = "1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267105853399107404326"
	halfPi, _, err := big.ParseFloat(digits, 10, 200, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{1.5707963, 1.57079632679, 1.5707963267948} {
		delta := new(big.Float).SetPrec(200).Sub(halfPi, big.NewFloat(x))
		d3 := new(big.Float).Mul(delta, new(big.Float).Mul(delta, delta))
		d5 := new(big.Float).Mul(d3, new(big.Float).Mul(delta, delta))
		sin := new(big.Float).Sub(delta, new(big.Float).Quo(d3, big.NewFloat(6)))
		sin.Add(sin, new(big.Float).Quo(d5, big.NewFloat(120)))
		want, _ := new(big.Float).Quo(big.NewFloat(1), new(big.Float).Mul(sin, sin)).Float64()
		got := Variable(x).Tan().Derivative()
		if e := relErr(got, want); !(e <= dualTol) {
			t.Errorf("Tan' at %v (δ = %.3g): %v, want %v (relative error %.2g)", x, delta, got, want, e)
		}
	}
}

// A constant stays a constant through every rule, even where the rule's f' is infinite
// or undefined (√x at 0, |x| at 0).
func TestConstantsHaveDerivativeZero(t *testing.T) {
	for name, f := range map[string]func(Dual) Dual{
		"Sqrt": Dual.Sqrt, "Log": Dual.Log, "Abs": Dual.Abs, "Inv": Dual.Inv, "Pow(0.5)": func(x Dual) Dual { return x.Pow(0.5) },
	} {
		if d := f(Constant(0)).Derivative(); d != 0 {
			t.Errorf("%s(0 + 0ε) has derivative %v", name, d)
		}
	}
}

// Where the function has no derivative, or an infinite one, the Dual says so.
func TestDualAtSingularities(t *testing.T) {
	if d := Variable(0).Abs().Derivative(); !math.IsNaN(d) {
		t.Errorf("|x|' at 0 = %v, want NaN (no derivative)", d)
	}
	if d := Variable(0).Sqrt().Derivative(); !math.IsInf(d, 1) {
		t.Errorf("√x' at 0 = %v, want +Inf", d)
	}
	if d := Variable(math.NaN()).Abs(); !math.IsNaN(d.Value()) || !math.IsNaN(d.Derivative()) {
		t.Errorf("|NaN| = %v, want NaN + NaN·ε", d)
	}
	if d := Variable(0).Log().Derivative(); !math.IsInf(d, 1) {
		t.Errorf("log' at 0 = %v, want +Inf", d)
	}
}

// babylonian is the course's Babylonian square root: t ← (t + x/t)/2, n times from t = 1.
func babylonian(x Dual, n int) Dual {
	t := Constant(1).Add(x).Scale(0.5) // the first step, from t = 1
	for i := 2; i <= n; i++ {
		t = t.Add(x.Div(t)).Scale(0.5)
	}
	return t
}

// The lecture's example: the Babylonian algorithm run on a dual number computes the
// derivative of √x, 1/(2√x), to within a few units in the last place.
func TestBabylonianSqrtDifferentiated(t *testing.T) {
	for _, c := range []struct{ x, sqrt, derivative float64 }{
		{49, 7, 1.0 / 14},
		{2, sqrt2, sqrt2 / 4},
		{100, 10, 0.05},
		{math.Pi, 1.77245385090551602729816748334114518279754945612239, halfInvSq},
	} {
		d := babylonian(Variable(c.x), 10)
		expectDual(t, "Babylonian("+shortest(c.x)+")", d, c.sqrt, c.derivative)
	}
}

// A function computed by a loop of 1,000 steps: Horner's rule for p(x) = 1 + x + ... +
// x¹⁰⁰⁰ = (x¹⁰⁰¹ − 1)/(x − 1). At x = ±½ the closed forms are 2 and 2/3, and p'(x) =
// (1000x¹⁰⁰¹ − 1001x¹⁰⁰⁰ + 1)/(x − 1)² is 4 and 4/9 (the powers of ½ are below 2⁻⁹⁹⁰,
// far past a float64's digits).
func TestALoopOfAThousandSteps(t *testing.T) {
	horner := func(x Dual) Dual {
		p := Constant(1)
		for range 1000 {
			p = p.Mul(x).Add(Constant(1))
		}
		return p
	}
	expectDual(t, "Horner at ½", horner(Variable(0.5)), 2, 4)
	expectDual(t, "Horner at −½", horner(Variable(-0.5)), 2.0/3, 4.0/9)
}

// The chain rule through several functions: f(x) = sin(x²) e⁻ˣ has f'(x) = (2x cos x² −
// sin x²) e⁻ˣ, evaluated here from math's functions (a few roundings each).
func TestChainRule(t *testing.T) {
	f := func(x Dual) Dual { return x.Mul(x).Sin().Mul(x.Neg().Exp()) }
	for _, x := range []float64{0.3, 1.3, 2} {
		want := (2*x*math.Cos(x*x) - math.Sin(x*x)) * math.Exp(-x)
		expectDual(t, "sin(x²)e⁻ˣ at "+shortest(x), f(Variable(x)), math.Sin(x*x)*math.Exp(-x), want)
	}
}

func TestDualShowsAsAPlusBEpsilon(t *testing.T) {
	for _, c := range []struct {
		x           Dual
		text, latex string
	}{
		{NewDual(7, 1.0/14), "7 + 0.07142857142857142·ε", `7 + 0.07142857142857142\varepsilon`},
		{NewDual(2, -3), "2 - 3·ε", `2 - 3\varepsilon`},
		{Constant(2).Neg(), "-2 + 0·ε", `-2 + 0\varepsilon`},
		{NewDual(1e-10, 5e9), "1e-10 + 5e+09·ε", `10^{-10} + 5 \times 10^{9}\varepsilon`},
		{NewDual(0, math.Inf(1)), "0 + Inf·ε", `0 + \infty\varepsilon`},
		{NewDual(0, math.Inf(-1)), "0 - Inf·ε", `0 - \infty\varepsilon`},
		{NewDual(0, math.NaN()), "0 + NaN·ε", `0 + \mathrm{NaN}\varepsilon`},
	} {
		if got := c.x.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
		if got := c.x.LaTeX(); got != c.latex {
			t.Errorf("LaTeX() = %q, want %q", got, c.latex)
		}
	}
}
