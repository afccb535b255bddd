package display

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

type rich struct{}

func (rich) HTML() string   { return "<i>r</i>" }
func (rich) LaTeX() string  { return `\alpha` }
func (rich) String() string { return "rich" }

func TestRender(t *testing.T) {
	tests := []struct {
		v    any
		mime string
		want any
	}{
		{42, "text/plain", "42"},
		{"s", "text/plain", `"s"`},
		{errors.New("boom"), "text/plain", "boom"},
		{mat.NewDense(1, 2, []float64{1, 2}), "text/plain", "[1  2]"},
		{(*mat.Dense)(nil), "text/plain", "<nil>"},
		// Six significant digits: a numerical Hessian reads as the exact one it approximates.
		{mat.NewDense(2, 2, []float64{4.000000000000093, -0.9999999999999558, -0.9999999999999558, 5.999999999999779}),
			"text/plain", "⎡ 4  -1⎤\n⎣-1   6⎦"},
		{rich{}, "text/plain", "rich"},
		{rich{}, "text/html", "<i>r</i>"},
		{rich{}, "text/latex", `$$\alpha$$`},
	}
	for _, tt := range tests {
		if got := Render(tt.v)[tt.mime]; got != tt.want {
			t.Errorf("Render(%#v)[%s] = %#v, want %#v", tt.v, tt.mime, got, tt.want)
		}
	}
}

type recorder struct{ data []map[string]any }

func (r *recorder) Display(data, _ map[string]any, _ string, _ bool) { r.data = append(r.data, data) }
func (r *recorder) Clear(bool)                                       {}

func TestCallsReachThePublisher(t *testing.T) {
	r := &recorder{}
	d := New(r)
	d.HTML("<p>")
	d.PNG([]byte{1, 2, 3})
	d.JSON(map[string]int{"a": 1})
	if len(r.data) != 3 {
		t.Fatalf("%d displays", len(r.data))
	}
	if r.data[1]["image/png"] != "AQID" {
		t.Errorf("png %v", r.data[1]["image/png"])
	}
	if tree, _ := r.data[2]["application/json"].(map[string]any); tree["a"] != 1.0 {
		t.Errorf("json %v", r.data[2]["application/json"])
	}
	for _, d := range r.data {
		if _, ok := d["text/plain"]; !ok {
			t.Errorf("no text/plain in %v", d)
		}
	}
}

type broken struct{}

func (broken) HTML() string { panic("no html today") }

func TestRenderSurvivesAPanickingMethod(t *testing.T) {
	b := Render(broken{})
	if _, ok := b["text/html"]; ok {
		t.Error("a failed form must be left out")
	}
	if text, _ := b["text/plain"].(string); text != "{}\n(rendering failed: text/html: panic: no html today)" {
		t.Errorf("text/plain %q", text)
	}
}

func TestRenderMatrices(t *testing.T) {
	for _, tt := range []struct {
		v       any
		caption string
		cells   int
	}{
		{mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}), "2×3 mat.Dense", 6},
		{mat.NewSymDense(2, []float64{1, 2, 2, 1}), "2×2 mat.SymDense", 4},
		{mat.NewTriDense(2, mat.Upper, []float64{1, 2, 0, 3}), "2×2 mat.TriDense", 4},
		{mat.NewDiagDense(3, []float64{1, 2, 3}), "3×3 mat.DiagDense", 9},
		{mat.NewBandDense(3, 3, 1, 1, []float64{0, 1, 2, 3, 4, 5, 6, 7, 0}), "3×3 mat.BandDense", 9},
		{mat.NewVecDense(3, []float64{1, 2, 3}), "3-element mat.VecDense", 3},
		{mat.NewDense(2, 3, nil).T(), "3×2 mat.Transpose", 6},
		{[]float64{1, 2}, "2-element []float64", 2},
		{[][]float64{{1, 2, 3}, {4, 5, 6}}, "2×3 [][]float64", 6},
	} {
		b := Render(tt.v)
		h, _ := b["text/html"].(string)
		if !strings.Contains(h, tt.caption+"</caption>") || strings.Count(h, "<td") != tt.cells {
			t.Errorf("%T: html %s", tt.v, h)
		}
		if l, _ := b["text/latex"].(string); !strings.HasPrefix(l, `$$\begin{bmatrix}`) {
			t.Errorf("%T: latex %q", tt.v, l)
		}
		if _, ok := b["text/plain"].(string); !ok {
			t.Errorf("%T: no text/plain", tt.v)
		}
	}
	// A ragged [][]float64 is not a matrix.
	if b := Render([][]float64{{1}, {2, 3}}); b["text/html"] != nil || b["text/plain"] != "[[1] [2 3]]" {
		t.Errorf("ragged: %v", b)
	}
}

