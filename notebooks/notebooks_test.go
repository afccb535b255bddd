// Package notebooks holds the course notebooks (*.ipynb), stored with their outputs. Its
// tests run each notebook through the runner of `gomatcalc run` in a real Go session and
// check the results against the closed forms of the lectures: every check cell prints
// lines "CHECK <what>: <value> ✓" (or ✗), where the notebook compared a numerical result
// with a formula, and the tests bound each value. The tests compute nothing from the
// notebooks' output themselves.
package notebooks

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/notebook"
)

// The notebooks of this directory; each has its expectations below.
const (
	lecture01  = "lecture01-derivatives-as-linear-operators.ipynb"
	lecture07  = "lecture07-second-derivatives-hessians.ipynb"
	lesson     = "hessian-lesson.ipynb"
	assignment = "assignment-template.ipynb"
	forward    = "forward-mode.ipynb"
)

var all = []string{lecture01, lecture07, lesson, assignment, forward}

// A bound is the interval a CHECK value must lie in.
type bound struct{ lo, hi float64 }

// small: a difference at round-off level, at most tol.
func small(tol float64) bound { return bound{0, tol} }

// near: want, to within tol.
func near(want, tol float64) bound { return bound{want - tol, want + tol} }

// large: at least lo (a wrong formula, shown to be wrong).
func large(lo float64) bound { return bound{lo, math.Inf(1)} }

func (b bound) String() string { return fmt.Sprintf("[%g, %g]", b.lo, b.hi) }

