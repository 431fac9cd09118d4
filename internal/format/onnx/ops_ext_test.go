package onnx

import (
	"testing"
)

// The ONNX activations added for real exports map to the IR's functions
// (values by hand, as in the engine's test: HardSwish(2) = 5/3,
// Gelu(1) = Φ(1), its tanh form 0.841192, Mish(1), Softsign(−3) = −0.75).
func TestExtendedActivationImport(t *testing.T) {
	for _, tc := range []struct {
		op    string
		attrs []*AttributeProto
		x     float32
		want  float32
	}{
		{"HardSwish", nil, 2, 5.0 / 3},
		{"Gelu", nil, 1, 0.8413447460685429},
		{"Gelu", []*AttributeProto{aString("approximate", "tanh")}, 1, 0.8411919906082768},
		{"Mish", nil, 1, 0.8650983882673103},
		{"Softsign", nil, -3, -0.75},
	} {
		m := modelSpec{opset: 20, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
			nodes: []*NodeProto{node(tc.op, []string{"x"}, []string{"y"}, tc.attrs...)}}
		g := m.load(t, Options{})
		near(t, tc.op, run(t, g, []float32{tc.x})["y"], []int{1}, tc.want)
	}
	m := modelSpec{opset: 20, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
		nodes: []*NodeProto{node("Gelu", []string{"x"}, []string{"y"}, aString("approximate", "fast"))}}
	if _, err := Decode(m.bytes(t), Options{}); err == nil {
		t.Error("Gelu approximate fast accepted")
	}
}
