package onnx

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/analyze"
)

// u8tensor is a uint8 tensor (ONNX stores 8-bit values in int32_data).
func u8tensor(name string, dims []int64, v ...int32) *TensorProto {
	return &TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(TensorProto_UINT8)), Int32Data: v}
}

// DynamicQuantizeLinear on the three examples of the ONNX operator
// documentation (onnx/docs/Operators.md: a range across 0, an all-negative
// and an all-positive input), outputs as documented.
func TestDynamicQuantizeLinearDocExamples(t *testing.T) {
	for _, tc := range []struct {
		x           []float32
		shape       []int
		scale, zero float32
		y           []float32
	}{
		{[]float32{0, 2, -3, -2.5, 1.34, 0.5}, []int{6}, 0.0196078438, 153, []float32{153, 255, 0, 26, 221, 179}},
		{[]float32{-1, -2.1, -1.3, -2.5, -3.34, -4}, []int{6}, 0.0156862754, 255, []float32{191, 121, 172, 96, 42, 0}},
		{[]float32{1, 2.1, 1.3, 2.5, 3.34, 4, 1.5, 2.6, 3.9, 4, 3, 2.345}, []int{3, 4}, 0.0156862754, 0,
			[]float32{64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149}},
	} {
		dims := make([]int64, len(tc.shape))
		for i, d := range tc.shape {
			dims[i] = int64(d)
		}
		m := modelSpec{opset: 11, inputs: []*ValueInfoProto{fin("x", dims...)}, outputs: []string{"y", "y_scale", "y_zero_point"},
			nodes: []*NodeProto{node("DynamicQuantizeLinear", []string{"x"}, []string{"y", "y_scale", "y_zero_point"})}}
		out := run(t, m.load(t, Options{}), tc.x)
		near(t, "y", out["y"], tc.shape, tc.y...)
		near(t, "y_scale", out["y_scale"], []int{}, tc.scale)
		near(t, "y_zero_point", out["y_zero_point"], []int{}, tc.zero)
	}
}

// ConvInteger on the ONNX documentation's examples: x = 2…10 (3×3) with
// zero point 1 and a 2×2 kernel of ones, without and with padding 1 (the
// padding is of x − zero point, so it adds nothing); then a per-channel
// weight zero point and a zero point from DynamicQuantizeLinear, by hand.
func TestConvIntegerDocExamples(t *testing.T) {
	x := []float32{2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		name  string
		pads  []int64
		shape []int
		want  []float32
	}{
		{"no padding", nil, []int{1, 1, 2, 2}, []float32{12, 16, 24, 28}},
		{"padding", []int64{1, 1, 1, 1}, []int{1, 1, 4, 4}, []float32{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}},
	} {
		var attrs []*AttributeProto
		if tc.pads != nil {
			attrs = append(attrs, aInts("pads", tc.pads...))
		}
		m := modelSpec{opset: 10, inputs: []*ValueInfoProto{vi("x", TensorProto_UINT8, 1, 1, 3, 3)}, outputs: []string{"y"},
			inits: []*TensorProto{u8tensor("w", []int64{1, 1, 2, 2}, 1, 1, 1, 1), u8tensor("x_zero_point", nil, 1)},
			nodes: []*NodeProto{node("ConvInteger", []string{"x", "w", "x_zero_point"}, []string{"y"}, attrs...)}}
		near(t, tc.name, run(t, m.load(t, Options{}), x)["y"], tc.shape, tc.want...)
	}
	// Two output channels, weight zero points [1, 3], weights 1×1: channel
	// 0 is (x − zx)·(4 − 1), channel 1 (x − zx)·(4 − 3). x = [0, 2, −3,
	// −2.5, 1.34, 0.5] quantized as in the first documentation example
	// (zero point 153): y = [153 255 0 26 221 179] − 153.
	m := modelSpec{opset: 11, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 3)}, outputs: []string{"y"},
		inits: []*TensorProto{u8tensor("w", []int64{2, 1, 1, 1}, 4, 4), u8tensor("wz", []int64{2}, 1, 3)},
		nodes: []*NodeProto{
			node("DynamicQuantizeLinear", []string{"x"}, []string{"q", "s", "z"}),
			node("ConvInteger", []string{"q", "w", "z", "wz"}, []string{"y"}),
		}}
	d := []float32{0, 102, -153, -127, 68, 26}
	want := make([]float32, 0, 12)
	for _, f := range []float32{3, 1} {
		for _, v := range d {
			want = append(want, v*f)
		}
	}
	near(t, "per-channel", run(t, m.load(t, Options{}), []float32{0, 2, -3, -2.5, 1.34, 0.5})["y"], []int{1, 2, 2, 3}, want...)
}