// expected holds, for each notebook, every CHECK line it must print and the bound of its
// value. A notebook may print no other CHECK lines (a new check needs its bound here),
// except the Newton iterates, which TestLecture07NewtonConvergesQuadratically reads.
var expected = map[string]map[string]bound{
	lecture01: {
		"max |∇(xᵀx) - 2x|":         small(1e-8),
		"max |∇(xᵀAx) - (A + Aᵀ)x|": small(1e-8),
		// (A + Aᵀ)x - 2Ax = (Aᵀ - A)x = (8, 5, -6) for the notebook's A and x = (1, 2, 3).
		"max |∇(xᵀAx) - 2Ax| (2Ax is right only for symmetric A)": near(8, 1e-8),
		"max |d(A²)[dA] - (dA A + A dA)|":                         small(1e-8),
		// dA A - A dA = [[3 3] [0 -3]] for A = [[1 2] [3 4]], dA = [[0 1] [0 0]].
		"max |d(A²)[dA] - 2A dA| (wrong)":         near(3, 1e-8),
		"max |d(A⁻¹)[dA] - (-A⁻¹ dA A⁻¹)|":        small(1e-8),
		"|d(det A)[dA] - det(A) tr(A⁻¹dA)|":       small(1e-8),
		"max |∇(det A) - det(A) A⁻ᵀ|":             small(1e-8),
		"max |Jacobian of A² - (I ⊗ A + Aᵀ ⊗ I)|": small(1e-8),
		// Aᵀ ⊗ I - I ⊗ A = [[0 -2 3 0] [-3 -3 0 3] [2 0 3 -2] [0 2 -3 0]].
		"max |Jacobian of A² - 2(I ⊗ A)| (wrong)": near(3, 1e-8),
		// A first-order finite difference reaches about 1e-8 in double precision.
		"matcalc.Check d(xᵀx) = 2xᵀdx, best relative error":              small(1e-6),
		"matcalc.Check d(xᵀAx) = xᵀ(A + Aᵀ)dx, best relative error":      small(1e-6),
		"matcalc.Check d(A²) = dA A + A dA, best relative error":         small(1e-6),
		"matcalc.Check d(A²) = 2A dA (wrong), best relative error":       large(0.1),
		"matcalc.Check d(A⁻¹) = -A⁻¹ dA A⁻¹, best relative error":        small(1e-6),
		"matcalc.Check d(det A) = det(A) tr(A⁻¹dA), best relative error": small(1e-6),
	},
	lecture07: {
		"relative |B[u1 + u2, v] - (B[u1, v] + B[u2, v])|":                                         small(1e-6),
		"relative |B[u, v1 + v2] - (B[u, v1] + B[u, v2])|":                                         small(1e-6),
		"relative |B[2u, 3v] - 6 B[u, v]|":                                                         small(1e-6),
		"relative |B[2u, 2v] - 4 B[u, v]| (4, not 2)":                                              small(1e-6),
		"relative |f''(x)[u, v] - f''(x)[v, u]|":                                                   small(1e-6),
		"relative |uᵀMv - vᵀMu| for a non-symmetric M (not symmetric)":                             large(0.1),
		"max |matcalc.Hessian(f, x) - H by hand|":                                                  small(1e-7),
		"max |Jacobian of ∇f - H|":                                                                 small(1e-7),
		"relative |f''(x)[u, v] - uᵀHv|":                                                           small(1e-6),
		"relative |formula[dA', dA] - formula[dA, dA']| (symmetric)":                               small(1e-12),
		"max |matcalc.Hessian(det, A) - [f''(A)[E_k, E_l]]| (9×9)":                                 small(1e-7),
		"max |Hessian of det on 2×2 matrices - [[0 0 0 1] [0 0 -1 0] [0 -1 0 0] [1 0 0 0]]|":       small(1e-7),
		"relative |matcalc.D2(det, A)[dA', dA] - det A (tr(A⁻¹dA') tr(A⁻¹dA) - tr(A⁻¹dA' A⁻¹dA))|": small(1e-7),
		// The errors of the Taylor models of det along a line: O(t²), O(t³), O(t²).
		"log-log slope of the error, linear model (2 expected)":    near(2, 0.05),
		"log-log slope of the error, quadratic model (3 expected)": near(3, 0.05),
		"log-log slope of the error, model without ½ (2 expected)": near(2, 0.05),
		// det(A + tD) is cubic in t: the quadratic model is off by exactly t³ det D.
		"max relative |quadratic model's error / t³ - |det D||": small(1e-3),
		"BFGS |x - x*|": small(1e-6),
		"relative max |matcalc.HVP(f, x, v) - H v|": small(1e-7),
	},
	lesson: {
		"|∂f/∂x - (4x - y)| at (1, 2)": small(1e-9),
		"|∂f/∂y - (6y - x)| at (1, 2)": small(1e-9),
		"|f_xx - 4|":                   small(1e-9),
		"|f_xy - (-1)|":                small(1e-9),
		"|f_yx - (-1)|":                small(1e-9),
		"|f_yy - 6|":                   small(1e-9),
		"|f_xy - f_yx|":                small(1e-9),
		"max |matcalc.Hessian(f, p) - [[4 -1] [-1 6]]| over four points": small(1e-8),
		"max |Jacobian of ∇f - H|":                                       small(1e-9),
		"|f(x, y) - ½ [x y] H [x y]ᵀ|":                                   small(1e-12),
		"|λ_min - (5 - √2)|":                                             small(1e-12),
		"|λ_max - (5 + √2)|":                                             small(1e-12),
		"|det H - 23|":                                                   small(1e-12),
		"|Newton's first step - (0, 0)|":                                 small(1e-9),
		"|Newton's minimum - (0, 0)|":                                    small(1e-9),
		"|λ_min(H_g) - (-1 - √26)|":                                      small(1e-8),
		"|λ_max(H_g) - (-1 + √26)|":                                      small(1e-8),
	},
	assignment: {
		"problem 1, relative |gradF - matcalc.Gradient(f)|": small(1e-6),
		"problem 2, relative |gradH - matcalc.Gradient(h)|": small(1e-6),
		"problem 3(a), relative |gradG, hessG - matcalc|":   small(1e-6),
		"problem 3(b), |∇g| at your minimum":                small(1e-6),
		"problem 3(b), |your minimum - matcalc.NewtonMin|":  small(1e-8),
	},
	// Dual numbers compute derivatives to round-off: within 1e-15 relative (4.5 units in
	// the last place) of each closed form, where the closed form is exact or a few
	// correctly rounded operations.
	forward: {
		"relative |value of D(2, 3)/D(3, 4) - 2/3|":                       small(1e-15),
		"relative |derivative of D(2, 3)/D(3, 4) - 1/9|":                  small(1e-15),
		"relative |Babylonian's derivative - 1/(2√x)| at x = 49":          small(1e-15),
		"relative |Babylonian's derivative - 1/(2√x)| at x = 3.14159":     small(1e-15),
		"relative |Babylonian's derivative - 1/(2√x)| at x = 2":           small(1e-15),
		"relative |derivative by hand - derivative by dual numbers| at π": small(1e-15),
		"|ε²|": small(0),
		"relative |(1 + ε)⁵ by products - (1 + 5ε)|":                          small(0),
		"relative |∛x - 2^(1/3)| at 2":                                        small(1e-15),
		"relative |(∛x)' - (1/3) 2^(-2/3)| at 2":                              small(1e-15),
		"relative |w' - f₃' f₂' f₁'|":                                         small(1e-15),
		"relative |w' - e^{sin x²} cos(x²) 2x| at 1.5":                        small(1e-15),
		"relative |f'(x)[v] by dual numbers - (2a x₀ sin y₀ + b x₀² cos y₀)|": small(1e-15),
		"relative |matcalc.D(f, p).Apply(v) - (2a x₀ sin y₀ + b x₀² cos y₀)|": small(1e-15),
		"max relative |∇f by dual numbers - (2x₀ sin y₀, x₀² cos y₀)|":        small(1e-15),
		"relative error of matcalc.Derivative, numerically, at 2":             small(1e-10),
		// matcalc's forward mode on the cell's own function: the same arithmetic as the
		// dual number's, so the same result.
		"relative |matcalc.Derivative(f10, 2) - 1/(2√2)| (forward mode)": small(1e-15),
		"|matcalc.Derivative - the dual number's derivative|":            small(0),
		"relative |(√x)'' at 2 - (-1/(4·2^{3/2}))|":                      small(1e-14),
		"relative error of the dual number's derivative at 2":            small(1e-15),
		"relative |gonum dual's derivative of Babylonian - 1/(2√2)|":     small(1e-15),
		// A one-sided difference trades truncation h against round-off 1e-16/h: at best
		// about 1e-8, never at round-off level.
		"best relative error of a one-sided difference at 2": {1e-10, 1e-6},
	},
}

