package matfmt

import (
	"bytes"
	"encoding/base64"
	"html"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotWidth and PlotHeight are the size notebook plots are drawn at.
const (
	PlotWidth  = 6 * vg.Inch
	PlotHeight = 4 * vg.Inch
)

// PlotDPI is the resolution of a plot's PNG: at 96 dots per inch (a CSS pixel) the PNG
// shows at the size of the SVG, PlotPixelWidth×PlotPixelHeight pixels.
const (
	PlotDPI         = 96
	PlotPixelWidth  = 6 * PlotDPI
	PlotPixelHeight = 4 * PlotDPI
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

// PlotPNG draws p as a PNG of PlotPixelWidth×PlotPixelHeight pixels, the notebook size
// at PlotDPI: the form of a plot that an untrusted notebook shows (Jupyter's sanitizer
// drops SVG). Its colors are the Plan 9 palette's 256, dithered (Floyd-Steinberg): a
// third of the bytes of full color for a line plot, which looks the same. Like PlotSVG,
// it can panic inside gonum/plot.
func PlotPNG(p *plot.Plot) []byte {
	c := vgimg.NewWith(vgimg.UseWH(PlotWidth, PlotHeight), vgimg.UseDPI(PlotDPI))
	p.Draw(vgdraw.New(c))
	img := c.Image()
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.FloydSteinberg.Draw(pal, pal.Rect, img, img.Bounds().Min)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, pal); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PlotIMG is p as an HTML <img> of its PNG (a data URI), for HTML that shows a plot
// whether or not the notebook is trusted: the sanitizer keeps an <img>, never an <svg>.
// alt is the image's text alternative. The PNG's own size sets the image's: a height
// attribute would distort it where the page narrows it (max-width).
func PlotIMG(p *plot.Plot, alt string) string {
	return `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(PlotPNG(p)) +
		`" alt="` + html.EscapeString(alt) + `">`
}
