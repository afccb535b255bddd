// Package matfmt formats results for people: matrices as aligned text, HTML tables and
// LaTeX bmatrix, all three with the same rounding and, for large matrices, the same
// corners with ellipses (as Julia and NumPy print them), so a notebook never receives
// megabytes for one matrix; tables of mixed values; plots as SVG and PNG. Packages display and
// matcalc share it.
//
// The rounding and truncation are a Settings value, which the methods Settings.Text,
// HTML, LaTeX and Number format with; a Config holds settings that change (each notebook
// session's display has its own). The package-level functions use one Config for the
// process, Default, for programs that use the package outside a notebook.
package matfmt

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Settings are how matrices are shown: a value, passed to the methods that format. A
// field below 1 stands for the field of Defaults.
type Settings struct {
	// Digits is the number of significant digits shown; exact integers show in full.
	Digits int
	// MaxRows and MaxCols are the largest sizes shown whole; beyond them only the
	// corners are shown.
	MaxRows, MaxCols int
}

// Defaults are the settings a session (and the process) starts with.
var Defaults = Settings{Digits: 6, MaxRows: 20, MaxCols: 12}

// With returns s changed by t: a field of t below 1 keeps s's; Digits is at most 17 and
// the sizes at least 2.
func (s Settings) With(t Settings) Settings {
	s = s.complete()
	if t.Digits >= 1 {
		s.Digits = min(t.Digits, 17)
	}
	if t.MaxRows >= 1 {
		s.MaxRows = max(t.MaxRows, 2)
	}
	if t.MaxCols >= 1 {
		s.MaxCols = max(t.MaxCols, 2)
	}
	return s
}

// complete replaces the fields below 1 by those of Defaults.
func (s Settings) complete() Settings {
	if s.Digits < 1 {
		s.Digits = Defaults.Digits
	}
	if s.MaxRows < 1 {
		s.MaxRows = Defaults.MaxRows
	}
	if s.MaxCols < 1 {
		s.MaxCols = Defaults.MaxCols
	}
	return s
}

// Config holds settings that change, as a cell changes its session's: safe for
// concurrent use. Its zero value holds Defaults.
type Config struct {
	mu sync.RWMutex
	s  Settings
}

// Set changes the settings as Settings.With does.
func (c *Config) Set(s Settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = c.s.With(s)
}

// Reset restores Defaults.
func (c *Config) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = Defaults
}

// Settings returns the settings in effect.
func (c *Config) Settings() Settings {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.s.complete()
}

// process is the configuration of the package-level functions: a program's. A notebook
// session never uses it: each session's display holds a Config of its own.
var process Config

// Default returns the configuration that the package-level functions (Number, Text, HTML,
// LaTeX, Set, Reset, Current) use, and package display's package-level functions too.
func Default() *Config { return &process }

// Set changes the default configuration's settings; values below 1 keep the current ones.
func Set(s Settings) { process.Set(s) }

// Reset restores the default configuration's settings to Defaults.
func Reset() { process.Reset() }

// Current returns the settings of the default configuration.
func Current() Settings { return process.Settings() }

// Number formats v with the default configuration's number of significant digits (see
// Settings.Number).
func Number(v float64) string { return Current().Number(v) }

// Number formats v with s's number of significant digits. Exact integers show as
// integers; -0, NaN and ±Inf show as Go prints them.
func (s Settings) Number(v float64) string { return number(v, s.complete().Digits) }

func number(v float64, digits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0 && math.Signbit(v):
		return "-0"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', digits, 64)
}

// LaTeXNumber is a number as Number or strconv writes it, in LaTeX: 1.5e-07 becomes
// 1.5 \times 10^{-7}, +Inf \infty and NaN \mathrm{NaN}.
func LaTeXNumber(s string) string {
	switch s {
	case "NaN":
		return `\mathrm{NaN}`
	case "+Inf":
		return `\infty`
	case "-Inf":
		return `-\infty`
	}
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	e, _ := strconv.Atoi(exp)
	if mant == "1" {
		return fmt.Sprintf(`10^{%d}`, e)
	}
	return fmt.Sprintf(`%s \times 10^{%d}`, mant, e)
}

// Caption names a matrix's size and kind: "2×3 mat.Dense", or "3-element mat.VecDense"
// for a vector.
func Caption(m mat.Matrix) string {
	kind := strings.TrimPrefix(fmt.Sprintf("%T", m), "*")
	r, c := m.Dims()
	if _, ok := m.(mat.Vector); ok && c == 1 {
		return fmt.Sprintf("%d-element %s", r, kind)
	}
	return fmt.Sprintf("%d×%d %s", r, c, kind)
}

// grid is the part of a matrix that is shown: its cells formatted, with -1 in rows or
// cols marking the ellipsis between the leading and trailing corners.
type grid struct {
	rows, cols []int
	cell       func(i, j int) string
}

func newGrid(m mat.Matrix, s Settings) grid {
	s = s.complete()
	r, c := m.Dims()
	return grid{rows: shown(r, s.MaxRows), cols: shown(c, s.MaxCols),
		cell: func(i, j int) string { return number(m.At(i, j), s.Digits) }}
}

