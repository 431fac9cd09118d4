package caffe

import (
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// SSD's Normalize against hand computations: per position over the
// channels (c0 = [3 0], c1 = [4 1]: norms 5 and 1) with a scale per
// channel [2 10]; and over the whole image (norm √26) with a shared scale.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		param string
		scale []float32
		want  []float32
	}{
		{"norm_param { across_spatial: false channel_shared: false }", []float32{2, 10}, []float32{1.2, 0, 8, 10}},
		{"", []float32{2}, []float32{6 / float32(math.Sqrt(26)), 0, 8 / float32(math.Sqrt(26)), 2 / float32(math.Sqrt(26))}},
	} {
		text := `input: "x" input_shape { dim: 1 dim: 2 dim: 1 dim: 2 }
layer { name: "n" type: "Normalize" bottom: "x" top: "n" ` + tc.param + ` }`
		w := &NetParameter{Layer: []*LayerParameter{{Name: proto.String("n"),
			Blobs: []*BlobProto{{Shape: &BlobShape{Dim: []int64{int64(len(tc.scale))}}, Data: tc.scale}}}}}
		bin, err := proto.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse([]byte(text), bin)
		if err != nil {
			t.Fatal(err)
		}
		p, err := engine.Compile(g, 1)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := p.Run([]float32{3, 0, 4, 1})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals["n"].Data {
			if math.Abs(float64(v-tc.want[i])) > 1e-6 {
				t.Fatalf("%q: got %v, want %v", tc.param, vals["n"].Data, tc.want)
			}
		}
	}
}

// An SSD head: PriorBox (min 30, max 60, aspect ratio 2 flipped: ratios 1,
// 2, 1/2 and the max box = 4 priors per position of a 3×3 map: 144
// coordinates) and DetectionOutput (keep_top_k 200) infer their shapes; the
// analysis counts Normalize's scale from the structure alone.
func TestSSDShapes(t *testing.T) {
	text := `input: "data" input_shape { dim: 1 dim: 3 dim: 300 dim: 300 }
input: "feat" input_shape { dim: 1 dim: 4 dim: 3 dim: 3 }
layer { name: "norm" type: "Normalize" bottom: "feat" top: "norm" norm_param { across_spatial: false channel_shared: false } }
layer { name: "loc" type: "Convolution" bottom: "norm" top: "loc" convolution_param { num_output: 16 kernel_size: 1 } }
layer { name: "loc_flat" type: "Flatten" bottom: "loc" top: "loc_flat" }
layer { name: "conf" type: "Convolution" bottom: "norm" top: "conf" convolution_param { num_output: 84 kernel_size: 1 } }
layer { name: "conf_flat" type: "Flatten" bottom: "conf" top: "conf_flat" }
layer { name: "prior" type: "PriorBox" bottom: "norm" bottom: "data" top: "prior"
  prior_box_param { min_size: 30 max_size: 60 aspect_ratio: 2 flip: true clip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 step: 100 } }
layer { name: "det" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_flat" bottom: "prior" top: "det"
  detection_output_param { num_classes: 21 share_location: true background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 400 } keep_top_k: 200 confidence_threshold: 0.01 } }`
	g, err := Parse([]byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		t.Fatal(err)
	}
	if !shapes["prior"].Equal(graph.Shape{1, 2, 144}) || !shapes["det"].Equal(graph.Shape{1, 1, 200, 7}) {
		t.Errorf("prior %v, det %v", shapes["prior"], shapes["det"])
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	// norm 4 + loc 4·16 + 16 + conf 4·84 + 84.
	if r.Params != 4+80+420 {
		t.Errorf("params %d", r.Params)
	}
}