// newtonStep names the CHECK lines with the error of each NewtonMin iterate in lecture 7.
var newtonStep = regexp.MustCompile(`^NewtonMin \|x_k - x\*\| at step (\d+)$`)

// run executes nb's code cells in a fresh session, as `gomatcalc run` does, going on
// past failing cells (allowErrors) or stopping at the first.
func run(t *testing.T, nb *notebook.Notebook, allowErrors bool) notebook.Result {
	t.Helper()
	session, err := interp.New(interp.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	r := &notebook.Runner{Timeout: 2 * time.Minute, AllowErrors: allowErrors}
	res, err := r.Run(context.Background(), nb, session)
	if err != nil && allowErrors {
		t.Fatal(err)
	}
	return res
}

// executed caches each notebook's fresh run: the tests share one run per notebook.
var executed = map[string]*notebook.Notebook{}

// fresh returns the notebook name executed now, failing the test when a cell failed.
func fresh(t *testing.T, name string) *notebook.Notebook {
	t.Helper()
	if nb, ok := executed[name]; ok {
		return nb
	}
	nb, err := notebook.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := run(t, nb, true)
	t.Logf("%s: %d cells ran in %v", name, res.Ran, time.Since(start).Round(time.Millisecond))
	for _, f := range res.Failed {
		t.Errorf("%s: %v", name, f)
	}
	executed[name] = nb
	return nb
}

// checkLine is a line a check cell prints: CHECK <what>: <value> [✓|✗].
var checkLine = regexp.MustCompile(`^CHECK (.+): (\S+)(?: [✓✗])?$`)

// checks returns the CHECK lines of nb's standard output: what -> value.
func checks(t *testing.T, name string, nb *notebook.Notebook) map[string]float64 {
	t.Helper()
	values := map[string]float64{}
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.Type != notebook.Stream || o.Name != "stdout" {
				continue
			}
			for _, line := range strings.Split(o.Text, "\n") {
				if !strings.HasPrefix(line, "CHECK ") {
					continue
				}
				m := checkLine.FindStringSubmatch(line)
				if m == nil {
					t.Errorf("%s: cell %s: malformed check line %q", name, c.ID, line)
					continue
				}
				v, err := strconv.ParseFloat(m[2], 64)
				if err != nil {
					t.Errorf("%s: cell %s: %q: the value is not a number", name, c.ID, line)
					continue
				}
				if _, dup := values[m[1]]; dup {
					t.Errorf("%s: check %q printed twice", name, m[1])
				}
				values[m[1]] = v
			}
		}
	}
	return values
}

