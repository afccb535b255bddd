package matcalc

import (
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// A notebook shows these results through their methods String (text), HTML and LaTeX:
// a derivative as its Jacobian, a bilinear form as its matrix, Newton's iterates and a
// derivative check as tables, the check also as a log-log plot.

// caption names the Jacobian and says how many digits it trusts; it computes the
// Jacobian first.
func (l *Linear) caption() string {
	l.Matrix()
	m, n := l.fn.out.size(), l.fn.in.size()
	return fmt.Sprintf("f'(x): %d×%d Jacobian in vec coordinates; %v", m, n, l.jacAcc)
}

// Formatted is the Jacobian as text under a caption, as a table and as a bmatrix, with
// the settings s (a notebook's display passes its own; see matfmt.Formatter).
func (l *Linear) Formatted(s matfmt.Settings) matfmt.Forms {
	c, m := l.caption(), l.Matrix()
	return matfmt.Forms{Text: c + "\n" + s.Text(m), HTML: s.HTML(m, c), LaTeX: s.LaTeX(m)}
}

// String is the Jacobian as aligned text under a caption.
func (l *Linear) String() string { return l.Formatted(matfmt.Current()).Text }

// HTML is the Jacobian as a table.
func (l *Linear) HTML() string { return l.Formatted(matfmt.Current()).HTML }

// LaTeX is the Jacobian as a bmatrix.
func (l *Linear) LaTeX() string { return l.Formatted(matfmt.Current()).LaTeX }

// scalarForm reports whether the form has a matrix: a scalar value.
func (b *Bilinear) scalarForm() bool { return b.out.size() == 1 }

func (b *Bilinear) caption() string {
	n := b.in.size()
	if !b.scalarForm() {
		return fmt.Sprintf("symmetric bilinear form on %d coordinates with values of %d coordinates (%v)", n, b.out.size(), b.out)
	}
	if b.fn != nil {
		b.Matrix()
		return fmt.Sprintf("f''(x): %d×%d Hessian in vec coordinates; %v", n, n, b.symAcc)
	}
	return fmt.Sprintf("bilinear form uᵀMv: %d×%d matrix M", n, n)
}

// shownMatrix is the matrix a form is shown as: the Hessian of a second derivative, and
// a user's own M (symmetric or not) of a form uᵀMv.
func (b *Bilinear) shownMatrix() mat.Matrix {
	if b.fn != nil {
		return b.Matrix()
	}
	m, _ := b.matrix()
	return m
}

// Formatted is the form's matrix as text under a caption, as a table and as a bmatrix,
// with the settings s (a notebook's display passes its own; see matfmt.Formatter). A form
// with vector or matrix values has no single matrix: each form is its caption alone.
func (b *Bilinear) Formatted(s matfmt.Settings) matfmt.Forms {
	c := b.caption()
	if !b.scalarForm() {
		return matfmt.Forms{Text: c, HTML: "<p>" + html.EscapeString(c) + "</p>", LaTeX: `\text{` + c + `}`}
	}
	m := b.shownMatrix()
	return matfmt.Forms{Text: c + "\n" + s.Text(m), HTML: s.HTML(m, c), LaTeX: s.LaTeX(m)}
}

// String is the form's matrix as aligned text under a caption (for a form with vector
// or matrix values, which has no single matrix, the caption alone).
func (b *Bilinear) String() string { return b.Formatted(matfmt.Current()).Text }

// HTML is the form's matrix as a table.
func (b *Bilinear) HTML() string { return b.Formatted(matfmt.Current()).HTML }

// LaTeX is the form's matrix as a bmatrix.
func (b *Bilinear) LaTeX() string { return b.Formatted(matfmt.Current()).LaTeX }

// iterateText formats a Newton iterate in full precision, so that the digits it gains each
// step can be read off.
func iterateText(x any) string {
	full := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var v []float64
	switch x := x.(type) {
	case float64:
		return full(x)
	case []float64:
		v = x
	case mat.Matrix:
		r, c := x.Dims()
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				v = append(v, x.At(i, j))
			}
		}
	default:
		return fmt.Sprint(x)
	}
	parts := make([]string, 0, len(v))
	for i, e := range v {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(v)))
			break
		}
		parts = append(parts, full(e))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (r *NewtonResult) verdict() string {
	if r.Converged {
		return "converged: " + r.Reason
	}
	return "did not converge: " + r.Reason
}

func (r *NewtonResult) rows() [][]string {
	rows := make([][]string, len(r.Steps))
	for k, st := range r.Steps {
		rows[k] = []string{strconv.Itoa(k), iterateText(st.X), fmt.Sprintf("%.3g", st.Residual), fmt.Sprintf("%.3g", st.Step)}
	}
	return rows
}