func TestPrecisionSetting(t *testing.T) {
	defer matfmt.Reset()
	SetPrecision(3)
	if got := Render(mat.NewDense(1, 2, []float64{2.0 / 3, 1})); got["text/plain"] != "[0.667  1]" {
		t.Errorf("3 digits: %v", got["text/plain"])
	}
}

func TestRenderPlot(t *testing.T) {
	p := plot.New()
	p.Title.Text = "squares"
	line, err := plotter.NewLine(plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: 4}, {X: 3, Y: 9}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(line)
	b := Render(p)
	if svg, _ := b["image/svg+xml"].(string); !strings.Contains(svg, "<svg") || !strings.Contains(svg, "squares") {
		t.Errorf("svg: %.200s", svg)
	}
	if b["text/plain"] != `<plot "squares">` {
		t.Errorf("text: %v", b["text/plain"])
	}
	// The PNG beside the SVG, which an untrusted notebook shows: 6×4 inches at 96 dpi
	// (a CSS pixel each dot), the size the SVG shows at.
	data, err := base64.StdEncoding.DecodeString(b["image/png"].(string))
	if err != nil {
		t.Fatalf("image/png is not base64: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/png is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size != image.Pt(576, 384) {
		t.Errorf("PNG of %v pixels, want 576×384", size)
	}
	if len(data) > 64<<10 {
		t.Errorf("PNG of a three-point line is %d bytes", len(data))
	}
	if !drawn(img) {
		t.Error("the PNG is blank")
	}
	// A log axis over a zero panics inside gonum/plot: the bundle says so instead.
	p.Y.Scale = plot.LogScale{}
	p.Y.Min = 0
	b = Render(p)
	if _, ok := b["image/svg+xml"]; ok {
		t.Error("a plot that cannot be drawn has no svg")
	}
	if _, ok := b["image/png"]; ok {
		t.Error("a plot that cannot be drawn has no png")
	}
	if text, _ := b["text/plain"].(string); !strings.Contains(text, "rendering failed: image/svg+xml") {
		t.Errorf("text: %q", text)
	}
}

func TestRenderImage(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 2, 3))
	b := Render(img)
	data, err := base64.StdEncoding.DecodeString(b["image/png"].(string))
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(data))
	if err != nil || back.Bounds().Dx() != 2 || back.Bounds().Dy() != 3 {
		t.Errorf("png: %v %v", back, err)
	}
	if b["text/plain"] != "<image 2×3>" {
		t.Errorf("text: %v", b["text/plain"])
	}
}

type update struct {
	id     string
	update bool
	text   any
}

type updates struct{ got []update }

func (u *updates) Display(data, _ map[string]any, id string, up bool) {
	u.got = append(u.got, update{id, up, data["text/plain"]})
}
func (u *updates) Clear(bool) {}

