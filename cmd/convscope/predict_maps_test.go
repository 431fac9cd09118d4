package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format/caffe"
)

// TestPredictSequenceOutput: a model whose output is a [T, C] sequence (a
// 1×1 convolution picking red and green, permuted to (y, x, channel) and
// reshaped to [64, 2]) gets a shape, statistics and the argmax per
// position, not a class table. The image's left half is red, its right half
// green: position y·8 + x has argmax 0 for x < 4 and 1 for x ≥ 4
// (computed by hand), the values are 0 and 1 (mean 0.5).
func TestPredictSequenceOutput(t *testing.T) {
	dir := t.TempDir()
	net := `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
layer { name: "p" type: "Permute" bottom: "c" top: "p" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "seq" type: "Reshape" bottom: "p" top: "seq" reshape_param { shape { dim: 0 dim: -1 dim: 2 } } }
`
	weights := &caffe.NetParameter{Layer: []*caffe.LayerParameter{{
		Name:  proto.String("c"),
		Blobs: []*caffe.BlobProto{{Shape: &caffe.BlobShape{Dim: []int64{2, 3, 1, 1}}, Data: []float32{1, 0, 0, 0, 1, 0}}},
	}}}
	bin, err := proto.Marshal(weights)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "seq.prototxt"), []byte(net), 0o644)
	os.WriteFile(filepath.Join(dir, "seq.caffemodel"), bin, 0o644)
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 4 {
				c = color.RGBA{0, 255, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	pic := filepath.Join(dir, "halves.png")
	os.WriteFile(pic, b.Bytes(), 0o644)

	var want []int
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			want = append(want, min(x/4, 1))
		}
	}
	stdout, _, err := runCLI(t, "predict", "--json", "--model", filepath.Join(dir, "seq.prototxt"), pic)
	if err != nil {
		t.Fatal(err)
	}
	var out predictOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) != 1 || out.Results[0].Output == nil || out.Results[0].Probabilities != nil {
		t.Fatalf("results %s", stdout)
	}
	o := out.Results[0].Output
	if !slices.Equal(o.Shape, []int{64, 2}) || o.Min != 0 || o.Max != 1 || o.Mean != 0.5 || !slices.Equal(o.Argmax, want) {
		t.Errorf("summary %+v", o)
	}
	if len(stdout) > 2000 {
		t.Errorf("the JSON has %d bytes", len(stdout))
	}
	stdout, _, err = runCLI(t, "predict", "--model", filepath.Join(dir, "seq.prototxt"), pic)
	if err != nil || !strings.Contains(stdout, `output "seq" 64×2: min 0, max 1, mean 0.5`) || !strings.Contains(stdout, "argmax per position (64): 0 0 0 0 1 1 1 1 0") {
		t.Errorf("text: %v\n%s", err, stdout)
	}
}
