package matcalc_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/internal/hardcases"
	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// outcome is what a derivative call gave on a hard case: its error against the closed
// form, what it said of its accuracy, or its matcalc: error.
type outcome struct {
	digits  float64 // correct digits against the closed form
	trueErr float64 // the true error in the max norm
	acc     matcalc.Accuracy
	flagged string // the matcalc: error, when the call failed
}

// honest reports whether the outcome is not silently wrong: flagged, or within its own
// error estimate with at least 6 digits claimed.
func (o outcome) honest() bool {
	return o.flagged != "" || o.trueErr <= o.acc.Err && o.acc.Digits >= 6
}

func measure(call func() ([]float64, matcalc.Accuracy), want []float64) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			msg, ok := r.(string)
			if !ok || !strings.HasPrefix(msg, "matcalc: ") {
				panic(r)
			}
			o.flagged = msg
		}
	}()
	got, acc := call()
	o.acc = acc
	for i := range got {
		o.trueErr = math.Max(o.trueErr, math.Abs(got[i]-want[i]))
	}
	o.digits = 16
	if o.trueErr > 0 {
		o.digits = -math.Log10(o.trueErr / maxAbs(want))
	}
	return o
}

func firstDerivative(c hardcases.Case) outcome {
	return measure(func() ([]float64, matcalc.Accuracy) {
		d := matcalc.D(c.F, c.X)
		return hardcases.Vec(d.Apply(c.Dx)), d.Accuracy
	}, c.Want)
}

