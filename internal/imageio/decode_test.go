package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/image/bmp"
)

// TestDecodeFormats decodes one small picture per format and colour model
// and checks every pixel against the expected RGB.
func TestDecodeFormats(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(gray.Pix, []uint8{0, 50, 100, 150, 200, 255})

	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{
		color.RGBA{10, 20, 30, 255}, color.NRGBA{0, 0, 0, 0}, color.RGBA{200, 100, 50, 255},
	})
	copy(pal.Pix, []uint8{0, 1, 2, 0})

	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	copy(nrgba.Pix, []uint8{200, 100, 0, 128, 9, 8, 7, 255})

	gray16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	gray16.SetGray16(0, 0, color.Gray16{0x1234}) // 4660/257 = 18.13
	gray16.SetGray16(1, 0, color.Gray16{0xff80}) // 65408/257 = 254.5
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	rgba64.SetNRGBA64(0, 0, color.NRGBA64{0xffff, 0x8000, 0, 0x8000})

	opaque := rgbaOf([][][3]uint8{{{1, 2, 3}, {250, 128, 0}}, {{0, 255, 0}, {77, 88, 99}}})

	type px = [3]uint8
	for _, tc := range []struct {
		name, format string
		data         []byte
		want         [][]px
	}{
		{"PNG gray", FormatPNG, encodePNG(t, gray), [][]px{
			{{0, 0, 0}, {50, 50, 50}, {100, 100, 100}}, {{150, 150, 150}, {200, 200, 200}, {255, 255, 255}}}},
		{"PNG paletted with transparency", FormatPNG, encodePNG(t, pal), [][]px{
			{{10, 20, 30}, {255, 255, 255}}, {{200, 100, 50}, {10, 20, 30}}}},
		// 200·128/255 + 127 = 227.4; 100·128/255 + 127 = 177.2; 127.
		{"PNG NRGBA over white", FormatPNG, encodePNG(t, nrgba), [][]px{{{227, 177, 127}, {9, 8, 7}}}},
		{"PNG 16-bit gray", FormatPNG, encodePNG(t, gray16), [][]px{{{18, 18, 18}, {255, 255, 255}}}},
		// α ≈ ½: 255·½ + 127.5 = 255; 127.5·½ + 127.5 = 191.25; 127.5−ε.
		{"PNG 16-bit NRGBA", FormatPNG, encodePNG(t, rgba64), [][]px{{{255, 191, 127}}}},
		{"GIF", FormatGIF, encode(t, func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) }), [][]px{
			{{10, 20, 30}, {255, 255, 255}}, {{200, 100, 50}, {10, 20, 30}}}},
		{"BMP", FormatBMP, encode(t, func(b *bytes.Buffer) error { return bmp.Encode(b, opaque) }), [][]px{
			{{1, 2, 3}, {250, 128, 0}}, {{0, 255, 0}, {77, 88, 99}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, format := mustDecode(t, tc.data)
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			checkPixels(t, got, tc.want)
		})
	}
}

func checkPixels(t *testing.T, got *image.RGBA, want [][][3]uint8) {
	t.Helper()
	if got.Rect.Dx() != len(want[0]) || got.Rect.Dy() != len(want) {
		t.Fatalf("size %v, want %d×%d", got.Rect.Size(), len(want[0]), len(want))
	}
	for y, row := range want {
		for x, c := range row {
			if g := rgbAt(got, x, y); g != c {
				t.Errorf("(%d, %d) = %v, want %v", x, y, g, c)
			}
			if a := got.Pix[got.PixOffset(x, y)+3]; a != 0xff {
				t.Errorf("(%d, %d) alpha %d", x, y, a)
			}
		}
	}
}

func encodePNG(t *testing.T, m image.Image) []byte {
	return encode(t, func(b *bytes.Buffer) error { return png.Encode(b, m) })
}

// TestGIFFrameOnScreen: a first frame smaller than the logical screen is
// placed at its offset on white.
func TestGIFFrameOnScreen(t *testing.T) {
	frame := image.NewPaletted(image.Rect(1, 0, 2, 1), color.Palette{color.Black})
	data := encode(t, func(b *bytes.Buffer) error {
		return gif.EncodeAll(b, &gif.GIF{
			Image: []*image.Paletted{frame}, Delay: []int{0},
			Config: image.Config{ColorModel: frame.Palette, Width: 3, Height: 2},
		})
	})
	got, _ := mustDecode(t, data)
	w, k := [3]uint8{255, 255, 255}, [3]uint8{0, 0, 0}
	checkPixels(t, got, [][][3]uint8{{w, k, w}, {w, w, w}})
}