func TestEveryNotebookHasExpectations(t *testing.T) {
	found, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(all)
	sort.Strings(want)
	if !reflect.DeepEqual(found, want) {
		t.Errorf("notebooks here: %q; the tests know %q", found, want)
	}
}

// TestChecksAgainstClosedForms runs every notebook and bounds each CHECK value.
func TestChecksAgainstClosedForms(t *testing.T) {
	for _, name := range all {
		values := checks(t, name, fresh(t, name))
		for what, b := range expected[name] {
			v, ok := values[what]
			switch {
			case !ok:
				t.Errorf("%s: no check %q", name, what)
			case !(v >= b.lo && v <= b.hi):
				t.Errorf("%s: %s = %g, want it in %v", name, what, v, b)
			}
		}
		for what := range values {
			if _, ok := expected[name][what]; !ok && !(name == lecture07 && newtonStep.MatchString(what)) {
				t.Errorf("%s: check %q has no expectation in this test", name, what)
			}
		}
	}
}

// TestLecture07NewtonConvergesQuadratically reads the errors |x_k - x*| of NewtonMin's
// iterates on Rosenbrock's function (x* = (1, 1)): near the minimum each error is at most
// a constant times the square of the previous one, and the last is at round-off level.
func TestLecture07NewtonConvergesQuadratically(t *testing.T) {
	values := checks(t, lecture07, fresh(t, lecture07))
	var errs []float64
	for k := 0; ; k++ {
		v, ok := values[fmt.Sprintf("NewtonMin |x_k - x*| at step %d", k)]
		if !ok {
			break
		}
		errs = append(errs, v)
	}
	if len(errs) < 3 || len(errs) > 20 {
		t.Fatalf("NewtonMin errors %g: want between 3 and 20 iterates", errs)
	}
	if last := errs[len(errs)-1]; last > 1e-10 {
		t.Errorf("the last iterate is %g from the minimum", last)
	}
	quadratic := 0
	for k := 0; k+1 < len(errs); k++ {
		e, next := errs[k], errs[k+1]
		if e > 0.1 || next < 1e-12 { // far away, or the next one is at round-off level
			continue
		}
		quadratic++
		if next > 10*e*e {
			t.Errorf("step %d: error %g after %g: not quadratic (ratio %g)", k+1, next, e, next/(e*e))
		}
	}
	if quadratic < 2 {
		t.Errorf("errors %g: fewer than two steps near the minimum show the convergence", errs)
	}
}

// numbers returns the numbers in s (a matrix as text/plain shows it).
func numbers(s string) []float64 {
	var out []float64
	for _, f := range numberPattern.FindAllString(s, -1) {
		v, _ := strconv.ParseFloat(f, 64)
		out = append(out, v)
	}
	return out
}

// result returns the text/plain of the cell's value.
func result(t *testing.T, nb *notebook.Notebook, id string) string {
	t.Helper()
	for _, c := range nb.Cells {
		if c.ID != id {
			continue
		}
		for _, o := range c.Outputs {
			if o.Type == notebook.ExecuteResult {
				s, _ := o.Data["text/plain"].(string)
				return s
			}
		}
		t.Fatalf("cell %s shows no value", id)
	}
	t.Fatalf("no cell %s", id)
	return ""
}

// withoutNote drops the line matcalc's results end with ("Hessian by matcalc: 12.2
// correct digits (error ≤ 3.6e-12)"), whose numbers are not the matrix's.
func withoutNote(shown string) string {
	lines := strings.Split(shown, "\n")
	if n := len(lines); n > 1 && strings.Contains(lines[n-1], " by matcalc: ") {
		return strings.Join(lines[:n-1], "\n")
	}
	return shown
}

