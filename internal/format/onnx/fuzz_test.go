package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

// FuzzLoad feeds arbitrary bytes to the importer: it must return a graph
// or an error, never panic, and never allocate more than its budget.
func FuzzLoad(f *testing.F) {
	var seeds [][]byte
	for _, m := range fuzzModels() {
		seeds = append(seeds, m.bytes(f))
	}
	// A few reference models, when the data is there (the fuzz target runs
	// without it too).
	ref := testref.Optional(f, "onnx")
	for _, p := range []string{
		"node/test_conv_with_strides_padding/model.onnx",
		"node/test_gemm_all_attributes/model.onnx",
		"node/test_reshape_negative_dim/model.onnx",
		"node/test_softmax_axis_1/model.onnx",
		"pytorch-converted/test_ConvTranspose2d/model.onnx",
		"pytorch-converted/test_PReLU_1d_multiparam/model.onnx",
		"light/light_squeezenet.onnx",
	} {
		if b, err := os.ReadFile(filepath.Join(ref, p)); ref != "" && err == nil {
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)/2]) // truncated
		if len(s) > 40 {
			g := append([]byte(nil), s...)
			g[len(g)/3] ^= 0xff // one corrupted byte
			f.Add(g)
		}
	}
	f.Add([]byte{})
	f.Add([]byte("\x08\x07\x3a\xff\xff\xff\xff\x0f"))
	f.Add([]byte("garbage that is not a protobuf \x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Decode(data, Options{MaxElems: 1 << 22})
		if err != nil {
			if g != nil {
				t.Fatal("a graph and an error")
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("imported graph does not validate: %v", err)
		}
		if _, err := g.InferShapes(1); err != nil {
			t.Fatalf("imported graph has no shapes: %v", err)
		}
	})
}

// fuzzModels are small models touching many converters.
func fuzzModels() []modelSpec {
	return []modelSpec{
		{opset: 11, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 2)}, outputs: []string{"y"},
			inits: []*TensorProto{
				itensor("wshape", []int64{4}, 2, 1, 1, 1), itensor("zero", nil, 0), itensor("minus1", []int64{1}, -1),
			},
			nodes: []*NodeProto{
				node("ConstantOfShape", []string{"wshape"}, []string{"w"}, aTensor("value", ftensor("", []int64{1}, .5))),
				node("Conv", []string{"x", "w"}, []string{"c"}),
				node("Shape", []string{"c"}, []string{"s"}),
				node("Gather", []string{"s", "zero"}, []string{"n"}),
				node("Unsqueeze", []string{"n"}, []string{"n1"}, aInts("axes", 0)),
				node("Concat", []string{"n1", "minus1"}, []string{"shape"}, aInt("axis", 0)),
				node("Reshape", []string{"c", "shape"}, []string{"y"}),
			}},
		{opset: 13, inputs: []*ValueInfoProto{fin("a", 2, 3)}, outputs: []string{"y"},
			inits: []*TensorProto{rawFloats("b", []int64{3, 2}, 1, 2, 3, 4, 5, 6), ftensor("c", []int64{2}, 1, 2)},
			nodes: []*NodeProto{
				node("Gemm", []string{"a", "b", "c"}, []string{"g"}, aFloat("alpha", 2), aInt("transA", 0)),
				node("Softmax", []string{"g"}, []string{"y"}, aInt("axis", 1)),
			}},
		{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 2, 4, 4)}, outputs: []string{"y", "p"},
			inits: []*TensorProto{itensor("pads", []int64{8}, 0, 0, 1, 1, 0, 0, 1, 1), ftensor("s", []int64{2, 1, 1}, .1, .2)},
			nodes: []*NodeProto{
				node("Pad", []string{"x", "pads"}, []string{"pd"}, aString("mode", "reflect")),
				node("MaxPool", []string{"pd"}, []string{"mp"}, aInts("kernel_shape", 3, 3), aInts("strides", 2, 2), aInt("ceil_mode", 1)),
				node("PRelu", []string{"mp", "s"}, []string{"y"}),
				node("GlobalAveragePool", []string{"x"}, []string{"p"}),
			}},
	}
}