// The bias of a one-channel convolution in a quantized export is a stored
// one-element tensor reshaped to [1, 1, 1, 1] and added: a weight, counted
// (as the float model's Conv bias is), unlike a scalar Add operand.
func TestReshapedScalarBiasIsAParameter(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 2)}, outputs: []string{"y", "z"},
		inits: []*TensorProto{ftensor("b", []int64{1}, 0.5), itensor("shape", []int64{4}, 1, 1, 1, 1), ftensor("s", nil, 2)},
		nodes: []*NodeProto{
			node("Reshape", []string{"b", "shape"}, []string{"rb"}),
			node("Add", []string{"x", "rb"}, []string{"y"}),
			node("Mul", []string{"y", "s"}, []string{"z"}),
		}}
	g := m.load(t, Options{})
	r, err := analyze.Analyze(g)
	if err != nil || r.Params != 1 || r.ParamBytes != 4 {
		t.Errorf("params %d (%d bytes), want 1 (the bias; the scalar 2 is an attribute): %v", r.Params, r.ParamBytes, err)
	}
	out := run(t, g, []float32{1, -1})
	near(t, "y", out["y"], []int{1, 1, 1, 2}, 1.5, -0.5)
	near(t, "z", out["z"], []int{1, 1, 1, 2}, 3, -1)
}

// QuantizeLinear and DequantizeLinear on the ONNX documentation's
// examples, at run time (per tensor) and folded from constants (per axis):
// quantize x = [0 2 3 1000 −254 −1000] with scale 2 and zero point 128 to
// [128 129 130 255 1 0] (3/2 rounds half to even); dequantize [0 3 128
// 255] with the same to [−256 −250 0 254]; per axis (axis 1, scales
// [2 4 5], zero points [84 24 196]) y = (x − zero)·scale by hand.
func TestQuantizeDequantizeLinear(t *testing.T) {
	inits := []*TensorProto{ftensor("s", nil, 2), u8tensor("z", nil, 128)}
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 6)}, outputs: []string{"y"}, inits: inits,
		nodes: []*NodeProto{node("QuantizeLinear", []string{"x", "s", "z"}, []string{"y"})}}
	near(t, "quantize", run(t, m.load(t, Options{}), []float32{0, 2, 3, 1000, -254, -1000})["y"], []int{6}, 128, 129, 130, 255, 1, 0)

	m = modelSpec{opset: 13, inputs: []*ValueInfoProto{vi("x", TensorProto_UINT8, 4)}, outputs: []string{"y"}, inits: inits,
		nodes: []*NodeProto{node("DequantizeLinear", []string{"x", "s", "z"}, []string{"y"})}}
	near(t, "dequantize", run(t, m.load(t, Options{}), []float32{0, 3, 128, 255})["y"], []int{4}, -256, -250, 0, 254)

	// Per axis, folded: the dequantized constant is added to a zero input.
	q := []int32{3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102}
	sc, zp := []float32{2, 4, 5}, []float32{84, 24, 196}
	want := make([]float32, len(q))
	for i, v := range q {
		c := i / 6
		want[i] = (float32(v) - zp[c]) * sc[c]
	}
	m = modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 3, 3, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{u8tensor("q", []int64{1, 3, 3, 2}, q...), ftensor("s", []int64{3}, sc...), u8tensor("z", []int64{3}, 84, 24, 196)},
		nodes: []*NodeProto{
			node("DequantizeLinear", []string{"q", "s", "z"}, []string{"w"}, aInt("axis", 1)),
			node("Add", []string{"x", "w"}, []string{"y"}),
		}}
	near(t, "dequantize per axis", run(t, m.load(t, Options{}), make([]float32, 18))["y"], []int{1, 3, 3, 2}, want...)
	if want[0] != -162 || want[17] != -470 {
		t.Fatalf("hand values %v", want) // the documentation's first and last outputs
	}
}

// MatMulInteger on the ONNX documentation's example (A 4×3 with zero point
// 12, B 3×2, no B zero point), as a Dense layer (A a matrix) and as a
// MatMul (A of rank 3), and with a per-column B zero point by hand.
func TestMatMulIntegerDocExample(t *testing.T) {
	a := []float32{11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}
	want := []float32{-38, -83, -44, -98, -50, -113, -56, -128}
	for _, shape := range [][]int64{{4, 3}, {1, 4, 3}} {
		out := []int{4, 2}
		if len(shape) == 3 {
			out = []int{1, 4, 2}
		}
		m := modelSpec{opset: 10, inputs: []*ValueInfoProto{vi("a", TensorProto_UINT8, shape...)}, outputs: []string{"y"},
			inits: []*TensorProto{u8tensor("b", []int64{3, 2}, 1, 4, 2, 5, 3, 6), u8tensor("az", nil, 12)},
			nodes: []*NodeProto{node("MatMulInteger", []string{"a", "b", "az"}, []string{"y"})}}
		near(t, fmt.Sprint(shape), run(t, m.load(t, Options{}), a)["y"], out, want...)
	}
	// B zero points [1, 4] per column: B − zero = [[0 0] [1 1] [2 2]], so
	// each row gives (a1 − 12) + 2·(a2 − 12) in both columns.
	m := modelSpec{opset: 10, inputs: []*ValueInfoProto{vi("a", TensorProto_UINT8, 4, 3)}, outputs: []string{"y"},
		inits: []*TensorProto{u8tensor("b", []int64{3, 2}, 1, 4, 2, 5, 3, 6), u8tensor("az", nil, 12), u8tensor("bz", []int64{2}, 1, 4)},
		nodes: []*NodeProto{node("MatMulInteger", []string{"a", "b", "az", "bz"}, []string{"y"})}}
	near(t, "per column", run(t, m.load(t, Options{}), a)["y"], []int{4, 2}, -23, -23, -26, -26, -29, -29, -32, -32)
}