var newtonHeader = []string{"k", "x", "residual", "step"}

// String is the table of iterates: each row an iterate, its residual and the step from it.
func (r *NewtonResult) String() string { return textTable(newtonHeader, r.rows()) + r.verdict() }

// HTML is the table of iterates under the verdict.
func (r *NewtonResult) HTML() string { return matfmt.Table(r.verdict(), newtonHeader, r.rows()) }

func (r *CheckResult) rows() [][]string {
	rows := make([][]string, len(r.Steps))
	for i, st := range r.Steps {
		rows[i] = []string{fmt.Sprintf("%.0e", st.H), fmt.Sprintf("%.3g", st.RelErr)}
	}
	return rows
}

var checkHeader = []string{"h", "relative error"}

// String is the table of step sizes and relative errors, and the verdict.
func (r *CheckResult) String() string { return textTable(checkHeader, r.rows()) + r.Verdict }

// HTML is the table under the verdict, and below it the log-log plot of relative error
// against h as a PNG <img>: an untrusted notebook's sanitizer drops SVG and styles, never
// an image or a table.
func (r *CheckResult) HTML() string {
	table := matfmt.Table(r.Verdict, checkHeader, r.rows())
	img, err := draw(func() string { return matfmt.PlotIMG(r.Plot(), checkAlt) })
	if err != nil {
		return table
	}
	return `<div class="gomatcalc-check">` + table + img + "</div>"
}

// checkAlt is the text alternative of the check's plot.
const checkAlt = "log-log plot of relative error against h"

// SVG is the log-log plot of relative error against h.
func (r *CheckResult) SVG() string {
	svg, err := draw(func() string { return matfmt.PlotSVG(r.Plot()) })
	if err != nil {
		panic(err)
	}
	return svg
}

// PNG is the log-log plot of relative error against h, as the PNG that an untrusted
// notebook shows in place of the SVG.
func (r *CheckResult) PNG() []byte {
	var png []byte
	_, err := draw(func() string { png = matfmt.PlotPNG(r.Plot()); return "" })
	if err != nil {
		panic(err)
	}
	return png
}

// draw returns what f draws, or an error when gonum/plot panics drawing it.
func draw(f func() string) (s string, err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("matcalc: drawing the check: %v", e)
		}
	}()
	return f(), nil
}

// Plot is the log-log plot of relative error against h, with the line err = h that a
// right derivative follows until round-off takes over.
func (r *CheckResult) Plot() *plot.Plot {
	p := plot.New()
	p.Title.Text = "finite difference against df"
	p.X.Label.Text = "h"
	p.Y.Label.Text = "relative error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decades{}, decades{}
	var errs, ref plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, st := range r.Steps {
		// A log scale has no zero: an exact match is drawn at round-off level.
		e := math.Max(st.RelErr, 1e-17)
		errs = append(errs, plotter.XY{X: st.H, Y: e})
		ref = append(ref, plotter.XY{X: st.H, Y: st.H})
		lo, hi = math.Min(lo, math.Min(e, st.H)), math.Max(hi, math.Max(e, st.H))
	}
	// Whole decades, so that the lines never run past the last labelled tick.
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	line, points, err := plotter.NewLinePoints(errs)
	if err != nil {
		panic(err)
	}
	guide, err := plotter.NewLine(ref)
	if err != nil {
		panic(err)
	}
	guide.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	guide.Color = color.Gray{Y: 128}
	p.Add(line, points, guide)
	p.Legend.Add("relative error", line, points)
	p.Legend.Add("h", guide)
	// Bottom right stays empty: there both lines are high (large h) or round-off is.
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Points(6)
	return p
}

// decades ticks a log axis at each power of ten, labelling every other one when there
// are many, so that labels like 0.0001 and 0.001 do not run into each other.
type decades struct{}

// Ticks returns the ticks between min and max.
func (decades) Ticks(min, max float64) []plot.Tick {
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	every := 1
	if hi-lo > 8 {
		every = 2
	}
	var ticks []plot.Tick
	for k := lo; k <= hi; k++ {
		t := plot.Tick{Value: math.Pow(10, float64(k))}
		switch {
		case (k-hi)%every != 0:
		case k == 0:
			t.Label = "1"
		default:
			t.Label = fmt.Sprintf("1e%d", k)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// textTable lays rows out in left-aligned columns under a header.
func textTable(header []string, rows [][]string) string {
	width := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i, s := range row {
			width[i] = max(width[i], len([]rune(s)))
		}
	}
	var sb strings.Builder
	for _, row := range append([][]string{header}, rows...) {
		for i, s := range row {
			if i < len(row)-1 {
				s += strings.Repeat(" ", width[i]-len([]rune(s))+2)
			}
			sb.WriteString(s)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
