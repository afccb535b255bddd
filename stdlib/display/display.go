// Package display shows rich output from a running notebook cell: HTML, Markdown, LaTeX,
// images and any value rendered as the cell's result would be. Each call sends a
// display_data message at once, like IPython's display(), and returns nothing.
//
// A Display is one session's: its publisher and its settings of how matrices look. A
// notebook session makes its own (New) and binds the functions cells call to its
// methods. The package-level functions use a default Display, which has no publisher:
// they print the text/plain form to standard output, so programs that use the package
// still run, and its settings are matfmt's default configuration.
package display

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/gomatcalc/gomatcalc/internal/markdown"
	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Publisher receives the displays of the running cell. The session sets it.
type Publisher interface {
	Display(data, metadata map[string]any, id string, update bool)
	Clear(wait bool)
}

// Display routes displays to one publisher and renders values with its own settings.
// It is safe for concurrent use. The zero Display is like Default's.
type Display struct {
	publisher Publisher      // nil: standard output
	config    *matfmt.Config // nil: matfmt.Default()
}

// New returns a display that sends to p (nil: prints text/plain to standard output),
// with settings of its own that start at matfmt.Defaults.
func New(p Publisher) *Display {
	return &Display{publisher: p, config: new(matfmt.Config)}
}

// std is the display of the package-level functions.
var std = &Display{}

// Default returns the display the package-level functions use: no publisher, and
// matfmt's default configuration for settings.
func Default() *Display { return std }

// Settings returns how d shows matrices now.
func (d *Display) Settings() matfmt.Settings { return d.settings().Settings() }

// settings is the configuration d's settings are kept in.
func (d *Display) settings() *matfmt.Config {
	if d.config == nil {
		return matfmt.Default()
	}
	return d.config
}

func (d *Display) show(data map[string]any) {
	d.publish(data, "", false)
}

// publish sends data to the publisher; id names an output that update replaces.
func (d *Display) publish(data map[string]any, id string, update bool) {
	if data == nil {
		return
	}
	if d.publisher == nil {
		fmt.Fprintln(os.Stdout, data["text/plain"])
		return
	}
	d.publisher.Display(data, map[string]any{}, id, update)
}

// HTML shows an HTML fragment.
func HTML(s string) { std.HTML(s) }

// HTML shows an HTML fragment.
func (d *Display) HTML(s string) {
	d.show(map[string]any{"text/html": s, "text/plain": s})
}

// Markdown shows Markdown text.
func Markdown(s string) { std.Markdown(s) }

// Markdown shows Markdown text. Its bundle carries the text rendered as HTML too (math
// left for MathJax): an untrusted notebook shows no text/markdown, only its text/plain.
func (d *Display) Markdown(s string) {
	b := map[string]any{"text/markdown": s, "text/plain": s}
	if h, err := markdown.HTML(s, nil); err == nil {
		b["text/html"] = h
	}
	d.show(b)
}

// LaTeX shows math typeset from LaTeX. Without $ or \begin delimiters, s is taken as
// display math.
func LaTeX(s string) { std.LaTeX(s) }

// LaTeX shows math typeset from LaTeX. Without $ or \begin delimiters, s is taken as
// display math.
func (d *Display) LaTeX(s string) {
	d.show(map[string]any{"text/latex": mathDelimited(s), "text/plain": s})
}

// SVG shows an SVG image.
func SVG(s string) { std.SVG(s) }

// SVG shows an SVG image.
func (d *Display) SVG(s string) {
	d.show(map[string]any{"image/svg+xml": s, "text/plain": fmt.Sprintf("<SVG image, %d bytes>", len(s))})
}

// PNG shows a PNG image given as its encoded bytes.
func PNG(b []byte) { std.PNG(b) }

// PNG shows a PNG image given as its encoded bytes.
func (d *Display) PNG(b []byte) {
	d.show(map[string]any{"image/png": base64.StdEncoding.EncodeToString(b),
		"text/plain": fmt.Sprintf("<PNG image, %d bytes>", len(b))})
}

// JSON shows v as a JSON tree (front ends that cannot, show it as indented text).
func JSON(v any) { std.JSON(v) }

// JSON shows v as a JSON tree (front ends that cannot, show it as indented text).
func (d *Display) JSON(v any) {
	text, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		d.show(map[string]any{"text/plain": fmt.Sprintf("display.JSON: %v", err)})
		return
	}
	var tree any
	json.Unmarshal(text, &tree)
	d.show(map[string]any{"application/json": tree, "text/plain": string(text)})
}

// Bundle is a MIME bundle made by hand: MIME type -> data. It renders as itself
// (text/plain is added when missing):
//
//	display.Value(display.Bundle{"text/html": "<b>hi</b>", "text/plain": "hi"})
type Bundle map[string]any

// Value shows v as the value of a cell's last expression would be shown.
func Value(v any) { std.Value(v) }

// Value shows v as the value of a cell's last expression would be shown.
func (d *Display) Value(v any) {
	d.show(d.Render(v))
}

// Clear clears the cell's output so far.
func Clear() { std.Clear() }

// Clear clears the cell's output so far.
func (d *Display) Clear() {
	if d.publisher != nil {
		d.publisher.Clear(false)
	}
}

func mathDelimited(s string) string {
	for _, open := range []string{"$", `\[`, `\(`, `\begin`} {
		if len(s) >= len(open) && s[:len(open)] == open {
			return s
		}
	}
	return "$$" + s + "$$"
}

// SetPrecision sets the number of significant digits matrices show with (6 at the start
// of a session). Exact integers always show in full.
func SetPrecision(digits int) { std.SetPrecision(digits) }

// SetPrecision sets the number of significant digits matrices show with (6 at the start
// of a session). Exact integers always show in full.
func (d *Display) SetPrecision(digits int) {
	d.settings().Set(matfmt.Settings{Digits: digits})
}

// SetMaxSize sets the largest matrix shown whole (20 rows, 12 columns at the start of a
// session); a larger one shows its corners.
func SetMaxSize(rows, cols int) { std.SetMaxSize(rows, cols) }

// SetMaxSize sets the largest matrix shown whole (20 rows, 12 columns at the start of a
// session); a larger one shows its corners.
func (d *Display) SetMaxSize(rows, cols int) {
	d.settings().Set(matfmt.Settings{MaxRows: rows, MaxCols: cols})
}
