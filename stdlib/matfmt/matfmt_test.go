package matfmt

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{2.0 / 3, "0.666667"},
		{4.000000000000093, "4"},
		{1234567, "1234567"},
		{-3, "-3"},
		{math.Copysign(0, -1), "-0"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
		{1.5e-7, "1.5e-07"},
		{1e300, "1e+300"},
	} {
		if got := Number(tt.v); got != tt.want {
			t.Errorf("Number(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := LaTeXNumber(Number(1.5e-7)); got != `1.5 \times 10^{-7}` {
		t.Errorf("latex of 1.5e-7: %q", got)
	}
}

func TestSmallMatrix(t *testing.T) {
	A := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 2.0 / 3})
	if got, want := Text(A), "⎡1  2         3⎤\n⎣4  5  0.666667⎦"; got != want {
		t.Errorf("Text:\n%s\nwant\n%s", got, want)
	}
	if got, want := LaTeX(A), `\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 0.666667 \end{bmatrix}`; got != want {
		t.Errorf("LaTeX: %s", got)
	}
	h := HTML(A, "")
	if !strings.Contains(h, "<caption") || !strings.Contains(h, "2×3 mat.Dense</caption>") ||
		strings.Count(h, "<tr>") != 2 || strings.Count(h, "<td") != 6 {
		t.Errorf("HTML: %s", h)
	}
	if got := Text(mat.NewDense(1, 2, []float64{1, 2})); got != "[1  2]" {
		t.Errorf("row: %q", got)
	}
	if got := Caption(mat.NewVecDense(3, nil)); got != "3-element mat.VecDense" {
		t.Errorf("vector caption %q", got)
	}
	if got := Caption(A.T()); got != "3×2 mat.Transpose" {
		t.Errorf("transpose caption %q", got)
	}
}

func TestLargeMatrixShowsCorners(t *testing.T) {
	n := 1000
	A := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			A.Set(i, j, float64(i*n+j))
		}
	}
	s := Defaults
	h := HTML(A, "")
	if len(h) > 20000 {
		t.Errorf("HTML of a 1000×1000 matrix is %d bytes", len(h))
	}
	if rows := strings.Count(h, "<tr>"); rows != s.MaxRows+1 {
		t.Errorf("%d rows shown, want %d", rows, s.MaxRows+1)
	}
	// The last corner is the last element, 999999.
	for _, want := range []string{"⋱", "⋮", "⋯", ">999999<", ">0<", "1000×1000 mat.Dense"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	l := LaTeX(A)
	if !strings.Contains(l, `\ddots`) || strings.Count(l, `\\`) != s.MaxRows {
		t.Errorf("LaTeX: %s", l)
	}
	text := Text(A)
	if !strings.HasPrefix(text, "1000×1000 mat.Dense:\n") || strings.Count(text, "\n") != s.MaxRows+1 {
		t.Errorf("Text:\n%s", text)
	}
}

func TestSettings(t *testing.T) {
	defer Reset()
	Set(Settings{Digits: 3})
	if got := Number(2.0 / 3); got != "0.667" {
		t.Errorf("3 digits: %q", got)
	}
	Set(Settings{MaxRows: 4, MaxCols: 4})
	if rows := strings.Count(HTML(mat.NewDense(10, 10, nil), ""), "<tr>"); rows != 5 {
		t.Errorf("%d rows with MaxRows 4", rows)
	}
	Reset()
	if Current() != Defaults {
		t.Errorf("Reset: %+v", Current())
	}
}

func TestSettingsValues(t *testing.T) {
	third := mat.NewDense(1, 2, []float64{2.0 / 3, 1})
	if got := (Settings{Digits: 3}).Text(third); got != "[0.667  1]" {
		t.Errorf("3 digits: %q", got)
	}
	// Fields below 1 are the defaults': the zero Settings formats as Defaults does.
	if got, want := (Settings{}).Text(third), Defaults.Text(third); got != want || got != "[0.666667  1]" {
		t.Errorf("zero settings %q, defaults %q", got, want)
	}
	small := Settings{MaxRows: 4, MaxCols: 4}
	if rows := strings.Count(small.HTML(mat.NewDense(10, 10, nil), ""), "<tr>"); rows != 5 {
		t.Errorf("%d rows with MaxRows 4", rows)
	}
	if got := (Settings{Digits: 2}).LaTeX(mat.NewDense(1, 1, []float64{1.0 / 3})); got != `\begin{bmatrix} 0.33 \end{bmatrix}` {
		t.Errorf("latex %q", got)
	}
	if got := Defaults.With(Settings{Digits: 40, MaxRows: 1}); got != (Settings{Digits: 17, MaxRows: 2, MaxCols: 12}) {
		t.Errorf("With clamps: %+v", got)
	}
}

func TestConfigsAreIndependent(t *testing.T) {
	var a, b Config
	if a.Settings() != Defaults {
		t.Errorf("zero Config: %+v", a.Settings())
	}
	a.Set(Settings{Digits: 3})
	if b.Settings() != Defaults || Current() != Defaults {
		t.Errorf("b %+v, default %+v after setting a", b.Settings(), Current())
	}
	if a.Settings().Number(2.0/3) != "0.667" {
		t.Errorf("a: %+v", a.Settings())
	}
	a.Reset()
	if a.Settings() != Defaults {
		t.Errorf("Reset: %+v", a.Settings())
	}
}
