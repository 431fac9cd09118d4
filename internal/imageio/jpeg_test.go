package imageio

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"testing"
)

// TestJPEGMatchesLibjpegTurbo compares each chroma layout with djpeg's
// output (libjpeg-turbo 2.1.5 defaults, identical to Chromium's pixels; see
// testdata/gen.sh). Only the IDCT differs, by a level or two.
func TestJPEGMatchesLibjpegTurbo(t *testing.T) {
	for _, name := range []string{
		"jpeg_444", "jpeg_422", "jpeg_420", "jpeg_440", "jpeg_411",
		"jpeg_gray", "jpeg_420_progressive", "jpeg_420_tiny",
	} {
		t.Run(name, func(t *testing.T) {
			got, format := mustDecode(t, readFile(t, "testdata/"+name+".jpg"))
			if format != FormatJPEG {
				t.Errorf("format %q", format)
			}
			want := decodePNGFile(t, "testdata/"+name+".png")
			maxDiff, mean := pixelDiff(t, got, want)
			t.Logf("max |Δ| = %d, mean |Δ| = %.4f", maxDiff, mean)
			if maxDiff > 3 || mean > 0.5 {
				t.Errorf("differs from libjpeg-turbo: max %d (limit 3), mean %.4f (limit 0.5)", maxDiff, mean)
			}
		})
	}
}

// TestFancyUpsampleRows checks libjpeg's triangle filter against values
// worked out by hand from jdsample.c's formulas.
func TestFancyUpsampleRows(t *testing.T) {
	t.Run("h2v1", func(t *testing.T) {
		for _, tc := range []struct{ in, want []uint8 }{
			// 10, (30+50+2)/4=20, (150+10+1)/4=40, (150+90+2)/4=60,
			// (270+50+1)/4=80, (270+200+2)/4=118, (600+90+1)/4=172, 200
			{[]uint8{10, 50, 90, 200}, []uint8{10, 20, 40, 60, 80, 118, 172, 200}},
			// Exact values 3, 2.5, 1.5, 1.5, 2.5, 3: the biases 2, 1, 2, 1
			// round the halves up, down, up, down.
			{[]uint8{3, 1, 3}, []uint8{3, 3, 1, 2, 2, 3}},
		} {
			got := make([]uint8, 2*len(tc.in))
			h2v1FancyRow(tc.in, got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("h2v1(%v) = %v, want %v", tc.in, got, tc.want)
			}
		}
	})
	t.Run("h2v2", func(t *testing.T) {
		// Rows A = 0 40 80 and B = 120 160 200; the edge rows reuse
		// themselves as context. Row 1 column sums 3A+B = 120 280 440:
		// (480+8)/16=30, (360+280+7)/16=40, (840+120+8)/16=60,
		// (840+440+7)/16=80, (1320+280+8)/16=100, (1760+7)/16=110.
		in := plane{pix: []uint8{0, 40, 80, 120, 160, 200}, stride: 3, w: 3, h: 2}
		want := [][]uint8{
			{0, 10, 30, 50, 70, 80},
			{30, 40, 60, 80, 100, 110},
			{90, 100, 120, 140, 160, 170},
			{120, 130, 150, 170, 190, 200},
		}
		checkPlane(t, upsample(in, 2, 2), want)
	})
	t.Run("h2v2 biases", func(t *testing.T) {
		// One row 3 1 3 (its own context): column sums 12 4 12. Exact
		// values 3, 2.5, 1.5, 1.5, 2.5, 3; with biases 8 and 7 on /16:
		// (48+8)/16=3, (36+4+7)/16=2, (12+12+8)/16=2,
		// (12+12+7)/16=1, (36+4+8)/16=3, (48+7)/16=3.
		in := plane{pix: []uint8{3, 1, 3}, stride: 3, w: 3, h: 1}
		checkPlane(t, upsample(in, 2, 2), [][]uint8{{3, 2, 2, 1, 3, 3}, {3, 2, 2, 1, 3, 3}})
	})
	t.Run("h1v2", func(t *testing.T) {
		// Rows A = 0 1, B = 2 3. Upper rows use bias 1, lower rows 2:
		// (3·0+2+2)/4=1, (3+3+2)/4=2 (exact 0.5, 1.5 round up);
		// (6+0+1)/4=1, (9+1+1)/4=2 (exact 1.5, 2.5 round down).
		in := plane{pix: []uint8{0, 1, 2, 3}, stride: 2, w: 2, h: 2}
		checkPlane(t, upsample(in, 1, 2), [][]uint8{{0, 1}, {1, 2}, {1, 2}, {2, 3}})
	})
	t.Run("narrow planes replicate", func(t *testing.T) {
		// libjpeg only uses the fancy h2 filters for planes wider than 2.
		in := plane{pix: []uint8{10, 90}, stride: 2, w: 2, h: 1}
		checkPlane(t, upsample(in, 2, 2), [][]uint8{{10, 10, 90, 90}, {10, 10, 90, 90}})
		checkPlane(t, upsample(in, 4, 1), [][]uint8{{10, 10, 10, 10, 90, 90, 90, 90}})
	})
}

func checkPlane(t *testing.T, got plane, want [][]uint8) {
	t.Helper()
	if got.h != len(want) || got.w != len(want[0]) {
		t.Fatalf("plane is %d×%d, want %d×%d", got.w, got.h, len(want[0]), len(want))
	}
	for y := range want {
		if !slices.Equal(got.row(y), want[y]) {
			t.Errorf("row %d = %v, want %v", y, got.row(y), want[y])
		}
	}
}

