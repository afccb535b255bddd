package matfmt

import (
	"bytes"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// PlotWidth and PlotHeight are the size notebook plots are drawn at.
const (
	PlotWidth  = 6 * vg.Inch
	PlotHeight = 4 * vg.Inch
)

// PlotSVG draws p as SVG at the notebook size. Drawing can panic inside gonum/plot (a log
// scale given a zero); callers that must not fail recover.
func PlotSVG(p *plot.Plot) string {
	w, err := p.WriterTo(PlotWidth, PlotHeight, "svg")
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		panic(err)
	}
	return buf.String()
}
