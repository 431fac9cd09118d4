package onnx

import (
	"math"
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

// Instance, group and layer normalisation against hand computations
// (epsilon 0 so that the values are exact).
func TestNormalizations(t *testing.T) {
	inv25 := float32(1 / math.Sqrt(2.5))
	inv23 := float32(1 / math.Sqrt(2.0/3))
	inv6 := float32(1 / math.Sqrt(17.5/6))
	for _, tc := range []struct {
		name  string
		op    string
		opset int64
		attrs []*AttributeProto
		shape []int64
		x     []float32
		inits []*TensorProto
		want  []float32
	}{
		// Channel 0 [1 3]: mean 2, var 1; channel 1 [0 4]: mean 2, var 4.
		{"instance", "InstanceNormalization", 13, nil, []int64{1, 2, 1, 2}, []float32{1, 3, 0, 4},
			[]*TensorProto{ftensor("s", []int64{2}, 2, 1), ftensor("b", []int64{2}, 0, 1)}, []float32{-2, 2, 0, 2}},
		// One group of [1 3 0 4]: mean 2, var 2.5; per-group scale 2, bias 0.5.
		{"group", "GroupNormalization", 18, []*AttributeProto{aInt("num_groups", 1)}, []int64{1, 2, 1, 2}, []float32{1, 3, 0, 4},
			[]*TensorProto{ftensor("s", []int64{1}, 2), ftensor("b", []int64{1}, 0.5)},
			[]float32{-2*inv25 + 0.5, 2*inv25 + 0.5, -4*inv25 + 0.5, 4*inv25 + 0.5}},
		// Rows [0 1 2], [3 4 5] over the last axis: var 2/3; scale [1 2 3].
		{"layer, last axis", "LayerNormalization", 17, nil, []int64{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5},
			[]*TensorProto{ftensor("s", []int64{3}, 1, 2, 3)}, []float32{-inv23, 0, 3 * inv23, -inv23, 0, 3 * inv23}},
		// Over axes 1, 2: mean 2.5, var 17.5/6; scalar scale, bias [0 1 2] broadcast.
		{"layer, broadcast", "LayerNormalization", 17, []*AttributeProto{aInt("axis", 1)}, []int64{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5},
			[]*TensorProto{ftensor("s", []int64{1}, 1), ftensor("b", []int64{3}, 0, 1, 2)},
			[]float32{-2.5 * inv6, -1.5*inv6 + 1, -0.5*inv6 + 2, 0.5 * inv6, 1.5*inv6 + 1, 2.5*inv6 + 2}},
	} {
		ins := []string{"x"}
		for _, it := range tc.inits {
			ins = append(ins, it.GetName())
		}
		attrs := append([]*AttributeProto{aFloat("epsilon", 0)}, tc.attrs...)
		m := modelSpec{opset: tc.opset, inputs: []*ValueInfoProto{fin("x", tc.shape...)}, outputs: []string{"y"}, inits: tc.inits,
			nodes: []*NodeProto{node(tc.op, ins, []string{"y"}, attrs...)}}
		g := m.load(t, Options{})
		near(t, tc.name, run(t, g, tc.x)["y"], nil, tc.want...)
	}
}