// TestYCCToRGB checks jdcolor.c's fixed point by hand. FIX(1.402)=91881,
// FIX(1.772)=116130, FIX(0.71414)=46802, FIX(0.34414)=22554.
func TestYCCToRGB(t *testing.T) {
	for _, tc := range []struct {
		y, cb, cr uint8
		want      [3]uint8
	}{
		{128, 128, 128, [3]uint8{128, 128, 128}},
		// cr−128 = 127: R = 100 + (91881·127+32768)>>16 = 100+178 → 255;
		// G = 100 + (32768 − 46802·127)>>16 = 100 + (−5911086>>16 = −91) = 9.
		{100, 128, 255, [3]uint8{255, 9, 100}},
		// cb−128 = −128: B = 50 + (−14864640+32768)>>16 = 50−227 → 0;
		// G = 50 + (2886912+32768)>>16 = 50+44 = 94.
		{50, 0, 128, [3]uint8{50, 94, 0}},
		// cb−128 = 1: B = 10 + (116130+32768)>>16 = 12;
		// G = 10 + (−22554+32768)>>16 = 10.
		{10, 129, 128, [3]uint8{10, 10, 12}},
	} {
		r, g, b := yccToRGB(tc.y, tc.cb, tc.cr)
		if got := [3]uint8{r, g, b}; got != tc.want {
			t.Errorf("yccToRGB(%d, %d, %d) = %v, want %v", tc.y, tc.cb, tc.cr, got, tc.want)
		}
	}
}

// TestCMYKJPEG decodes an Adobe (inverted) CMYK JPEG of flat 8×8 blocks
// and checks Chromium's R = (255−C)(255−K)/255 at each block centre.
func TestCMYKJPEG(t *testing.T) {
	got, _ := mustDecode(t, readFile(t, "testdata/cmyk.jpg"))
	for i, tc := range []struct {
		cmyk [4]int
		want [3]uint8
	}{
		{[4]int{0, 0, 0, 0}, [3]uint8{255, 255, 255}},
		{[4]int{255, 0, 0, 0}, [3]uint8{0, 255, 255}},
		{[4]int{0, 255, 0, 0}, [3]uint8{255, 0, 255}},
		{[4]int{0, 0, 255, 0}, [3]uint8{255, 255, 0}},
		{[4]int{0, 0, 0, 255}, [3]uint8{0, 0, 0}},
		{[4]int{64, 128, 192, 32}, [3]uint8{167, 111, 55}}, // 191·223/255, 127·223/255, 63·223/255
		{[4]int{200, 100, 0, 128}, [3]uint8{27, 77, 127}},  // 55·127/255, 155·127/255, 255·127/255
		{[4]int{10, 20, 30, 40}, [3]uint8{206, 198, 189}},  // 245·215/255, 235·215/255, 225·215/255
	} {
		x, y := (i%4)*8+4, (i/4)*8+4
		if c := rgbAt(got, x, y); !near(c, tc.want, 2) {
			t.Errorf("CMYK %v at (%d, %d) = %v, want %v", tc.cmyk, x, y, c, tc.want)
		}
	}
}

func near(a, b [3]uint8, tol int) bool {
	for i := range a {
		if abs(int(a[i])-int(b[i])) > tol {
			return false
		}
	}
	return true
}

// TestGrayJPEGReplicates checks that a grayscale JPEG has R = G = B.
func TestGrayJPEGReplicates(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 2)
	}
	data := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, src, &jpeg.Options{Quality: 100}) })
	got, _ := mustDecode(t, data)
	dec, _ := jpeg.Decode(bytes.NewReader(data))
	for y := range 8 {
		for x := range 16 {
			v := dec.(*image.Gray).GrayAt(x, y).Y
			if c := rgbAt(got, x, y); c != [3]uint8{v, v, v} {
				t.Fatalf("(%d, %d) = %v, want gray %d", x, y, c, v)
			}
		}
	}
}

// TestJPEGExifOrientation splices an Exif APP1 segment into a JPEG and
// checks the picture comes out rotated.
func TestJPEGExifOrientation(t *testing.T) {
	// 64×32 picture: red, green on top; blue, white below.
	quad := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}}
	src := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			src.SetRGBA(x, y, quad[x/32+2*(y/16)])
		}
	}
	plain := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, src, &jpeg.Options{Quality: 100}) })
	red, green, blue, white := [3]uint8{255, 0, 0}, [3]uint8{0, 255, 0}, [3]uint8{0, 0, 255}, [3]uint8{255, 255, 255}
	for _, tc := range []struct {
		name  string
		exif  []byte
		w, h  int
		quads [4][3]uint8 // top-left, top-right, bottom-left, bottom-right
	}{
		{"none", nil, 64, 32, [4][3]uint8{red, green, blue, white}},
		{"6 little-endian", exifSegment(6, false), 32, 64, [4][3]uint8{blue, red, white, green}},
		{"6 big-endian", exifSegment(6, true), 32, 64, [4][3]uint8{blue, red, white, green}},
		{"3", exifSegment(3, true), 64, 32, [4][3]uint8{white, blue, green, red}},
		{"8", exifSegment(8, false), 32, 64, [4][3]uint8{green, white, red, blue}},
		{"out of range", exifSegment(9, false), 64, 32, [4][3]uint8{red, green, blue, white}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := slices.Concat(plain[:2], tc.exif, plain[2:])
			got, _ := mustDecode(t, data)
			if got.Rect.Dx() != tc.w || got.Rect.Dy() != tc.h {
				t.Fatalf("size %v, want %d×%d", got.Rect.Size(), tc.w, tc.h)
			}
			for i, want := range tc.quads {
				x, y := (i%2)*tc.w/2+tc.w/4, (i/2)*tc.h/2+tc.h/4
				if c := rgbAt(got, x, y); !near(c, want, 8) {
					t.Errorf("quadrant %d at (%d, %d) = %v, want %v", i, x, y, c, want)
				}
			}
		})
	}
}