func secondDerivative(c hardcases.Case) outcome {
	return measure(func() ([]float64, matcalc.Accuracy) {
		b := matcalc.D2(c.F, c.X)
		return hardcases.Vec(b.Apply(c.Dx, c.Dx)), b.Accuracy
	}, c.Want2)
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// firstTarget is the number of correct digits a first derivative must reach on each
// family of hard cases. Where f itself is computed through a factorization, its rounding
// grows with the condition number, and close to an eigenvalue gap g or a small eigenvalue
// λ the steps must stay below g or λ, where round-off is larger: there the target is what
// the mathematics leaves (f's rounding over the largest step that stays smooth).
var firstTarget = map[string]float64{
	"pole": 12, "domain edge": 12, "inverse": 12, "implicit": 12, "smooth": 12,
	"logdet": 11.5, "qr": 11.5, "eigen gap": 8.5, "sqrtm": 8.5,
}

func TestHardCasesFirstDerivatives(t *testing.T) {
	for _, c := range hardcases.Fixed() {
		o := firstDerivative(c)
		switch {
		case o.flagged != "":
			t.Errorf("%s: flagged: %s", c.Name, o.flagged)
		case o.trueErr > o.acc.Err:
			t.Errorf("%s: error %.2g above the estimate %v", c.Name, o.trueErr, o.acc)
		case o.digits < firstTarget[c.Family]:
			t.Errorf("%s: %.1f correct digits, want %.1f (estimate %v)", c.Name, o.digits, firstTarget[c.Family], o.acc)
		}
	}
}

func TestHardCasesSecondDerivatives(t *testing.T) {
	for _, c := range hardcases.Fixed() {
		if c.Want2 == nil {
			continue
		}
		o := secondDerivative(c)
		target := 9.0
		if firstTarget[c.Family] < 12 {
			target = 5 // two derivatives' worth of what f's rounding leaves
		}
		switch {
		case !o.honest():
			t.Errorf("%s: f'' silently wrong: error %.2g, estimate %v", c.Name, o.trueErr, o.acc)
		case o.flagged == "" && o.digits < target:
			t.Errorf("%s: f'' %.1f correct digits, want %.0f (estimate %v)", c.Name, o.digits, target, o.acc)
		}
	}
}

// Hundreds of random draws of the hard families: no result may be both wrong and
// unflagged, and flags must stay rare (a tool that flags everything is no tool).
func TestRandomHardCasesAreNeverSilentlyWrong(t *testing.T) {
	cases := hardcases.Random(11, 400)
	flagged, silent := 0, 0
	for _, c := range cases {
		o := firstDerivative(c)
		if o.flagged != "" {
			flagged++
			continue
		}
		if !o.honest() {
			silent++
			t.Errorf("%s: error %.2g, estimate %v", c.Name, o.trueErr, o.acc)
		}
	}
	if flagged > len(cases)/50 {
		t.Errorf("%d of %d draws flagged, want at most 2%%", flagged, len(cases))
	}
	t.Logf("%d draws: %d flagged, %d silently wrong", len(cases), flagged, silent)
}

func TestRandomHardCasesSecondDerivatives(t *testing.T) {
	cases := hardcases.Random(12, 120)
	flagged := 0
	for _, c := range cases {
		if c.Want2 == nil {
			continue
		}
		o := secondDerivative(c)
		if o.flagged != "" {
			flagged++
		} else if !o.honest() {
			t.Errorf("%s: f'' error %.2g, estimate %v", c.Name, o.trueErr, o.acc)
		}
	}
	t.Logf("%d draws: %d flagged", len(cases), flagged)
}

// The cases of the report that started this: 1/x near its pole, log near the edge of its
// domain, Newton from there.
func TestReportedCases(t *testing.T) {
	d := matcalc.D(func(x float64) float64 { return 1 / x }, 0.05)
	if got := d.ApplyFloat(1.0); math.Abs(got+400) > 400e-12 || d.Accuracy.Err > 1e-6*400 {
		t.Errorf("1/x at 0.05: %v, %v; want -400", got, d.Accuracy)
	}
	if got := matcalc.Derivative(math.Log, 0.05); math.Abs(got-20) > 20e-12 {
		t.Errorf("log' at 0.05: %v, want 20", got)
	}
	r := matcalc.Newton(math.Log, 0.05)
	if x := r.X.(float64); !r.Converged || math.Abs(x-1) > 1e-14 {
		t.Errorf("Newton on log from 0.05: %v", r)
	}
}

// A zero derivative (at a minimum, an even function's centre) is not "uncertain": its
// error is round-off against f's size.
func TestZeroDerivativesPass(t *testing.T) {
	for name, f := range map[string]func(float64) float64{
		"sin at π/2": func(x float64) float64 { return math.Sin(x + math.Pi/2) },
		"x³ at 0":    func(x float64) float64 { return x * x * x },
		"cosh at 0":  math.Cosh,
		"1 + x² at 0": func(x float64) float64 {
			return 1 + x*x
		},
	} {
		if got := matcalc.Derivative(f, 0); math.Abs(got) > 1e-12 {
			t.Errorf("%s: %v, want 0", name, got)
		}
	}
	g := matcalc.GradientSlice(func(p []float64) float64 { return (p[0]-1)*(p[0]-1) + 3*(p[1]+2)*(p[1]+2) }, []float64{1, -2})
	if math.Abs(g[0]) > 1e-12 || math.Abs(g[1]) > 1e-12 {
		t.Errorf("gradient at the minimum: %v", g)
	}
}

// A derivative that does not exist, or a function too noisy to differentiate, fails with
// an error that says what to do.
func TestUncertainResultsFail(t *testing.T) {
	// sin x computed to 4 decimals, as a table or a loose solver would give it.
	noisy := func(x float64) float64 { return math.Round(math.Sin(x)*1e4) / 1e4 }
	jump := func(x float64) float64 {
		if x < 0.3 {
			return x
		}
		return x + 1
	}
	relu := func(x float64) float64 { return math.Max(x, 0) }
	abs := func(x float64) float64 { return math.Abs(x - 0.3) }
	for name, f := range map[string]func(float64) float64{"noisy": noisy, "a jump at the point": jump, "ReLU at 0": func(x float64) float64 { return relu(x - 0.3) }, "|x| at 0": abs} {
		msg := flagOf(func() { matcalc.Derivative(f, 0.3) })
		for _, want := range []string{"matcalc: Derivative:", "matcalc.Step", "matcalc.Tolerance"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q lacks %q", name, msg, want)
			}
		}
	}
	// A kink in one coordinate of a gradient.
	if msg := flagOf(func() {
		matcalc.Gradient(func(p []float64) float64 { return p[0]*p[0] + math.Abs(p[1]-p[0]) }, []float64{1, 1})
	}); !strings.Contains(msg, "kink") {
		t.Errorf("|y - x| at y = x: %q", msg)
	}
	// A looser tolerance accepts the noisy one, and the estimate says how good it is.
	d := matcalc.D(noisy, 0.3, matcalc.Tolerance(0.1))
	got := d.ApplyFloat(1.0)
	if math.Abs(got-math.Cos(0.3)) > d.Accuracy.Err {
		t.Errorf("noisy with Tolerance(0.5): %v, %v; true %v", got, d.Accuracy, math.Cos(0.3))
	}
}

func flagOf(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return ""
}

// The plain shorthands return gonum values, which a notebook shows with the digits they
// trust while they hold matcalc's numbers.
func TestShorthandResultsCarryTheirAccuracy(t *testing.T) {
	f := func(p []float64) float64 { return math.Sin(p[0]) * math.Exp(p[1]) }
	x := []float64{0.7, 0.3}
	h, acc := matcalc.HessianAcc(f, x)
	for what, v := range map[string]any{
		"Hessian by matcalc: " + acc.String(): h,
		"Hessian by matcalc":                  matcalc.Hessian(f, x),
		"gradient by matcalc":                 matcalc.Gradient(f, x),
		"Jacobian by matcalc":                 matcalc.Jacobian(f, x),
		"Hessian-vector product by matcalc":   matcalc.HVP(f, x, []float64{1, 0}),
	} {
		if note := matfmt.NoteOf(v); !strings.HasPrefix(note, what) || !strings.Contains(note, "correct digits (error ≤") {
			t.Errorf("%T: note %q, want %q...", v, note, what)
		}
	}
	h.SetSym(0, 0, 1)
	if note := matfmt.NoteOf(h); note != "" {
		t.Errorf("a Hessian changed by hand keeps the note %q", note)
	}
}
