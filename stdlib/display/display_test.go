package display

import (
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

func TestDisplaysShareNothing(t *testing.T) {
	r1, r2 := &recorder{}, &recorder{}
	d1, d2 := New(r1), New(r2)
	third := mat.NewDense(1, 2, []float64{2.0 / 3, 1})
	d1.SetPrecision(3)
	d1.SetMaxSize(2, 2)
	if got := d1.Render(third)["text/plain"]; got != "[0.667  1]" {
		t.Errorf("d1 with 3 digits: %v", got)
	}
	for name, got := range map[string]any{"d2": d2.Render(third)["text/plain"], "the default": Render(third)["text/plain"]} {
		if got != "[0.666667  1]" {
			t.Errorf("%s has d1's precision: %v", name, got)
		}
	}
	if d2.Settings() != matfmt.Defaults || matfmt.Current() != matfmt.Defaults {
		t.Errorf("settings d2 %+v, default %+v", d2.Settings(), matfmt.Current())
	}
	if rows := strings.Count(d1.Render(mat.NewDense(5, 5, nil))["text/html"].(string), "<tr>"); rows != 3 {
		t.Errorf("d1 with MaxSize 2: %d rows", rows)
	}
	d1.Markdown("one")
	d2.Show("two").Update("three")
	if len(r1.data) != 1 || r1.data[0]["text/plain"] != "one" {
		t.Errorf("d1's publisher got %v", r1.data)
	}
	if len(r2.data) != 2 || r2.data[1]["text/plain"] != `"three"` {
		t.Errorf("d2's publisher got %v", r2.data)
	}
}

func TestDisplaysInParallel(t *testing.T) {
	// Each display's settings and publisher stay its own while others change theirs.
	var wg sync.WaitGroup
	for digits := 1; digits <= 8; digits++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &recorder{}
			d := New(r)
			for range 50 {
				d.SetPrecision(digits)
				d.Value(mat.NewVecDense(1, []float64{2.0 / 3}))
			}
			want := "[" + matfmt.Settings{Digits: digits}.Number(2.0/3) + "]"
			for _, data := range r.data {
				if data["text/plain"] != want {
					t.Errorf("%d digits: got %v, want %s", digits, data["text/plain"], want)
					return
				}
			}
			if len(r.data) != 50 {
				t.Errorf("%d digits: %d displays", digits, len(r.data))
			}
		}()
	}
	wg.Wait()
}

// thirds is a result shown through a matrix, as matcalc's derivatives are.
type thirds struct{}

func (thirds) Formatted(s matfmt.Settings) matfmt.Forms {
	m := mat.NewDense(1, 1, []float64{1.0 / 3})
	return matfmt.Forms{Text: "thirds\n" + s.Text(m), HTML: s.HTML(m, "thirds"), LaTeX: s.LaTeX(m)}
}
func (thirds) String() string { return "thirds with the default settings" }

func TestFormatterRendersWithTheDisplaysSettings(t *testing.T) {
	d := New(nil)
	d.SetPrecision(2)
	b := d.Render(thirds{})
	if b["text/plain"] != "thirds\n[0.33]" || !strings.Contains(b["text/html"].(string), ">0.33<") ||
		b["text/latex"] != `\begin{bmatrix} 0.33 \end{bmatrix}` {
		t.Errorf("bundle %v", b)
	}
}

type brokenFormatter struct{}

func (brokenFormatter) Formatted(matfmt.Settings) matfmt.Forms { panic("no matrix") }

func TestFormatterPanicIsReported(t *testing.T) {
	b := Render(brokenFormatter{})
	text, _ := b["text/plain"].(string)
	for _, mime := range []string{"text/plain", "text/html", "text/latex"} {
		if !strings.Contains(text, "(rendering failed: "+mime+": panic: no matrix)") {
			t.Errorf("text/plain %q does not report %s", text, mime)
		}
	}
	if _, ok := b["text/html"]; ok {
		t.Error("a failed form must be left out")
	}
}

// Markdown's bundle carries HTML too, math left for MathJax: an untrusted notebook shows
// no text/markdown.
func TestMarkdownHasAnHTMLForm(t *testing.T) {
	r := &recorder{}
	New(r).Markdown("| a | error $\\lVert x \\rVert$ |\n|---|---|\n| 1 | 2 |")
	if len(r.data) != 1 {
		t.Fatalf("published %v", r.data)
	}
	h, _ := r.data[0]["text/html"].(string)
	for _, want := range []string{"<table>", "<th>a</th>", `<th>error $\lVert x \rVert$</th>`, "<td>2</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if r.data[0]["text/markdown"] == nil || r.data[0]["text/plain"] == nil {
		t.Errorf("bundle %v", r.data[0])
	}
}
