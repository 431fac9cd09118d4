package analyze

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// MaxPNGPixels bounds the PNG's size (4 bytes a pixel in memory).
const MaxPNGPixels = 64 << 20

// WritePNG writes the drawing of r (Layout) as a PNG at one pixel per unit,
// text in the 7×13 basic font.
func WritePNG(w io.Writer, r *Report) error {
	d, err := Layout(r)
	if err != nil {
		return err
	}
	W, H := int(math.Ceil(d.Width)), int(math.Ceil(d.Height))
	if int64(W)*int64(H) > MaxPNGPixels {
		return fmt.Errorf("the drawing is %d×%d pixels, more than the %d a PNG may have: use --format svg", W, H, MaxPNGPixels)
	}
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	edge := hexColour("#a5abb1")
	for _, e := range d.Edges {
		for k := 1; k < len(e.Points); k++ {
			line(img, e.Points[k-1], e.Points[k], edge)
		}
		end := e.Points[len(e.Points)-1]
		for dy := 0; dy < 6; dy++ { // an arrow head pointing down
			for dx := -dy / 2; dx <= dy/2; dx++ {
				img.Set(int(end[0])+dx, int(end[1])-6+dy, edge)
			}
		}
	}
	text := &font.Drawer{Dst: img, Src: image.NewUniform(hexColour("#202124")), Face: basicfont.Face7x13}
	for _, nd := range d.Nodes {
		fill, stroke := colours(nd.Family)
		x0, y0 := int(nd.X), int(nd.Y)
		x1, y1 := x0+int(nd.Width), y0+int(nd.Height)
		draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(hexColour(fill)), image.Point{}, draw.Src)
		sc := hexColour(stroke)
		for x := x0; x < x1; x++ {
			img.Set(x, y0, sc)
			img.Set(x, y1-1, sc)
		}
		for y := y0; y < y1; y++ {
			img.Set(x0, y, sc)
			img.Set(x1-1, y, sc)
		}
		for k, s := range nd.Lines {
			text.Dot = fixed.P(x0+drawPadX, y0+drawPadY+(k+1)*drawLineH-4)
			text.DrawString(ascii.Replace(s))
		}
	}
	return png.Encode(w, img)
}

// ascii replaces the characters the basic font lacks.
var ascii = strings.NewReplacer("×", "x", "…", "~")

// line draws a straight line (Bresenham).
func line(img *image.RGBA, a, b [2]float64, c color.Color) {
	x0, y0, x1, y1 := int(a[0]), int(a[1]), int(b[0]), int(b[1])
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		img.Set(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// hexColour parses "#rrggbb".
func hexColour(s string) color.RGBA {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}
