package tfjs_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// graphExpected is testdata/graph/<case>/expected.json: TF.js 4.22's
// outputs (loadGraphModel, wasm backend) for the case's model and input,
// written by testdata/graph/gen.mjs.
type graphExpected struct {
	Framework string `json:"framework"`
	Input     struct {
		Shape []int     `json:"shape"` // NHWC
		Data  []float32 `json:"data"`
	} `json:"input"`
	Outputs []struct {
		Name  string    `json:"name"`
		Shape []int     `json:"shape"`
		Data  []float32 `json:"data"`
	} `json:"outputs"`
}

// TestGraphModelParity runs the graph models of testdata/graph (every op
// the importer converts: fused convolutions with uint8 and float16
// weights, depthwise, pools, Pad, batch norm, Prelu, Mean, MatMul, folded
// Shape/StridedSlice/Pack, Reshape between maps and vectors, Transpose,
// ConcatV2, ResizeBilinear, element-wise ops) and compares every output
// with TF.js's.
func TestGraphModelParity(t *testing.T) {
	for _, name := range []string{"convs", "head", "layout", "classifier", "resize", "atrous", "hardswish"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "graph", name)
			var want graphExpected
			b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			g, _, err := format.Open(filepath.Join(dir, "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := engine.Compile(g, 1)
			if err != nil {
				t.Fatal(err)
			}
			s := want.Input.Shape
			x := nhwcToNCHW(want.Input.Data, s[1], s[2], s[3])
			vals, err := p.Run(x)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Outputs) != len(want.Outputs) {
				t.Fatalf("outputs %q, TF.js has %d", g.Outputs, len(want.Outputs))
			}
			for i, o := range want.Outputs {
				got := vals[g.Outputs[i]]
				shape, data := graph.Shape(got.Shape), got.Data
				if len(shape) == 4 {
					shape = graph.Shape{shape[0], shape[2], shape[3], shape[1]}
					data = nchwToNHWC(data, got.Shape[1], got.Shape[2], got.Shape[3])
				}
				if !shape.Equal(o.Shape) {
					t.Fatalf("output %q: shape %v, TF.js %v", g.Outputs[i], shape, o.Shape)
				}
				var diff, scale float64
				for k, w := range o.Data {
					diff = max(diff, math.Abs(float64(data[k]-w)))
					scale = max(scale, math.Abs(float64(w)))
				}
				if rel := diff / scale; !(rel <= 1e-5) {
					t.Errorf("output %q differs from %s by %.3g relative (max |diff| %.3g)", g.Outputs[i], want.Framework, rel, diff)
				} else {
					t.Logf("output %q: %.2g relative to %s", g.Outputs[i], rel, want.Framework)
				}
			}
		})
	}
}

// TestGraphModelStructure checks what the importer makes of the cases:
// fused ops become a layer and its activation, a BiasAdd after a
// convolution its bias, Mean over H and W a global pool, the folded
// Shape/StridedSlice/Pack nothing, a Reshape of a map to a vector
// Keras's channels-last Flatten, relu6(x + 3)·(1/6) a HardSigmoid and x
// times it a HardSwish; names are the TF scopes.
func TestGraphModelStructure(t *testing.T) {
	kinds := func(name string) string {
		g, _, err := format.Open(filepath.Join("testdata", "graph", name, "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, n := range g.Nodes {
			s = append(s, n.Name+":"+n.Op.Kind())
		}
		return strings.Join(s, " ")
	}
	for name, want := range map[string]string{
		"convs":     "stem:Conv stem_relu6:Relu6 dw:Conv dw_relu:Relu pw/Conv2D:Conv block:Add pool:MaxPool pool2:AveragePool",
		"head":      "pad:Pad c:Conv bn:BatchNorm act:PRelu gap_pool:GlobalAveragePool gap:Flatten fc/BiasAdd:Dense fc/Softmax:Softmax",
		"hardswish": "c:Conv hs/multiply:HardSwish se/Mean:GlobalAveragePool se/Conv2D:Conv se/mul:HardSigmoid se/excite:Mul",
		"layout":    "flat/Reshape:Flatten dense:Dense map_nhwc:Reshape map:Transpose tr:Transpose cat/extra:Constant cat:Concat up:Resize sc/mul/y:Constant sc/mul:Mul sc/sub/y:Constant sc/sub:Sub sc/Tanh:Tanh sc/max:Constant sc/Maximum:Max r/Mean:GlobalAveragePool r/Squeeze:Reshape r/ExpandDims:Reshape",
	} {
		if got := kinds(name); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func nhwcToNCHW(x []float32, h, w, c int) []float32 {
	out := make([]float32, len(x))
	for i := 0; i < h*w; i++ {
		for ch := 0; ch < c; ch++ {
			out[ch*h*w+i] = x[i*c+ch]
		}
	}
	return out
}

func nchwToNHWC(x []float32, c, h, w int) []float32 {
	out := make([]float32, len(x))
	for ch := 0; ch < c; ch++ {
		for i := 0; i < h*w; i++ {
			out[i*c+ch] = x[ch*h*w+i]
		}
	}
	return out
}
