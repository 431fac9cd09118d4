//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// TestUploadTFLite: a quantized .tflite upload (with a labels file beside
// it) is detected by the format registry, runs, and its description says it
// was dequantized.
func TestUploadTFLite(t *testing.T) {
	model, err := os.ReadFile("../format/tflite/testdata/tiny_int8.tflite")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{})
	body, ct := multipartFiles(t, map[string][]byte{"tiny.tflite": model, "labels.txt": []byte("cat\ndog\nbird\n")}, "labels.txt", "tiny.tflite")
	a := added(t, do(t, s, "POST", "/api/models", body, ct))
	if m := a.Model; m.Format != "tflite" || !m.Runnable || m.Classes != 3 || !slices.Equal(m.Input, []int{3, 8, 8}) {
		t.Fatalf("uploaded model %+v", m)
	}
	var d struct {
		Notes  []string `json:"notes"`
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(do(t, s, "GET", "/api/models/"+a.Model.ID, nil, "").Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Notes, []string{graph.NoteDequantized}) || !slices.Equal(d.Labels, []string{"cat", "dog", "bird"}) {
		t.Errorf("notes %q, labels %q", d.Notes, d.Labels)
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{255, 255, 255, 255})
	var pb bytes.Buffer
	png.Encode(&pb, img)
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/"+a.Model.ID+"/run", &pb, "image/png"))
	var sum float64
	for _, p := range r.Probabilities {
		sum += float64(p)
	}
	if len(r.Probabilities) != 3 || math.Abs(sum-1) > 1e-5 {
		t.Errorf("probabilities %v", r.Probabilities)
	}
}

// A broken .tflite upload is a 422 naming the problem, not a 500.
func TestUploadTFLiteMalformed(t *testing.T) {
	model, err := os.ReadFile("../format/tflite/testdata/tiny_int8.tflite")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{})
	for _, b := range [][]byte{model[:len(model)/2], append(append([]byte{}, model[:8]...), 0xff, 0xff, 0xff, 0x7f)} {
		body, ct := multipartFiles(t, map[string][]byte{"broken.tflite": b}, "broken.tflite")
		wantError(t, do(t, s, "POST", "/api/models", body, ct), 422, "malformed TFLite file")
	}
}