// shown lists the indices shown of n when at most limit fit: all, or the first and last
// limit/2 with -1 between.
func shown(n, limit int) []int {
	var idx []int
	if n <= limit {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	head := limit - limit/2
	for i := 0; i < head; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - limit/2; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// text returns the cell at row i, column j of the grid, with ellipses.
func (g grid) text(i, j int, vdots, cdots, ddots string) string {
	switch {
	case i < 0 && j < 0:
		return ddots
	case i < 0:
		return vdots
	case j < 0:
		return cdots
	}
	return g.cell(i, j)
}

// truncated reports whether some rows or columns are left out.
func (g grid) truncated() bool {
	for _, idx := range [][]int{g.rows, g.cols} {
		for _, i := range idx {
			if i < 0 {
				return true
			}
		}
	}
	return false
}

// Text is m as aligned columns with the default configuration's settings (see
// Settings.Text).
func Text(m mat.Matrix) string { return Current().Text(m) }

// Text is m as aligned columns in brackets, like mat.Formatted; a truncated matrix is
// preceded by its caption.
func (s Settings) Text(m mat.Matrix) string {
	g := newGrid(m, s)
	if len(g.rows) == 0 || len(g.cols) == 0 {
		return Caption(m)
	}
	cells := make([][]string, len(g.rows))
	width := make([]int, len(g.cols))
	for a, i := range g.rows {
		cells[a] = make([]string, len(g.cols))
		for b, j := range g.cols {
			cells[a][b] = g.text(i, j, "⋮", "…", "⋱")
			width[b] = max(width[b], len([]rune(cells[a][b])))
		}
	}
	var sb strings.Builder
	if g.truncated() {
		sb.WriteString(Caption(m) + ":\n")
	}
	for a, row := range cells {
		left, right := "⎢", "⎥"
		switch {
		case len(cells) == 1:
			left, right = "[", "]"
		case a == 0:
			left, right = "⎡", "⎤"
		case a == len(cells)-1:
			left, right = "⎣", "⎦"
		}
		sb.WriteString(left)
		for b, s := range row {
			if b > 0 {
				sb.WriteString("  ")
			}
			sb.WriteString(strings.Repeat(" ", width[b]-len([]rune(s))) + s)
		}
		sb.WriteString(right)
		if a < len(cells)-1 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// HTML is m as a table with the default configuration's settings (see Settings.HTML).
func HTML(m mat.Matrix, caption string) string { return Current().HTML(m, caption) }

// HTML is m as a <table> with its caption (Caption(m) when caption is empty). The table
// has no style attributes, which the sanitizer of an untrusted notebook drops: its
// layout is the table's structure, the caption on one line (see htmlCaption), and
// classes a trusted page may style (gomatcalc-matrix; gomatcalc-ellipsis for the cells
// of elided rows and columns).
func (s Settings) HTML(m mat.Matrix, caption string) string {
	if caption == "" {
		caption = Caption(m)
	}
	g := newGrid(m, s)
	var sb strings.Builder
	sb.WriteString(`<nobr><table class="gomatcalc-matrix">` + htmlCaption(caption) + "<tbody>")
	for _, i := range g.rows {
		sb.WriteString("<tr>")
		for _, j := range g.cols {
			if i < 0 || j < 0 {
				sb.WriteString(`<td class="gomatcalc-ellipsis">`)
			} else {
				sb.WriteString("<td>")
			}
			sb.WriteString(g.text(i, j, "⋮", "⋯", "⋱") + "</td>")
		}
		sb.WriteString("</tr>")
	}
	sb.WriteString("</tbody></table></nobr>")
	return sb.String()
}

// htmlCaption is a table's <caption>. The table is inside <nobr>, which keeps the caption
// on one line (white-space: nowrap in every browser's own stylesheet) where Jupyter's
// sanitizer drops a style: a caption wraps to the width of its table, which for a small
// matrix is a few digits wide.
func htmlCaption(caption string) string {
	return "<caption>" + html.EscapeString(caption) + "</caption>"
}

// LaTeX is m as a bmatrix with the default configuration's settings (see
// Settings.LaTeX).
func LaTeX(m mat.Matrix) string { return Current().LaTeX(m) }

// LaTeX is m as a bmatrix (without math delimiters).
func (s Settings) LaTeX(m mat.Matrix) string {
	g := newGrid(m, s)
	var sb strings.Builder
	sb.WriteString(`\begin{bmatrix}`)
	for a, i := range g.rows {
		if a > 0 {
			sb.WriteString(` \\`)
		}
		for b, j := range g.cols {
			if b > 0 {
				sb.WriteString(" &")
			}
			sb.WriteString(" " + LaTeXNumber(g.text(i, j, `\vdots`, `\cdots`, `\ddots`)))
		}
	}
	sb.WriteString(` \end{bmatrix}`)
	return sb.String()
}

// Forms are a result's text, HTML and LaTeX, made with some settings.
type Forms struct{ Text, HTML, LaTeX string }

// Formatter is a result shown through a matrix (matcalc's derivatives show their Jacobian
// or Hessian): package display renders it with its own settings by calling Formatted,
// where its String, HTML and LaTeX methods know only the default configuration's.
type Formatter interface {
	Formatted(s Settings) Forms
}

// Table is an HTML table of text with a caption and a header row, for results that are
// tables of mixed values (Newton's iterates, a derivative check). Like Settings.HTML, it
// has no style attributes: the caption stays on one line, the header is <th> cells, and
// the class gomatcalc-table is for a trusted page to style.
func Table(caption string, header []string, rows [][]string) string {
	var sb strings.Builder
	sb.WriteString(`<nobr><table class="gomatcalc-table">`)
	if caption != "" {
		sb.WriteString(htmlCaption(caption))
	}
	sb.WriteString("<thead><tr>")
	for _, h := range header {
		sb.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	sb.WriteString("</tr></thead><tbody>")
	for _, row := range rows {
		sb.WriteString("<tr>")
		for _, s := range row {
			sb.WriteString("<td>" + html.EscapeString(s) + "</td>")
		}
		sb.WriteString("</tr>")
	}
	sb.WriteString("</tbody></table></nobr>")
	return sb.String()
}
