//go:build !(js && wasm)

package server

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRunHTTP posts a 64×64 PNG to the default model's run endpoint
// over loopback HTTP from 32 concurrent clients (2 cores × 16) and reads
// the whole binary response. cmd/loadtest measures the same from another
// process.
func BenchmarkRunHTTP(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 4), uint8(y * 4), 99, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	body := buf.Bytes()
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	// RunParallel's goroutines are not the benchmark's: they report with
	// b.Error and stop, never b.Fatal.
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := http.Post(ts.URL+"/api/models/default/run", "image/png", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Error(resp.Status)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