// TestMatricesShown checks matrices the notebooks show against their closed forms (row by
// row; the display rounds to six digits).
func TestMatricesShown(t *testing.T) {
	for _, c := range []struct {
		name, cell string
		want       []float64
	}{
		// The Hessian of 2x² + 3y² - xy.
		{lesson, "hessian", []float64{4, -1, -1, 6}},
		{lesson, "hessian-jacobian", []float64{4, -1, -1, 6}},
		// d(A²)[dA] = dA A + A dA for A = [[1 2] [3 4]], dA = [[0 1] [0 0]].
		{lecture01, "square", []float64{3, 5, 0, 3}},
		// I ⊗ A + Aᵀ ⊗ I for the same A, computed by matcalc.Jacobian.
		{lecture01, "kron-numerical", []float64{2, 2, 3, 0, 3, 5, 0, 3, 2, 0, 5, 2, 0, 2, 3, 8}},
		// The Hessian of det on 2×2 matrices in vec coordinates.
		{lecture07, "det-2x2", []float64{0, 0, 0, 1, 0, 0, -1, 0, 0, -1, 0, 0, 1, 0, 0, 0}},
	} {
		shown := result(t, fresh(t, c.name), c.cell)
		got := numbers(withoutNote(shown))
		if len(got) != len(c.want) {
			t.Errorf("%s: cell %s shows %g, want %g", c.name, c.cell, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-5 {
				t.Errorf("%s: cell %s shows %g, want %g", c.name, c.cell, got, c.want)
				break
			}
		}
	}
}

// dualShown is a dual number as a cell shows it: a + b·ε or a - b·ε.
var dualShown = regexp.MustCompile(`^(\S+) ([+-]) (\S+)·ε$`)

// TestDualsShown checks dual numbers the forward-mode notebook shows against their
// closed forms: D(2, 3)/D(3, 4) = 2/3 + (1/9)ε, the Babylonian √49 = 7 + (1/14)ε, the
// cube root of 2 + ε = 2^(1/3) + (1/3)2^(-2/3)ε.
func TestDualsShown(t *testing.T) {
	nb := fresh(t, forward)
	for _, c := range []struct {
		cell              string
		value, derivative float64
	}{
		{"dual-div", 2.0 / 3, 1.0 / 9},
		{"babylonian-dual", 7, 1.0 / 14},
		{"roots", math.Cbrt(2), math.Pow(2, -2.0/3) / 3},
	} {
		shown := result(t, nb, c.cell)
		m := dualShown.FindStringSubmatch(shown)
		if m == nil {
			t.Errorf("cell %s shows %q, not a + b·ε", c.cell, shown)
			continue
		}
		a, _ := strconv.ParseFloat(m[1], 64)
		b, _ := strconv.ParseFloat(m[3], 64)
		if m[2] == "-" {
			b = -b
		}
		if math.Abs(a-c.value) > 1e-15*math.Abs(c.value) || math.Abs(b-c.derivative) > 1e-15*math.Abs(c.derivative) {
			t.Errorf("cell %s shows %q, want %v + %v·ε", c.cell, shown, c.value, c.derivative)
		}
	}
}

// TestStoredNotebooks checks the files as committed: every code cell ran, in order, with
// no error and nothing on stderr (nbgrader scores such a cell 0); every rich output has
// text/plain; and the outputs are those a fresh run gives (numbers to 1e-3: round-off
// differs between machines).
func TestStoredNotebooks(t *testing.T) {
	for _, name := range all {
		stored, err := notebook.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Format != 4 || stored.FormatMinor != 5 {
			t.Errorf("%s: nbformat %d.%d, want 4.5 (run it with gomatcalc run --inplace)", name, stored.Format, stored.FormatMinor)
		}
		ks, _ := stored.Metadata["kernelspec"].(map[string]any)
		li, _ := stored.Metadata["language_info"].(map[string]any)
		if ks["name"] != "gomatcalc" || ks["display_name"] != "Go (matcalc)" || ks["language"] != "go" || li["name"] != "go" {
			t.Errorf("%s: kernelspec %v, language_info %v", name, ks, li)
		}
		if title, _ := stored.Metadata["title"].(string); title == "" {
			t.Errorf("%s: no title in the metadata", name)
		}
		count := 0
		for _, c := range stored.Cells {
			if c.Type != notebook.Code {
				continue
			}
			count++
			if c.ExecutionCount != count {
				t.Errorf("%s: cell %s has In [%d], want %d: run the notebook with gomatcalc run --inplace", name, c.ID, c.ExecutionCount, count)
			}
			for _, o := range c.Outputs {
				switch {
				case o.Type == notebook.ErrorOutput:
					t.Errorf("%s: cell %s stored with an error: %s", name, c.ID, o.EValue)
				case o.Type == notebook.Stream && o.Name == "stderr":
					t.Errorf("%s: cell %s stored with stderr output %q", name, c.ID, o.Text)
				case o.Type != notebook.Stream && o.Data["text/plain"] == nil:
					t.Errorf("%s: cell %s has an output without text/plain", name, c.ID)
				}
			}
		}
		ran := fresh(t, name)
		if len(ran.Cells) != len(stored.Cells) {
			t.Fatalf("%s: %d cells stored, %d run", name, len(stored.Cells), len(ran.Cells))
		}
		for i, c := range stored.Cells {
			got, gotNums := outline(ran.Cells[i])
			want, wantNums := outline(c)
			if !reflect.DeepEqual(got, want) || !sameNumbers(gotNums, wantNums) {
				t.Errorf("%s: cell %s: stored outputs are stale (run the notebook with gomatcalc run --inplace):\nstored %q %g\nfresh  %q %g", name, c.ID, want, wantNums, got, gotNums)
			}
		}
	}
}

var (
	numberPattern = regexp.MustCompile(`[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`)
	spaces        = regexp.MustCompile(`\s+`)
)

// sameNumbers compares the numbers of two outputs to 1e-3, relative to their size or 1:
// round-off differs from machine to machine (fused multiply-adds on arm64, gonum's kernels),
// and some outputs are round-off through and through (a finite difference at h = 1e-12 is
// off by 1e-3), but a stale output differs by more.
func sameNumbers(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-3*math.Max(1, math.Max(math.Abs(a[i]), math.Abs(b[i]))) {
			return false
		}
	}
	return true
}

