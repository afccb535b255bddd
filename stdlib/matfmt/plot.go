package matfmt

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"slices"

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
// drops SVG). Its colors are the plot's own 256 most common (paletted: a third of the
// bytes of full color), the rarer shades of antialiasing drawn as the nearest of those;
// compressed for speed (best compression took twice the time for 2% fewer bytes).
// Like PlotSVG, it can panic inside gonum/plot.
func PlotPNG(p *plot.Plot) []byte {
	c := vgimg.NewWith(vgimg.UseWH(PlotWidth, PlotHeight), vgimg.UseDPI(PlotDPI))
	p.Draw(vgdraw.New(c))
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, paletted(c.Image())); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// paletted is img in its 256 most common colors, each other color drawn as the nearest
// of those. (image/draw's quantizers search a palette for every pixel, and dithering
// against Plan 9's took 0.3 s a plot; a plot has a few hundred colors, searched once.)
func paletted(img image.Image) *image.Paletted {
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	}
	// Each pixel's color as one number: its 4 bytes.
	pixels := make([]uint32, 0, len(rgba.Pix)/4)
	count := map[uint32]int{}
	for y := 0; y < rgba.Rect.Dy(); y++ {
		row := rgba.Pix[y*rgba.Stride : y*rgba.Stride+4*rgba.Rect.Dx()]
		for i := 0; i < len(row); i += 4 {
			c := binary.BigEndian.Uint32(row[i:])
			pixels = append(pixels, c)
			count[c]++
		}
	}
	colors := make([]uint32, 0, len(count))
	for c := range count {
		colors = append(colors, c)
	}
	slices.SortFunc(colors, func(a, b uint32) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	rgbaOf := func(c uint32) color.RGBA { return color.RGBA{uint8(c >> 24), uint8(c >> 16), uint8(c >> 8), uint8(c)} }
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(len(colors), 256)] {
		pal = append(pal, rgbaOf(c))
	}
	index := make(map[uint32]uint8, len(colors))
	for _, c := range colors {
		index[c] = uint8(pal.Index(rgbaOf(c)))
	}
	out := image.NewPaletted(rgba.Rect, pal)
	for i, c := range pixels {
		out.Pix[i] = index[c]
	}
	return out
}

// PlotIMG is p as an HTML <img> of its PNG (a data URI), for HTML that shows a plot
// whether or not the notebook is trusted: the sanitizer keeps an <img>, never an <svg>.
// alt is the image's text alternative. The PNG's own size sets the image's: a height
// attribute would distort it where the page narrows it (max-width).
func PlotIMG(p *plot.Plot, alt string) string {
	return `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(PlotPNG(p)) +
		`" alt="` + html.EscapeString(alt) + `">`
}
