package imageio

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

// FuzzDecode feeds arbitrary bytes through Decode and Fit: nothing may
// panic (not even inside a third-party decoder, where Decode would recover
// it), and a nil error must come with a non-empty opaque image.
//
//	go test ./internal/imageio -run '^$' -fuzz FuzzDecode -fuzztime 60s
func FuzzDecode(f *testing.F) {
	for _, data := range validFiles(f) {
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	testdata, _ := filepath.Glob("testdata/*")
	for _, path := range testdata {
		if data, err := os.ReadFile(path); err == nil && len(data) < 4096 {
			f.Add(data)
		}
	}
	jpg := validFiles(f)["JPEG"]
	f.Add(slices.Concat(jpg[:2], exifSegment(6, false), jpg[2:]))
	f.Add(slices.Concat(jpg[:2], exifSegment(5, true)[:30], jpg[2:]))
	f.Add(pngHeader(100000, 100000))
	f.Add(pngHeader(0, 5))
	f.Add([]byte("GIF89a\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("RIFF\x10\x00\x00\x00WEBPVP8L"))
	f.Add([]byte("BM"))
	f.Add([]byte{})

	// Small limits keep each execution fast.
	limits := Limits{MaxPixels: 1 << 20, MaxBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := Decode(bytes.NewReader(data), limits)
		if pe := (*panicError)(nil); errors.As(err, &pe) {
			t.Fatalf("decoder panicked: %v", pe.value)
		}
		if err != nil {
			return
		}
		if img == nil || img.Rect.Empty() || img.Rect.Min != (image.Point{}) {
			t.Fatalf("nil error but image %v", img)
		}
		if !img.Opaque() {
			t.Fatal("decoded image is not opaque")
		}
		if n := int64(img.Rect.Dx()) * int64(img.Rect.Dy()); n > limits.MaxPixels {
			t.Fatalf("decoded %d pixels, limit %d", n, limits.MaxPixels)
		}
		if m := Fit(img, 5, 3); m.Rect != image.Rect(0, 0, 5, 3) {
			t.Fatalf("Fit gave %v", m.Rect)
		}
	})
}

// benchmarkJPEG returns a 64×64 JPEG: a reference image when present.
func benchmarkJPEG(b *testing.B) []byte {
	if dir := testref.Optional(b, referenceImages...); dir != "" {
		if paths, _ := filepath.Glob(filepath.Join(dir, "*.jpeg")); len(paths) > 0 {
			return readFile(b, paths[0])
		}
	}
	m := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	return encode(b, func(buf *bytes.Buffer) error { return jpeg.Encode(buf, m, nil) })
}

func BenchmarkDecodeFitJPEG64(b *testing.B) {
	data := benchmarkJPEG(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := Decode(bytes.NewReader(data), DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		_ = ToCHW(img, 64, 64)
	}
}
