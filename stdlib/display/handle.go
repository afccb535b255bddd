package display

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"
)

// Handle is one output that can be replaced in place (update_display_data).
type Handle struct {
	d  *Display
	id string
}

// Show displays v as Value does and returns a handle that replaces it later.
//
//	h := display.Show("starting")
//	h.Update(A)
func Show(v any) *Handle { return std.Show(v) }

// Show displays v as Value does and returns a handle that replaces it later.
func (d *Display) Show(v any) *Handle {
	h := &Handle{d: d, id: newID()}
	d.publish(d.Render(v), h.id, false)
	return h
}

// Update replaces the handle's output with v, through the display that made the handle
// (the default display for a Handle not made by Show).
func (h *Handle) Update(v any) {
	d := h.d
	if d == nil {
		d = std
	}
	d.publish(d.Render(v), h.id, true)
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ProgressBar shows how far a long loop has got, updated in place at most ten times a
// second.
type ProgressBar struct {
	mu      sync.Mutex
	h       *Handle
	total   int
	done    int
	start   time.Time
	shownAt time.Time
}

// Progress shows a progress bar for total steps of work.
//
//	bar := display.Progress(len(xs))
//	for _, x := range xs {
//		work(x)
//		bar.Add(1)
//	}
func Progress(total int) *ProgressBar { return std.Progress(total) }

// Progress shows a progress bar for total steps of work.
func (d *Display) Progress(total int) *ProgressBar {
	p := &ProgressBar{total: max(total, 1), start: time.Now()}
	p.h = d.Show(p.bundle())
	p.shownAt = p.start
	return p
}

// Add records n more steps done; the bar is redrawn when the work is complete or 100 ms
// have passed since it last was.
func (p *ProgressBar) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = min(p.done+n, p.total)
	if p.done == p.total || time.Since(p.shownAt) >= 100*time.Millisecond {
		p.shownAt = time.Now()
		p.h.Update(p.bundle())
	}
}

// bundle is the bar as HTML and text.
func (p *ProgressBar) bundle() Bundle {
	frac := float64(p.done) / float64(p.total)
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	label := fmt.Sprintf("%d/%d (%.0f%%) %v", p.done, p.total, 100*frac, elapsed)
	width := 30
	filled := int(frac * float64(width))
	return Bundle{
		"text/plain": "[" + strings.Repeat("#", filled) + strings.Repeat(" ", width-filled) + "] " + label,
		"text/html": fmt.Sprintf(`<progress class="gomatcalc-progress" value="%d" max="%d"></progress> %s`,
			p.done, p.total, html.EscapeString(label)),
	}
}
