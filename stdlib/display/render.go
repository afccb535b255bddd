package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"reflect"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Render returns the MIME bundle of v: always text/plain, and the richer forms that fit.
// Matrices (any mat.Matrix, []float64 as a column, rectangular [][]float64) render as an
// HTML table, LaTeX and aligned text; a *plot.Plot as SVG and PNG; an image.Image as PNG; any
// other value through its methods HTML, Markdown, LaTeX, SVG, PNG, JPEG or JSON, and its
// String or Error method for text/plain. A form that panics is left out, and text/plain
// says why. A Bundle renders as itself; a *Handle or *ProgressBar as nothing (nil), so
// that creating one as a cell's last line shows no second output. The package-level
// Render uses the default display's settings.
func Render(v any) map[string]any { return std.Render(v) }

// Render returns the MIME bundle of v with d's settings (see the package-level Render). A
// matfmt.Formatter (matcalc's derivatives) renders through Formatted with them, instead
// of its String, HTML and LaTeX methods.
func (d *Display) Render(v any) map[string]any {
	v = byPointer(v)
	results := map[string]any{}
	for _, m := range methods {
		if r, ok := m.call(v); ok {
			results[m.name] = r
		}
	}
	if f, ok := v.(matfmt.Formatter); ok && !isNilPointer(v) {
		s := d.Settings()
		forms := sync.OnceValue(func() matfmt.Forms { return f.Formatted(s) }) // a panic, again at each call
		results["String"] = lazy(func() any { return forms().Text })
		results["HTML"] = lazy(func() any { return forms().HTML })
		results["LaTeX"] = lazy(func() any { return forms().LaTeX })
	}
	return d.RenderResults(v, results)
}

// byPointer is a pointer to a copy of v when v is one of gonum's matrices or vectors held
// by value (var P mat.Dense; P.Mul(A, A); P): their methods have pointer receivers, and
// the value would show as a raw struct. Anything else is v.
func byPointer(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct || rv.Type().PkgPath() != matPkgPath {
		return v
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	if _, ok := p.Interface().(mat.Matrix); ok {
		return p.Interface()
	}
	return v
}

var matPkgPath = reflect.TypeOf(mat.Dense{}).PkgPath()

// RenderResults renders v as Render does, with the results of its methods given: method
// name ("HTML", "String", ...) -> what the method returned, or a *MethodPanic. The session
// uses it for types defined in cells, whose methods compiled code cannot call; the symbol
// table that cells see leaves it out.
func RenderResults(v any, results map[string]any) map[string]any {
	return std.RenderResults(v, results)
}

// RenderResults is the package-level RenderResults with d's settings.
func (d *Display) RenderResults(v any, results map[string]any) map[string]any {
	switch v := v.(type) {
	case *Handle, *ProgressBar:
		return nil
	case Bundle:
		if _, ok := v["text/plain"]; !ok {
			v["text/plain"] = ""
		}
		return v
	}
	b := map[string]any{}
	var failures []string
	add := func(mime string, f func() any) {
		defer func() {
			if r := recover(); r != nil {
				failures = append(failures, fmt.Sprintf("%s: panic: %v", mime, r))
			}
		}()
		b[mime] = f()
	}
	if m, ok := asMatrix(v); ok {
		// Go's slices print as Go prints them; gonum's matrices in aligned columns.
		// A note is what made the matrix vouches for it (matcalc: its correct digits).
		note, s := matfmt.NoteOf(v), d.Settings()
		add("text/plain", func() any { return withNote(matrixText(v, m, s), "\n", note) })
		add("text/html", func() any { return s.HTML(m, withNote(caption(v, m), " · ", note)) })
		add("text/latex", func() any { return "$$" + s.LaTeX(m) + "$$" })
		return withFailures(b, failures)
	}
	add("text/plain", func() any {
		for _, name := range []string{"String", "Error"} {
			if r, ok := results[name]; ok {
				return methodResult(r)
			}
		}
		return plain(v)
	})
	switch v := v.(type) {
	case *plot.Plot:
		// Both: a trusted notebook shows the SVG, an untrusted one the PNG (Jupyter's
		// sanitizer drops SVG).
		add("image/svg+xml", func() any { return matfmt.PlotSVG(v) })
		add("image/png", func() any { return base64.StdEncoding.EncodeToString(matfmt.PlotPNG(v)) })
	case image.Image:
		add("image/png", func() any { return encodePNG(v) })
	}
	for _, m := range methods {
		if r, ok := results[m.name]; ok && m.mime != "" {
			add(m.mime, func() any { return m.convert(methodResult(r)) })
		}
	}
	return withFailures(b, failures)
}

// MethodPanic is a method that panicked while its result was computed for RenderResults.
type MethodPanic struct{ Value any }

// methodResult returns r, calling it first when it is lazy, or panics again with a
// method's panic so that add reports it.
func methodResult(r any) any {
	switch r := r.(type) {
	case lazy:
		return r()
	case *MethodPanic:
		panic(r.Value)
	}
	return r
}

// methods are the methods through which a value renders, in the order of the bundle.
var methods = []struct {
	name, mime string
	call       func(v any) (any, bool) // calls the method when v has it
	convert    func(r any) any         // turns its result into the bundle's form
}{
	{"String", "", func(v any) (any, bool) { return call(v, func(r fmt.Stringer) any { return r.String() }) }, nil},
	{"Error", "", func(v any) (any, bool) { return call(v, func(r error) any { return r.Error() }) }, nil},
	{"HTML", "text/html", func(v any) (any, bool) { return call(v, func(r interface{ HTML() string }) any { return r.HTML() }) }, same},
	{"Markdown", "text/markdown", func(v any) (any, bool) {
		return call(v, func(r interface{ Markdown() string }) any { return r.Markdown() })
	}, same},
	{"LaTeX", "text/latex", func(v any) (any, bool) { return call(v, func(r interface{ LaTeX() string }) any { return r.LaTeX() }) },
		func(r any) any { return mathDelimited(r.(string)) }},
	{"SVG", "image/svg+xml", func(v any) (any, bool) { return call(v, func(r interface{ SVG() string }) any { return r.SVG() }) }, same},
	{"PNG", "image/png", func(v any) (any, bool) { return call(v, func(r interface{ PNG() []byte }) any { return r.PNG() }) }, base64Bytes},
	{"JPEG", "image/jpeg", func(v any) (any, bool) { return call(v, func(r interface{ JPEG() []byte }) any { return r.JPEG() }) }, base64Bytes},
	{"JSON", "application/json", func(v any) (any, bool) { return call(v, func(r interface{ JSON() any }) any { return r.JSON() }) }, same},
}

// call returns the call of method on v, when v implements I, to be made when the bundle
// is built (where a panic is caught).
func call[I any](v any, method func(I) any) (any, bool) {
	r, ok := v.(I)
	if !ok || isNilPointer(v) {
		return nil, false
	}
	return lazy(func() any { return method(r) }), true
}

// lazy is a method call not made yet.
type lazy func() any

func same(r any) any { return r }

func base64Bytes(r any) any { return base64.StdEncoding.EncodeToString(r.([]byte)) }

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Ptr && rv.IsNil()
}

