package display

import (
	"errors"
	"testing"

	"gonum.org/v1/gonum/mat"
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
	SetPublisher(r)
	defer SetPublisher(nil)
	HTML("<p>")
	PNG([]byte{1, 2, 3})
	JSON(map[string]int{"a": 1})
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
