// Package display shows rich output from a running notebook cell: HTML, Markdown, LaTeX,
// images and any value rendered as the cell's result would be. Each call sends a
// display_data message at once, like IPython's display(), and returns nothing.
//
// Outside a notebook session (no publisher set), the calls print the text/plain form to
// standard output, so programs that use the package still run.
package display

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Publisher receives the displays of the running cell. The session sets it.
type Publisher interface {
	Display(data, metadata map[string]any, id string, update bool)
	Clear(wait bool)
}

var (
	mu        sync.RWMutex
	publisher Publisher
)

// SetPublisher routes displays to p (nil: to standard output). It is the session's,
// not the cells': the symbol table leaves it out.
func SetPublisher(p Publisher) {
	mu.Lock()
	defer mu.Unlock()
	publisher = p
}

func show(data map[string]any) {
	publish(data, "", false)
}

// publish sends data to the publisher; id names an output that update replaces.
func publish(data map[string]any, id string, update bool) {
	if data == nil {
		return
	}
	mu.RLock()
	p := publisher
	mu.RUnlock()
	if p == nil {
		fmt.Fprintln(os.Stdout, data["text/plain"])
		return
	}
	p.Display(data, map[string]any{}, id, update)
}

// HTML shows an HTML fragment.
func HTML(s string) {
	show(map[string]any{"text/html": s, "text/plain": s})
}

// Markdown shows Markdown text.
func Markdown(s string) {
	show(map[string]any{"text/markdown": s, "text/plain": s})
}

// LaTeX shows math typeset from LaTeX. Without $ or \begin delimiters, s is taken as
// display math.
func LaTeX(s string) {
	show(map[string]any{"text/latex": mathDelimited(s), "text/plain": s})
}

// SVG shows an SVG image.
func SVG(s string) {
	show(map[string]any{"image/svg+xml": s, "text/plain": fmt.Sprintf("<SVG image, %d bytes>", len(s))})
}

// PNG shows a PNG image given as its encoded bytes.
func PNG(b []byte) {
	show(map[string]any{"image/png": base64.StdEncoding.EncodeToString(b),
		"text/plain": fmt.Sprintf("<PNG image, %d bytes>", len(b))})
}

// JSON shows v as a JSON tree (front ends that cannot, show it as indented text).
func JSON(v any) {
	text, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		show(map[string]any{"text/plain": fmt.Sprintf("display.JSON: %v", err)})
		return
	}
	var tree any
	json.Unmarshal(text, &tree)
	show(map[string]any{"application/json": tree, "text/plain": string(text)})
}

// Bundle is a MIME bundle made by hand: MIME type -> data. It renders as itself
// (text/plain is added when missing):
//
//	display.Value(display.Bundle{"text/html": "<b>hi</b>", "text/plain": "hi"})
type Bundle map[string]any

// Value shows v as the value of a cell's last expression would be shown.
func Value(v any) {
	show(Render(v))
}

// Clear clears the cell's output so far.
func Clear() {
	mu.RLock()
	p := publisher
	mu.RUnlock()
	if p != nil {
		p.Clear(false)
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
func SetPrecision(digits int) {
	matfmt.Set(matfmt.Settings{Digits: digits})
}

// SetMaxSize sets the largest matrix shown whole (20 rows, 12 columns at the start of a
// session); a larger one shows its corners.
func SetMaxSize(rows, cols int) {
	matfmt.Set(matfmt.Settings{MaxRows: rows, MaxCols: cols})
}