func withFailures(b map[string]any, failures []string) map[string]any {
	if len(failures) > 0 {
		text, _ := b["text/plain"].(string)
		for _, f := range failures {
			text += "\n(rendering failed: " + f + ")"
		}
		b["text/plain"] = text
	}
	return b
}

// asMatrix returns v as a matrix when it is one: a non-nil mat.Matrix, a non-empty
// []float64 (a column) or a rectangular non-empty [][]float64.
func asMatrix(v any) (mat.Matrix, bool) {
	switch v := v.(type) {
	case mat.Matrix:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Ptr && rv.IsNil() {
			return nil, false
		}
		if r, c := v.Dims(); r == 0 || c == 0 {
			return nil, false
		}
		return v, true
	case []float64:
		if len(v) == 0 {
			return nil, false
		}
		return mat.NewVecDense(len(v), v), true
	case [][]float64:
		if len(v) == 0 || len(v[0]) == 0 {
			return nil, false
		}
		m := mat.NewDense(len(v), len(v[0]), nil)
		for i, row := range v {
			if len(row) != len(v[0]) {
				return nil, false
			}
			m.SetRow(i, row)
		}
		return m, true
	}
	return nil, false
}

// withNote appends a matrix's note to s, after sep.
func withNote(s, sep, note string) string {
	if note == "" {
		return s
	}
	return s + sep + note
}

func matrixText(v any, m mat.Matrix, s matfmt.Settings) string {
	switch v.(type) {
	case []float64, [][]float64:
		return fmt.Sprint(v)
	}
	return s.Text(m)
}

// caption names v's own type for slices, which asMatrix wrapped.
func caption(v any, m mat.Matrix) string {
	r, c := m.Dims()
	switch v.(type) {
	case []float64:
		return fmt.Sprintf("%d-element []float64", r)
	case [][]float64:
		return fmt.Sprintf("%d×%d [][]float64", r, c)
	}
	return matfmt.Caption(m)
}

func encodePNG(img image.Image) string {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// plain is the text/plain form of v, as a Go programmer would print it.
func plain(v any) string {
	if isNilPointer(v) {
		return "<nil>"
	}
	switch v := v.(type) {
	case *plot.Plot:
		title := v.Title.Text
		if title == "" {
			title = "untitled"
		}
		return fmt.Sprintf("<plot %q>", title)
	case image.Image:
		b := v.Bounds()
		return fmt.Sprintf("<image %d×%d>", b.Dx(), b.Dy())
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}
