package display

import (
	"encoding/base64"
	"fmt"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// Render returns the MIME bundle of v: always text/plain, and the richer forms v offers
// through a method HTML, Markdown, LaTeX, SVG, PNG or JSON. A method that panics is left
// out, and text/plain says why.
func Render(v any) map[string]any {
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
	add("text/plain", func() any { return plain(v) })
	if r, ok := v.(interface{ HTML() string }); ok {
		add("text/html", func() any { return r.HTML() })
	}
	if r, ok := v.(interface{ Markdown() string }); ok {
		add("text/markdown", func() any { return r.Markdown() })
	}
	if r, ok := v.(interface{ LaTeX() string }); ok {
		add("text/latex", func() any { return mathDelimited(r.LaTeX()) })
	}
	if r, ok := v.(interface{ SVG() string }); ok {
		add("image/svg+xml", func() any { return r.SVG() })
	}
	if r, ok := v.(interface{ PNG() []byte }); ok {
		add("image/png", func() any { return base64.StdEncoding.EncodeToString(r.PNG()) })
	}
	if r, ok := v.(interface{ JSON() any }); ok {
		add("application/json", func() any { return r.JSON() })
	}
	if len(failures) > 0 {
		text, _ := b["text/plain"].(string)
		for _, f := range failures {
			text += "\n(rendering failed: " + f + ")"
		}
		b["text/plain"] = text
	}
	return b
}

// plain is the text/plain form of v, as a Go programmer would print it.
func plain(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Ptr && rv.IsNil() {
		return "<nil>"
	}
	switch v := v.(type) {
	case mat.Matrix:
		// About six significant digits, as a notebook user reads a matrix; the values
		// themselves keep full precision.
		return fmt.Sprintf("%.6g", mat.Formatted(v, mat.Squeeze()))
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}