// outline describes a cell's outputs as text with the numbers masked and spacing folded
// (type, stream name or MIME types, and the text), and returns the numbers apart.
func outline(c *notebook.Cell) ([]string, []float64) {
	var out []string
	var nums []float64
	mask := func(s string) string {
		nums = append(nums, numbers(s)...)
		return spaces.ReplaceAllString(numberPattern.ReplaceAllString(s, "#"), " ")
	}
	for _, o := range c.Outputs {
		switch o.Type {
		case notebook.Stream:
			out = append(out, o.Name+": "+mask(o.Text))
		case notebook.ErrorOutput:
			out = append(out, "error: "+o.EName)
		default:
			var mimes []string
			for m := range o.Data {
				mimes = append(mimes, m)
			}
			sort.Strings(mimes)
			text, _ := o.Data["text/plain"].(string)
			out = append(out, o.Type+" "+strings.Join(mimes, ",")+": "+mask(text))
		}
	}
	return out, nums
}

// blank makes the student version of the assignment as nbgrader's generate_assignment
// does with ClearSolutions.code_stub {"go": "// YOUR CODE HERE\npanic(\"no answer yet\")"}:
// each region from a line with BEGIN SOLUTION to a line with END SOLUTION becomes the stub,
// indented as the BEGIN line; a Markdown solution cell becomes "YOUR ANSWER HERE".
func blank(t *testing.T, nb *notebook.Notebook) {
	t.Helper()
	stub := []string{"// YOUR CODE HERE", `panic("no answer yet")`}
	regions := 0
	for _, c := range nb.Cells {
		c.Outputs, c.ExecutionCount = nil, 0
		// nbgrader reads the markers in every cell: elsewhere they break generate_assignment
		// ("no end solution statement found") or lose lines.
		if !isSolution(c) && (strings.Contains(c.Source, "BEGIN SOLUTION") || strings.Contains(c.Source, "END SOLUTION")) {
			t.Errorf("cell %s is no nbgrader solution cell but holds a solution marker", c.ID)
			continue
		}
		if c.Type == notebook.Markdown && isSolution(c) {
			c.Source = "YOUR ANSWER HERE"
			continue
		}
		var lines []string
		inside := false
		for _, line := range strings.Split(c.Source, "\n") {
			switch {
			case strings.Contains(line, "BEGIN SOLUTION"):
				inside = true
				regions++
				indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
				for _, s := range stub {
					lines = append(lines, indent+s)
				}
			case strings.Contains(line, "END SOLUTION"):
				inside = false
			case !inside:
				lines = append(lines, line)
			}
		}
		if inside {
			t.Fatalf("cell %s: BEGIN SOLUTION without END SOLUTION", c.ID)
		}
		c.Source = strings.Join(lines, "\n")
	}
	if regions != 5 {
		t.Errorf("%d solution regions, want 5 (gradF, gradH, gradG, hessG, newtonMin)", regions)
	}
}

