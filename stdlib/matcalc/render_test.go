package matcalc

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

func TestRenderings(t *testing.T) {
	// d(A²) at A = I is dA + dA: the 4×4 Jacobian 2I, shown as integers.
	square := func(A *mat.Dense) *mat.Dense {
		var P mat.Dense
		P.Mul(A, A)
		return &P
	}
	d := D(square, mat.NewDiagDense(2, []float64{1, 1}))
	if h := d.HTML(); !strings.Contains(h, "4×4 Jacobian") || !strings.Contains(h, "correct digits (error ≤") || strings.Count(h, ">2<") != 4 || strings.Count(h, ">0<") != 12 {
		t.Errorf("Linear HTML: %s", h)
	}
	if l := d.LaTeX(); !strings.HasPrefix(l, `\begin{bmatrix} 2 & 0 & 0 & 0 \\`) {
		t.Errorf("Linear LaTeX: %s", l)
	}
	// The Hessian lesson: 2x² + 3y² - xy has Hessian [[4, -1], [-1, 6]].
	f := func(v []float64) float64 { return 2*v[0]*v[0] + 3*v[1]*v[1] - v[0]*v[1] }
	h := D2(f, []float64{0.3, -0.7})
	// The caption says how many digits the Hessian trusts.
	caption := regexp.MustCompile(`^f''\(x\): 2×2 Hessian in vec coordinates; numerical, 1[0-5]\.\d correct digits \(error ≤ [0-9.e+-]+\)\n⎡ 4  -1⎤\n⎣-1   6⎦$`)
	if got := h.String(); !caption.MatchString(got) {
		t.Errorf("Bilinear String:\n%s\nwant to match %s", got, caption)
	}
	if !strings.Contains(h.HTML(), "2×2 Hessian") {
		t.Errorf("Bilinear HTML: %s", h.HTML())
	}
	// A user's form uᵀMv shows M itself, symmetric or not.
	if got := NewBilinear(mat.NewDense(2, 2, []float64{1, 2, 0, 1})).String(); !strings.HasSuffix(got, "⎡1  2⎤\n⎣0  1⎦") {
		t.Errorf("NewBilinear String:\n%s", got)
	}

	// Newton on x² - 2 from 1: the iterates 3/2, 17/12, 577/408 → √2.
	r := Newton(func(x float64) float64 { return x*x - 2 }, 1.0)
	html := r.HTML()
	for _, want := range []string{"converged", ">1.4142135623730951<"} {
		if !strings.Contains(html, want) {
			t.Errorf("Newton HTML lacks %q: %s", want, html)
		}
	}
	if !strings.HasPrefix(r.String(), "k  x") {
		t.Errorf("Newton String: %s", r.String())
	}

	// Check of d(x²) = 2x dx: a table and a log-log plot; a linear f matches exactly
	// (zero errors must still plot).
	c := Check(func(x float64) float64 { return x * x }, func(x, dx float64) float64 { return 2 * x * dx }, 3.0)
	// The plot in the HTML is a PNG <img>, which an untrusted notebook keeps (never an
	// <svg>); the HTML has no style attributes, which it drops.
	if h := c.HTML(); !strings.Contains(h, `<img src="data:image/png;base64,`) || strings.Contains(h, "<svg") ||
		strings.Contains(h, "style=") || !strings.Contains(h, "relative error") || strings.Count(h, "<tr>") != 13 {
		t.Errorf("Check HTML: %.300s", h)
	}
	if png := c.PNG(); !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("Check PNG starts %q", png[:min(len(png), 8)])
	}
	lin := Check(func(x float64) float64 { return 2 * x }, func(x, dx float64) float64 { return 2 * dx }, 1.0)
	if !strings.Contains(lin.SVG(), "<svg") {
		t.Error("a check with exact matches has no plot")
	}
}

func TestFormattedFollowsTheSettingsGiven(t *testing.T) {
	// f(x) = x/3 on R²: the Jacobian is I/3, shown with the digits asked for.
	third := func(v []float64) []float64 { return []float64{v[0] / 3, v[1] / 3} }
	d := D(third, []float64{1, 2})
	var _ matfmt.Formatter = d
	three := d.Formatted(matfmt.Settings{Digits: 3})
	if !strings.HasSuffix(three.Text, "⎡0.333      0⎤\n⎣    0  0.333⎦") || !strings.Contains(three.HTML, ">0.333<") ||
		!strings.Contains(three.LaTeX, "0.333 & 0") {
		t.Errorf("3 digits:\n%s\n%s\n%s", three.Text, three.HTML, three.LaTeX)
	}
	// String and its siblings use the default configuration's settings: 6 digits.
	if !strings.HasSuffix(d.String(), "⎣       0  0.333333⎦") || d.HTML() != d.Formatted(matfmt.Defaults).HTML {
		t.Errorf("default String:\n%s", d.String())
	}
	b := D2(func(v []float64) float64 { return v[0] * v[0] / 3 }, []float64{1, 2})
	if got := b.Formatted(matfmt.Settings{Digits: 2}).Text; !strings.HasSuffix(got, "⎡0.67  0⎤\n⎣   0  0⎦") {
		t.Errorf("Bilinear with 2 digits:\n%s", got)
	}
}
