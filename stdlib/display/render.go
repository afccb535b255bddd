package display

import (
	"encoding/base64"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Render returns the MIME bundle of v: always text/plain, and the richer forms v offers
// through a method HTML, Markdown, LaTeX, SVG, PNG or JSON.
func Render(v any) map[string]any {
	b := map[string]any{"text/plain": plain(v)}
	if r, ok := v.(interface{ HTML() string }); ok {
		b["text/html"] = r.HTML()
	}
	if r, ok := v.(interface{ Markdown() string }); ok {
		b["text/markdown"] = r.Markdown()
	}
	if r, ok := v.(interface{ LaTeX() string }); ok {
		b["text/latex"] = mathDelimited(r.LaTeX())
	}
	if r, ok := v.(interface{ SVG() string }); ok {
		b["image/svg+xml"] = r.SVG()
	}
	if r, ok := v.(interface{ PNG() []byte }); ok {
		b["image/png"] = base64.StdEncoding.EncodeToString(r.PNG())
	}
	if r, ok := v.(interface{ JSON() any }); ok {
		b["application/json"] = r.JSON()
	}
	return b
}

// plain is the text/plain form of v, as a Go programmer would print it.
func plain(v any) string {
	switch v := v.(type) {
	case mat.Matrix:
		if v == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%v", mat.Formatted(v, mat.Squeeze()))
	case error:
		if v == nil {
			return "<nil>"
		}
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}