func nbgrader(c *notebook.Cell) map[string]any {
	m, _ := c.Metadata["nbgrader"].(map[string]any)
	return m
}

func isSolution(c *notebook.Cell) bool { return nbgrader(c)["solution"] == true }

func isGraded(c *notebook.Cell) bool { return nbgrader(c)["grade"] == true }

// failures returns the error value of each failed cell, by cell id.
func failures(nb *notebook.Notebook) map[string]string {
	failed := map[string]string{}
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.Type == notebook.ErrorOutput {
				failed[c.ID] = o.EValue
			}
		}
	}
	return failed
}

// TestAssignmentBlanked: in the student version every answer cell still compiles, and every
// check cell fails with the stub's message until the student answers.
func TestAssignmentBlanked(t *testing.T) {
	nb, err := notebook.Read(assignment)
	if err != nil {
		t.Fatal(err)
	}
	blank(t, nb)
	run(t, nb, true)
	failed := failures(nb)
	graded := 0
	for _, c := range nb.Cells {
		msg, fails := failed[c.ID]
		switch {
		case c.Type != notebook.Code:
		case isGraded(c):
			graded++
			if !fails || !strings.Contains(msg, "no answer yet") {
				t.Errorf("check cell %s: got error %q, want the stub's panic", c.ID, msg)
			}
		case fails:
			t.Errorf("cell %s failed in the student version: %s", c.ID, msg)
		}
	}
	if graded != 4 {
		t.Errorf("%d graded check cells, want 4", graded)
	}
}

// TestAssignmentWrongAnswer: a wrong gradient fails its check with a message that says
// which answer is wrong, and leaves the other problems' checks alone.
func TestAssignmentWrongAnswer(t *testing.T) {
	nb, err := notebook.Read(assignment)
	if err != nil {
		t.Fatal(err)
	}
	// A student's gradF that forgot the factor 2 (and so gives Aᵀ(Ax - b)).
	wrong := &notebook.Cell{ID: "wrong-gradF", Type: notebook.Code, Metadata: map[string]any{}, Source: `func gradF(x *mat.VecDense) *mat.VecDense {
	var r, grad mat.VecDense
	r.MulVec(A, x)
	r.SubVec(&r, b)
	grad.MulVec(A.T(), &r)
	return &grad
}`}
	i := slices.IndexFunc(nb.Cells, func(c *notebook.Cell) bool { return c.ID == "p1-answer" })
	if i < 0 {
		t.Fatal("no cell p1-answer")
	}
	nb.Cells = slices.Insert(nb.Cells, i+1, wrong)
	run(t, nb, true)
	failed := failures(nb)
	if msg := failed["p1-check"]; !strings.Contains(msg, "Problem 1: ∇f at x = [0.5 -1 2] is not right yet") {
		t.Errorf("p1-check: got %q, want a message naming problem 1 and the point", msg)
	}
	if msg, ok := failed["p2-check"]; ok {
		t.Errorf("p2-check failed: %s", msg)
	}
	if msg := failed["p3-check-hessian"]; !strings.Contains(msg, "Problem 3(a): ∇g at x = [0.5 -1 2] is not right yet") {
		t.Errorf("p3-check-hessian (gradG uses gradF): got %q", msg)
	}
}

func TestMain(m *testing.M) {
	// The notebooks are read relative to this directory, where go test runs.
	if _, err := os.Stat(lecture01); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestStoredOutputsShowUntrusted checks that the stored outputs show in a notebook the
// student has not trusted yet (issue 13): Jupyter's sanitizer drops SVG and style
// attributes, so every plot has a PNG beside its SVG, and no HTML needs a style or an
// <svg>.
func TestStoredOutputsShowUntrusted(t *testing.T) {
	for _, name := range all {
		nb, err := notebook.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range nb.Cells {
			for _, o := range c.Outputs {
				if _, ok := o.Data["image/svg+xml"]; ok {
					if png, _ := o.Data["image/png"].(string); png == "" {
						t.Errorf("%s cell %d: a plot without image/png", name, i)
					}
				}
				if h, _ := o.Data["text/html"].(string); strings.Contains(h, "style=") || strings.Contains(h, "<svg") {
					t.Errorf("%s cell %d: html the sanitizer breaks: %.300s", name, i, h)
				}
			}
		}
	}
}