// TestWebP checks lossy WebP bit for bit against libwebp's dwebp, and the
// alpha variants against straight-alpha compositing over white.
func TestWebP(t *testing.T) {
	t.Run("lossy", func(t *testing.T) {
		got, format := mustDecode(t, readFile(t, "testdata/lossy.webp"))
		if format != FormatWebP {
			t.Errorf("format %q", format)
		}
		if maxDiff, mean := pixelDiff(t, got, decodePNGFile(t, "testdata/lossy.png")); maxDiff != 0 {
			t.Errorf("differs from libwebp: max %d, mean %.4f", maxDiff, mean)
		}
	})
	for _, tc := range []struct{ file, oracle string }{
		{"alpha_lossless.webp", "alpha.png"},    // exact pixels
		{"lossy_alpha.webp", "lossy_alpha.png"}, // dwebp's straight RGBA
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, _ := mustDecode(t, readFile(t, "testdata/"+tc.file))
			oracle, err := png.Decode(bytes.NewReader(readFile(t, "testdata/"+tc.oracle)))
			if err != nil {
				t.Fatal(err)
			}
			src := oracle.(*image.NRGBA)
			for y := range src.Rect.Dy() {
				for x := range src.Rect.Dx() {
					p := src.Pix[src.PixOffset(x, y):]
					g := rgbAt(got, x, y)
					for c := range 3 {
						if d := math.Abs(float64(g[c]) - overWhite(p[c], p[3])); d > 1 {
							t.Fatalf("(%d, %d) channel %d = %d, want %.2f", x, y, c, g[c], overWhite(p[c], p[3]))
						}
					}
				}
			}
		})
	}
}

// pngHeader returns a PNG signature and a valid IHDR (8-bit RGB) chunk for
// the given size, with no image data.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	data := []byte("\x89PNG\r\n\x1a\n")
	data = binary.BigEndian.AppendUint32(data, 13)
	data = append(data, ihdr...)
	return binary.BigEndian.AppendUint32(data, crc32.ChecksumIEEE(ihdr))
}

func TestDecodeRejectsHugeImageFromHeader(t *testing.T) {
	data := pngHeader(100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, format, err := Decode(bytes.NewReader(data), DefaultLimits())
	runtime.ReadMemStats(&after)
	const msg = "image is 100000×100000 = 10000000000 pixels, more than the limit of 50000000"
	if err == nil || err.Error() != msg {
		t.Fatalf("error %v, want %q", err, msg)
	}
	if !errors.Is(err, ErrTooManyPixels) || format != FormatPNG {
		t.Errorf("errors.Is(ErrTooManyPixels) = false or format %q", format)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes before rejecting", n)
	}
	_, _, err = Decode(bytes.NewReader(pngHeader(11, 10)), Limits{MaxPixels: 100})
	if !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("custom limit: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	gifZero := []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00")
	for _, tc := range []struct {
		name, data string
		limits     Limits
		is         error
		contains   string
	}{
		{"empty", "", Limits{}, ErrEmptyImage, "image file is empty"},
		{"unknown", "hello, world", Limits{}, ErrUnknownFormat,
			"unrecognised image format: expected JPEG, PNG, GIF, WebP or BMP"},
		{"TIFF", "II*\x00\x08\x00\x00\x00", Limits{}, ErrUnknownFormat, "looks like TIFF"},
		{"HEIC", "\x00\x00\x00\x18ftypheic", Limits{}, ErrUnknownFormat, "looks like HEIC"},
		{"zero size", string(gifZero), Limits{}, ErrEmptyImage, "image has zero size (0×0)"},
		{"file too large", strings.Repeat("x", 101), Limits{MaxBytes: 100}, ErrFileTooLarge,
			"image file is larger than 100 bytes, the limit"},
		{"PNG header only", string(pngHeader(2, 2)), Limits{}, nil, "could not decode PNG image"},
		{"bad PNG CRC", string(pngHeader(2, 2)[:29]) + "xxxx", Limits{}, nil, "could not read PNG header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(strings.NewReader(tc.data), tc.limits)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
		})
	}
	if got := formatBytes(DefaultMaxBytes); got != "32 MiB (33554432 bytes)" {
		t.Errorf("formatBytes = %q", got)
	}
	_, _, err := Decode(iotest.ErrReader(errors.New("disk on fire")), Limits{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v", err)
	}
}

// validFiles returns one small valid file per format.
func validFiles(t testing.TB) map[string][]byte {
	m := image.NewNRGBA(image.Rect(0, 0, 9, 7))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 37)
	}
	pal := image.NewPaletted(m.Rect, color.Palette{color.White, color.Black, color.NRGBA{1, 2, 3, 4}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	return map[string][]byte{
		"JPEG": encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, m, nil) }),
		"PNG":  encode(t, func(b *bytes.Buffer) error { return png.Encode(b, m) }),
		"GIF":  encode(t, func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) }),
		"BMP":  encode(t, func(b *bytes.Buffer) error { return bmp.Encode(b, m) }),
		"WebP": readFile(t, "testdata/lossy.webp"),
	}
}

