package imageio

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

// referenceImages is the reference folder of 64×64 JPEGs and, under the
// same name, PNGs of the exact pixels Chromium's canvas decodes them to.
var referenceImages = []string{"cnn-explainer", "images"}

// referenceJPEGs returns the reference JPEG paths, skipping (or, on CI,
// failing) when the directory is absent or holds none.
func referenceJPEGs(t testing.TB) []string {
	t.Helper()
	dir := testref.Dir(t, referenceImages...)
	jpegs, _ := filepath.Glob(filepath.Join(dir, "*.jpeg"))
	if len(jpegs) == 0 {
		t.Fatalf("no reference JPEGs in %s", dir)
	}
	return jpegs
}

func pngOf(jpg string) string { return strings.TrimSuffix(jpg, filepath.Ext(jpg)) + ".png" }

// TestJPEGMatchesChromium decodes every reference JPEG, fits it to the
// model input (its own size) and compares it with Chromium's pixels.
func TestJPEGMatchesChromium(t *testing.T) {
	for _, jpg := range referenceJPEGs(t) {
		name := strings.TrimSuffix(filepath.Base(jpg), ".jpeg")
		t.Run(name, func(t *testing.T) {
			img, format, err := Decode(bytes.NewReader(readFile(t, jpg)), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatJPEG {
				t.Errorf("format %q, want %q", format, FormatJPEG)
			}
			want := decodePNGFile(t, pngOf(jpg))
			got := Fit(img, want.Rect.Dx(), want.Rect.Dy())
			maxDiff, mean := pixelDiff(t, got, want)
			t.Logf("max |Δ| = %d, mean |Δ| = %.4f", maxDiff, mean)
			if maxDiff > 3 || mean > 0.5 {
				t.Errorf("differs from Chromium: max %d (limit 3), mean %.4f (limit 0.5)", maxDiff, mean)
			}
		})
	}
}

// TestReferencePNGPassThrough checks that a PNG already at the model size
// reaches the tensor unchanged.
func TestReferencePNGPassThrough(t *testing.T) {
	for _, jpg := range referenceJPEGs(t) {
		path := pngOf(jpg)
		img, format, err := Decode(bytes.NewReader(readFile(t, path)), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if format != FormatPNG {
			t.Errorf("%s: format %q", path, format)
		}
		want := decodePNGFile(t, path)
		got := Fit(img, want.Rect.Dx(), want.Rect.Dy())
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s: pixels changed", path)
		}
		chw := ToCHW(img, want.Rect.Dx(), want.Rect.Dy())
		n := want.Rect.Dx() * want.Rect.Dy()
		for i := range n {
			for c := range 3 {
				if chw[c*n+i] != float32(want.Pix[4*i+c])/255 {
					t.Fatalf("%s: tensor element (%d, %d) = %v, want %v/255", path, c, i, chw[c*n+i], want.Pix[4*i+c])
				}
			}
		}
	}
}