func TestHandleAndProgress(t *testing.T) {
	u := &updates{}
	d := New(u)
	h := d.Show(1)
	h.Update(2)
	if len(u.got) != 2 || u.got[0].id == "" || u.got[0].id != u.got[1].id || u.got[0].update || !u.got[1].update ||
		u.got[1].text != "2" {
		t.Fatalf("handle: %+v", u.got)
	}
	if Render(h) != nil {
		t.Error("a handle renders as nothing")
	}
	u.got = nil
	bar := d.Progress(4)
	for i := 0; i < 4; i++ {
		bar.Add(1)
	}
	last := u.got[len(u.got)-1]
	if !last.update || last.id != u.got[0].id || !strings.Contains(last.text.(string), "4/4 (100%)") {
		t.Errorf("progress: %+v", u.got)
	}
	if len(u.got) > 3 {
		t.Errorf("a fast loop redraws the bar %d times", len(u.got))
	}
}

// A matrix that a computation vouched for shows its note under it, until it changes.
func TestRenderShowsNotes(t *testing.T) {
	h := mat.NewSymDense(2, []float64{4, -1, -1, 6})
	matfmt.Note(h, "Hessian by matcalc: 12.0 correct digits (error ≤ 1e-12)")
	b := Render(h)
	if got := b["text/plain"]; got != "⎡ 4  -1⎤\n⎣-1   6⎦\nHessian by matcalc: 12.0 correct digits (error ≤ 1e-12)" {
		t.Errorf("text/plain %q", got)
	}
	if got := b["text/html"].(string); !strings.Contains(got, "2×2 mat.SymDense · Hessian by matcalc: 12.0 correct digits") {
		t.Errorf("text/html %s", got)
	}
	h.SetSym(0, 0, 5)
	if got := Render(h)["text/plain"]; strings.Contains(got.(string), "matcalc") {
		t.Errorf("a changed matrix shows its old note: %q", got)
	}
}

// gonum's matrices and vectors held by value show as their pointers do, not as raw
// structs (var P mat.Dense; P.Mul(A, A); P).
func TestAMatrixByValueShowsAsItsPointer(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	var p mat.Dense
	p.Mul(a, a)
	x := mat.NewVecDense(2, []float64{1, 2})
	var v mat.VecDense
	v.AddVec(x, x)
	for _, c := range []struct {
		value, pointer any
	}{{p, &p}, {v, &v}, {*mat.NewSymDense(2, []float64{1, 2, 2, 1}), mat.NewSymDense(2, []float64{1, 2, 2, 1})}} {
		got, want := Render(c.value), Render(c.pointer)
		if got["text/plain"] != want["text/plain"] || got["text/html"] == nil {
			t.Errorf("%T by value: %q, want %q", c.value, got["text/plain"], want["text/plain"])
		}
	}
	if got := Render(struct{ A int }{3})["text/plain"]; got != "{3}" {
		t.Errorf("another struct: %q", got)
	}
}

// drawn reports whether img has a dark pixel (a line, a label) on its white background.
func drawn(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0x8000 {
				return true
			}
		}
	}
	return false
}

// No HTML that display renders carries a style attribute: the sanitizer of an untrusted
// notebook drops them, so the layout must not need them.
func TestHTMLHasNoStyles(t *testing.T) {
	big := mat.NewDense(30, 30, nil)
	matfmt.Note(big, "a note")
	bar := New(&recorder{}).Progress(10)
	for name, h := range map[string]any{
		"matrix":   Render(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}))["text/html"],
		"corners":  Render(big)["text/html"],
		"vector":   Render([]float64{1, 2})["text/html"],
		"table":    matfmt.Table("a caption", []string{"k", "x"}, [][]string{{"0", "1"}}),
		"progress": bar.bundle()["text/html"],
		"caption":  Render(mat.NewVecDense(1, nil))["text/html"],
	} {
		s, _ := h.(string)
		if s == "" || strings.Contains(s, "style=") {
			t.Errorf("%s: %s", name, s)
		}
		// A table's caption stays on one line through <nobr>, not a style.
		if strings.Contains(s, "<caption>") && !strings.HasPrefix(s, "<nobr><table") {
			t.Errorf("%s: a caption outside <nobr>: %s", name, s)
		}
	}
}