// TestDecodeTruncated cuts each format's file at several points: every
// cut must fail with an error naming the format, never panic.
func TestDecodeTruncated(t *testing.T) {
	for label, data := range validFiles(t) {
		mustDecode(t, data)
		for _, n := range []int{len(data) / 4, len(data) / 2, len(data) - 1} {
			_, _, err := Decode(bytes.NewReader(data[:n]), DefaultLimits())
			if (label == "JPEG" || label == "GIF") && n == len(data)-1 && err == nil {
				continue // only (part of) the end marker is lost; Go accepts that
			}
			if err == nil {
				t.Errorf("%s cut to %d of %d bytes: no error", label, n, len(data))
				continue
			}
			if !strings.Contains(err.Error(), label) {
				t.Errorf("%s cut to %d bytes: error %q does not name the format", label, n, err)
			}
		}
	}
}

func TestDecodeGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	prefixes := []string{"", "\xff\xd8", "\x89PNG\r\n\x1a\n", "GIF89a", "RIFF\x00\x00\x00\x00WEBPVP8 ", "BM"}
	for i := range 300 {
		data := []byte(prefixes[i%len(prefixes)])
		for range rng.IntN(200) {
			data = append(data, byte(rng.IntN(256)))
		}
		img, _, err := Decode(bytes.NewReader(data), DefaultLimits())
		if err == nil && img.Rect.Empty() {
			t.Fatalf("nil error with empty image for %q", data)
		}
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	_, err := guard(func() (int, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v", err)
	}
}

func TestToCHWLayout(t *testing.T) {
	src := rgbaOf([][][3]uint8{{{255, 0, 51}, {0, 102, 255}}})
	want := []float32{1, 0, 0, 102.0 / 255, 51.0 / 255, 1}
	got := ToCHW(src, 2, 1)
	if len(got) != len(want) {
		t.Fatalf("len %d", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	if ToCHW(src, 0, 3) != nil {
		t.Error("ToCHW with zero width should be nil")
	}
}

func TestLoad(t *testing.T) {
	src := rgbaOf([][][3]uint8{{{255, 0, 0}, {0, 255, 0}}, {{0, 0, 255}, {255, 255, 255}}})
	got, err := Load(bytes.NewReader(encodePNG(t, src)), 2, 2, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tensor %v, want %v", got, want)
		}
	}
	if _, err := Load(bytes.NewReader(nil), 2, 2, DefaultLimits()); err == nil {
		t.Error("empty file: no error")
	}
	if _, err := Load(bytes.NewReader(encodePNG(t, src)), 0, 2, DefaultLimits()); err == nil {
		t.Error("zero width: no error")
	}
}

func TestIsImageName(t *testing.T) {
	for name, want := range map[string]bool{"a.png": true, "b.JPG": true, "c.jpeg": true, "d.gif": true, "e.WebP": true, "f.bmp": true,
		"g.tiff": false, "h": false, "png": false, "i.png.txt": false} {
		if IsImageName(name) != want {
			t.Errorf("IsImageName(%q) = %v", name, !want)
		}
	}
}
