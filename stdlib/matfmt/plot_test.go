package matfmt

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// An image of at most 256 colors is kept exactly; past 256, the most common are exact and
// each rarer color is drawn as its nearest among them.
func TestPalettedKeepsTheCommonColors(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 510, 2))
	for x := 0; x < 510; x++ {
		img.Set(x, 0, color.RGBA{uint8(x % 255), 0, 0, 255}) // 255 reds, each twice
		img.Set(x, 1, color.RGBA{0, 0, 200, 255})
	}
	img.Set(509, 1, color.RGBA{0, 0, 201, 255}) // one pixel of a 257th color
	out := paletted(img)
	if len(out.Palette) != 256 {
		t.Fatalf("%d colors in the palette, want 256", len(out.Palette))
	}
	for x := 0; x < 509; x++ {
		if got, want := out.At(x, 1), (color.RGBA{0, 0, 200, 255}); got != want {
			t.Fatalf("(%d, 1) is %v, want the common blue %v", x, got, want)
		}
	}
	if got := out.At(509, 1); got != (color.RGBA{0, 0, 200, 255}) {
		t.Errorf("the rare blue is drawn as %v, want its nearest, the common blue", got)
	}
	for x := 0; x < 510; x++ {
		if got, want := out.At(x, 0), (color.RGBA{uint8(x % 255), 0, 0, 255}); got != want {
			t.Errorf("(%d, 0) is %v, want %v", x, got, want)
		}
	}
}

func TestPlotPNGDecodesAtTheNotebookSize(t *testing.T) {
	p := plot.New()
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(line)
	img, err := png.Decode(bytes.NewReader(PlotPNG(p)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != PlotPixelWidth || b.Dy() != PlotPixelHeight {
		t.Errorf("the PNG is %v, want %d×%d", b, PlotPixelWidth, PlotPixelHeight)
	}
	if _, ok := img.(*image.Paletted); !ok {
		t.Errorf("the PNG is %T, want paletted", img)
	}
}
