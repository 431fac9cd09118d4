package imageio

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodePNGFile(t testing.TB, path string) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return flatten(img, img.Bounds())
}

// pixelDiff returns the largest and the mean absolute difference over the
// R, G and B samples of two same-sized images.
func pixelDiff(t testing.TB, got, want *image.RGBA) (maxDiff int, mean float64) {
	t.Helper()
	if got.Rect.Size() != want.Rect.Size() {
		t.Fatalf("size %v, want %v", got.Rect.Size(), want.Rect.Size())
	}
	w, h := want.Rect.Dx(), want.Rect.Dy()
	sum := 0
	for y := range h {
		for x := range w {
			g := got.Pix[got.PixOffset(got.Rect.Min.X+x, got.Rect.Min.Y+y):]
			e := want.Pix[want.PixOffset(want.Rect.Min.X+x, want.Rect.Min.Y+y):]
			for c := range 3 {
				d := abs(int(g[c]) - int(e[c]))
				sum += d
				maxDiff = max(maxDiff, d)
			}
		}
	}
	return maxDiff, float64(sum) / float64(3*w*h)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// encode runs an encoder into a byte slice.
func encode(t testing.TB, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustDecode(t testing.TB, data []byte) (*image.RGBA, string) {
	t.Helper()
	img, format, err := Decode(bytes.NewReader(data), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect.Min != (image.Point{}) {
		t.Fatalf("bounds %v do not start at the origin", img.Rect)
	}
	return img, format
}

// rgbAt returns the RGB of pixel (x, y) of m.
func rgbAt(m *image.RGBA, x, y int) [3]uint8 {
	p := m.Pix[m.PixOffset(x, y):]
	return [3]uint8{p[0], p[1], p[2]}
}

// overWhite is the textbook "straight colour c with alpha a over white",
// rounded to nearest: c·a/255 + 255·(1 − a/255).
func overWhite(c, a uint8) float64 {
	return float64(c)*float64(a)/255 + 255 - float64(a)
}

// rgbaOf builds an RGBA image from rows of RGB triples.
func rgbaOf(rows [][][3]uint8) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, row := range rows {
		for x, c := range row {
			copy(m.Pix[m.PixOffset(x, y):], []uint8{c[0], c[1], c[2], 0xff})
		}
	}
	return m
}
