package imageio

import (
	"fmt"
	"image"
	"io"
)

// ToCHW fits img to w×h (see [Fit]; an image already w×h is used as is) and
// returns its pixels as 3·h·w float32 values in [0, 1]: the R plane, then G,
// then B, each row-major, element (c, y, x) at index c·h·w + y·w + x. It
// returns nil when w or h is not positive.
func ToCHW(img image.Image, w, h int) []float32 {
	if w <= 0 || h <= 0 {
		return nil
	}
	m := Fit(img, w, h)
	n := w * h
	out := make([]float32, 3*n)
	for y := range h {
		row := m.Pix[y*m.Stride:][:4*w]
		for x := range w {
			i := y*w + x
			out[i] = float32(row[4*x]) / 255
			out[n+i] = float32(row[4*x+1]) / 255
			out[2*n+i] = float32(row[4*x+2]) / 255
		}
	}
	return out
}

// Load decodes an image file (see [Decode]) and returns it as the 3×h×w
// model input produced by [ToCHW].
func Load(r io.Reader, w, h int, limits Limits) ([]float32, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("invalid model input size %d×%d", w, h)
	}
	img, _, err := Decode(r, limits)
	if err != nil {
		return nil, err
	}
	return ToCHW(img, w, h), nil
}
