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

// Reductions over any axes of a rank-3 tensor (a text recogniser's
// sequence), against hand computations on x = [[0 1 2] [3 4 5]] (shape
// [1, 2, 3]).
func TestReduceAnyAxes(t *testing.T) {
	x := []float32{0, 1, 2, 3, 4, 5}
	for _, tc := range []struct {
		name   string
		op     string
		opset  int64
		attrs  []*AttributeProto
		axes   []int64 // as an input (ReduceSum from 13, all from 18)
		xshift float32
		shape  []int
		want   []float32
	}{
		{"mean over the last axis", "ReduceMean", 13, []*AttributeProto{aInts("axes", -1)}, nil, 0, []int{1, 2, 1}, []float32{1, 4}},
		{"mean, opset 18 axes input", "ReduceMean", 18, []*AttributeProto{aInt("keepdims", 0)}, []int64{2}, 0, []int{1, 2}, []float32{1, 4}},
		{"sum axes input", "ReduceSum", 13, []*AttributeProto{aInt("keepdims", 0)}, []int64{1}, 0, []int{1, 3}, []float32{3, 5, 7}},
		{"max over two axes", "ReduceMax", 13, []*AttributeProto{aInts("axes", 0, 2)}, nil, 0, []int{1, 2, 1}, []float32{2, 5}},
		{"min", "ReduceMin", 13, []*AttributeProto{aInts("axes", 2), aInt("keepdims", 0)}, nil, 0, []int{1, 2}, []float32{0, 3}},
		{"prod", "ReduceProd", 13, []*AttributeProto{aInts("axes", 1)}, nil, 0, []int{1, 1, 3}, []float32{0, 4, 10}},
		{"l2 over everything", "ReduceL2", 13, []*AttributeProto{aInt("keepdims", 0)}, nil, 0, []int{}, []float32{7.416198487095663}},
		{"l1", "ReduceL1", 13, []*AttributeProto{aInts("axes", -1)}, nil, -3, []int{1, 2, 1}, []float32{6, 3}},
		{"sum square", "ReduceSumSquare", 13, []*AttributeProto{aInts("axes", 2)}, nil, 0, []int{1, 2, 1}, []float32{5, 50}},
		{"log-sum-exp", "ReduceLogSumExp", 13, []*AttributeProto{aInts("axes", 2)}, nil, 0, []int{1, 2, 1}, []float32{2.4076059644443806, 5.4076059644443806}},
	} {
		ins := []string{"x"}
		var inits []*TensorProto
		if tc.axes != nil {
			ins = append(ins, "axes")
			inits = append(inits, itensor("axes", []int64{int64(len(tc.axes))}, tc.axes...))
		}
		m := modelSpec{opset: tc.opset, inputs: []*ValueInfoProto{fin("x", 1, 2, 3)}, outputs: []string{"y"}, inits: inits,
			nodes: []*NodeProto{node(tc.op, ins, []string{"y"}, tc.attrs...)}}
		g := m.load(t, Options{})
		in := make([]float32, len(x))
		for i, v := range x {
			in[i] = v + tc.xshift
		}
		near(t, tc.name, run(t, g, in)["y"], tc.shape, tc.want...)
	}
}
