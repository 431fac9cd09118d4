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

// Shape sub-graphs fold: Shape → Gather(Range) → Concat is a Reshape's
// target; comparisons, logic, Not, Where and Range of constants fold into
// a constant operand (values by hand); Expand broadcasts a runtime value.
func TestShapeSubgraphsFold(t *testing.T) {
	i64 := func(name string, v ...int64) *TensorProto { return itensor(name, []int64{int64(len(v))}, v...) }
	s64 := func(name string, v int64) *TensorProto { return itensor(name, nil, v) }
	reshape := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 3, 4, 4)}, outputs: []string{"y"},
		inits: []*TensorProto{s64("zero", 0), s64("two", 2), s64("one", 1), i64("minus1", -1)},
		nodes: []*NodeProto{
			node("Shape", []string{"x"}, []string{"s"}),
			node("Range", []string{"zero", "two", "one"}, []string{"r"}),
			node("Gather", []string{"s", "r"}, []string{"g"}),
			node("Concat", []string{"g", "minus1"}, []string{"target"}, aInt("axis", 0)),
			node("Reshape", []string{"x", "target"}, []string{"y"}),
		}}
	g := reshape.load(t, Options{})
	if k := kinds(g); len(k) != 1 || k[0] != "Reshape" {
		t.Errorf("kinds %v", k)
	}
	x := make([]float32, 48)
	near(t, "reshape", run(t, g, x)["y"], []int{1, 3, 16}, x...)

	// r = [0 1 2]: Where(Less(r, 1), [10 20 30], 7) = [10 7 7];
	// Not(Or(And(Equal(r, 0), GreaterOrEqual(r, 0)), LessOrEqual(r, -1))) = [0 1 1],
	// Where(that, 5, 0) = [0 5 5].
	logic := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 3)}, outputs: []string{"y"},
		inits: []*TensorProto{s64("zero", 0), s64("three", 3), s64("one", 1), s64("m1", -1),
			ftensor("tens", []int64{3}, 10, 20, 30), ftensor("seven", nil, 7), ftensor("five", nil, 5), ftensor("fzero", nil, 0)},
		nodes: []*NodeProto{
			node("Range", []string{"zero", "three", "one"}, []string{"r"}),
			node("Less", []string{"r", "one"}, []string{"lt"}),
			node("Where", []string{"lt", "tens", "seven"}, []string{"w1"}),
			node("Equal", []string{"r", "zero"}, []string{"eq"}),
			node("GreaterOrEqual", []string{"r", "zero"}, []string{"ge"}),
			node("And", []string{"eq", "ge"}, []string{"and"}),
			node("LessOrEqual", []string{"r", "m1"}, []string{"le"}),
			node("Or", []string{"and", "le"}, []string{"or"}),
			node("Not", []string{"or"}, []string{"not"}),
			node("Where", []string{"not", "five", "fzero"}, []string{"w2"}),
			node("Add", []string{"x", "w1"}, []string{"a"}),
			node("Add", []string{"a", "w2"}, []string{"y"}),
		}}
	g = logic.load(t, Options{})
	near(t, "logic", run(t, g, []float32{1, 2, 3})["y"], []int{3}, 11, 14, 15)

	expand := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 2, 1, 1)}, outputs: []string{"y"},
		inits: []*TensorProto{i64("shape", 2, 3)},
		nodes: []*NodeProto{node("Expand", []string{"x", "shape"}, []string{"y"})}}
	g = expand.load(t, Options{})
	near(t, "expand", run(t, g, []float32{1, 2})["y"], []int{1, 2, 2, 3}, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2)
}

// Nearest Resize with half-pixel coordinates and rounding (PyTorch and TF
// exports) is the floor sampling for whole factors: by the ONNX formula,
// x_out = 0..5 with scale 3 reads (x + 0.5)/3 − 0.5 = −1/3, 0, 1/3, 2/3, 1,
// 4/3, rounded: 0 0 0 1 1 1.
func TestResizeHalfPixelNearest(t *testing.T) {
	for _, tc := range []struct{ coord, mode string }{
		{"half_pixel", "round_prefer_floor"}, {"pytorch_half_pixel", "round_prefer_ceil"}, {"tf_half_pixel_for_nn", "floor"},
	} {
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 2)}, outputs: []string{"y"},
			inits: []*TensorProto{ftensor("scales", []int64{4}, 1, 1, 1, 3)},
			nodes: []*NodeProto{node("Resize", []string{"x", "", "scales"}, []string{"y"},
				aString("mode", "nearest"), aString("coordinate_transformation_mode", tc.coord), aString("nearest_mode", tc.mode))}}
		g := m.load(t, Options{})
		near(t, tc.coord, run(t, g, []float32{1, 2})["y"], []int{1, 1, 1, 6}, 1, 1, 1, 2, 2, 2)
	}
	// A factor of 1.5 is not taken for the floor sampling.
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("scales", []int64{4}, 1, 1, 1.5, 1.5)},
		nodes: []*NodeProto{node("Resize", []string{"x", "", "scales"}, []string{"y"}, aString("mode", "nearest"))}}
	if _, err := Decode(m.bytes(t), Options{}); err == nil {
		t.Error("a half-pixel nearest resize by 1.5 was accepted")
	}
}

// Nodes out of topological order (as a float16 conversion writes them: the
// input's Cast after the Conv that reads it) are imported in dependency
// order; a cycle is still reported.
func TestUnsortedNodes(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2)}, outputs: []string{"y"},
		nodes: []*NodeProto{
			node("Relu", []string{"c"}, []string{"y"}),
			node("Neg", []string{"x"}, []string{"c"}),
		}}
	g := m.load(t, Options{})
	near(t, "unsorted", run(t, g, []float32{1, -2})["y"], []int{2}, 0, 2)
	cyc := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2)}, outputs: []string{"y"},
		nodes: []*NodeProto{
			node("Add", []string{"x", "b"}, []string{"a"}),
			node("Relu", []string{"a"}, []string{"b"}),
			node("Relu", []string{"b"}, []string{"y"}),
		}}
	if _, err := Decode(cyc.bytes(t), Options{}); err == nil {
		t.Error("a cycle was accepted")
	}
}

// Slice of a runtime tensor with steps (YOLOv5's Focus: every second row
// and column; a reversal with step −1), by hand on the 4×4 ramp 0…15.
func TestSliceWithSteps(t *testing.T) {
	x := make([]float32, 16)
	for i := range x {
		x[i] = float32(i)
	}
	for _, tc := range []struct {
		name                      string
		starts, ends, axes, steps []int64
		shape                     []int
		want                      []float32
	}{
		{"even rows and columns", []int64{0, 0}, []int64{math.MaxInt64, math.MaxInt64}, []int64{2, 3}, []int64{2, 2}, []int{1, 1, 2, 2}, []float32{0, 2, 8, 10}},
		{"odd rows and columns", []int64{1, 1}, []int64{4, 4}, []int64{2, 3}, []int64{2, 2}, []int{1, 1, 2, 2}, []float32{5, 7, 13, 15}},
		{"reversed columns", []int64{-1}, []int64{math.MinInt64}, []int64{3}, []int64{-1}, []int{1, 1, 4, 4},
			[]float32{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12}},
	} {
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 4, 4)}, outputs: []string{"y"},
			inits: []*TensorProto{itensor("s", []int64{int64(len(tc.starts))}, tc.starts...), itensor("e", []int64{int64(len(tc.ends))}, tc.ends...),
				itensor("a", []int64{int64(len(tc.axes))}, tc.axes...), itensor("st", []int64{int64(len(tc.steps))}, tc.steps...)},
			nodes: []*NodeProto{node("Slice", []string{"x", "s", "e", "a", "st"}, []string{"y"})}}
		g := m.load(t, Options{})
		near(t, tc.name, run(t, g, x)["y"], tc.shape, tc.want...)
	}
}

// Gather of several constant indices of a runtime tensor, by hand on the
// 2×3 ramp: columns [2, 0, −1] and a [2, 1]-shaped index list of rows.
func TestGatherRuntime(t *testing.T) {
	x := []float32{0, 1, 2, 3, 4, 5}
	cols := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2, 3)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("i", []int64{3}, 2, 0, -1)},
		nodes: []*NodeProto{node("Gather", []string{"x", "i"}, []string{"y"}, aInt("axis", 1))}}
	near(t, "columns", run(t, cols.load(t, Options{}), x)["y"], []int{2, 3}, 2, 0, 2, 5, 3, 5)
	rows := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2, 3)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("i", []int64{2, 1}, 1, 0)},
		nodes: []*NodeProto{node("Gather", []string{"x", "i"}, []string{"y"})}}
	near(t, "rows", run(t, rows.load(t, Options{}), x)["y"], []int{2, 1, 3}, 3, 4, 5, 0, 1, 2)
}

// Linear Resize with asymmetric coordinates (TF 1 exports) reads at
// dst/scale: [0 4] doubled samples 0, 0.5, 1, 1.5 (clamped) = 0 2 4 4.
func TestResizeLinearAsymmetric(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("scales", []int64{4}, 1, 1, 1, 2)},
		nodes: []*NodeProto{node("Resize", []string{"x", "", "scales"}, []string{"y"},
			aString("mode", "linear"), aString("coordinate_transformation_mode", "asymmetric"))}}
	near(t, "asymmetric", run(t, m.load(t, Options{}), []float32{0, 4})["y"], []int{1, 1, 1, 4}, 0, 2, 4, 4)
}

// Rank-5 tensors: ShuffleNet's channel shuffle (Reshape to 5-D, Transpose,
// Reshape back) on channels [0 1 2 3] in 2 groups gives [0 2 1 3]; a
// rank-1 input takes an element-wise op.
func TestRankFiveShuffle(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 4, 1, 1)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("s5", []int64{5}, 1, 2, 2, 1, 1), itensor("s4", []int64{4}, 1, 4, 1, 1)},
		nodes: []*NodeProto{
			node("Reshape", []string{"x", "s5"}, []string{"r5"}),
			node("Transpose", []string{"r5"}, []string{"t5"}, aInts("perm", 0, 2, 1, 3, 4)),
			node("Reshape", []string{"t5", "s4"}, []string{"y"}),
		}}
	near(t, "shuffle", run(t, m.load(t, Options{}), []float32{0, 1, 2, 3})["y"], []int{1, 4, 1, 1}, 0, 2, 1, 3)
	v := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 3)}, outputs: []string{"y"},
		nodes: []*NodeProto{node("HardSwish", []string{"x"}, []string{"y"})}}
	near(t, "rank 1", run(t, v.load(t, Options{}), []float32{-4, 2, 5})["y"], []int{3}, 0, 5.0/3, 5)
}

// Gelu as PyTorch exports it before opset 20 (Div, Erf, Add, Mul, Mul)
// gives Φ(1) = 0.841345 at 1, and Exp/Log/Abs run: e, 1, 2 (by hand).
func TestErfGeluAndUnary(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("sqrt2", nil, float32(math.Sqrt2)), ftensor("one", nil, 1), ftensor("half", nil, 0.5)},
		nodes: []*NodeProto{
			node("Div", []string{"x", "sqrt2"}, []string{"d"}),
			node("Erf", []string{"d"}, []string{"e"}),
			node("Add", []string{"e", "one"}, []string{"a"}),
			node("Mul", []string{"x", "a"}, []string{"m"}),
			node("Mul", []string{"m", "half"}, []string{"y"}),
		}}
	near(t, "gelu", run(t, m.load(t, Options{}), []float32{1})["y"], []int{1}, 0.8413447460685429)
	for _, tc := range []struct {
		op      string
		x, want float32
	}{{"Exp", 1, math.E}, {"Log", math.E, 1}, {"Abs", -2, 2}} {
		u := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
			nodes: []*NodeProto{node(tc.op, []string{"x"}, []string{"y"})}}
		near(t, tc.op, run(t, u.load(t, Options{}), []float32{tc.x})["y"], []int{1}, tc.want)
	}
}

// DepthToSpace (CRD: PyTorch's pixel shuffle; DCR) and SpaceToDepth by the
// ONNX definitions, by hand on 0…7: CRD keeps channel-major order
// [0…7], DCR interleaves [0 2 4 6 1 3 5 7]; SpaceToDepth of a 2×2×2 map
// gives [0 4 1 5 2 6 3 7].
func TestDepthToSpace(t *testing.T) {
	x := []float32{0, 1, 2, 3, 4, 5, 6, 7}
	for _, tc := range []struct {
		op, mode string
		in, out  []int64
		want     []float32
	}{
		{"DepthToSpace", "CRD", []int64{1, 8, 1, 1}, []int64{1, 2, 2, 2}, []float32{0, 1, 2, 3, 4, 5, 6, 7}},
		{"DepthToSpace", "DCR", []int64{1, 8, 1, 1}, []int64{1, 2, 2, 2}, []float32{0, 2, 4, 6, 1, 3, 5, 7}},
		{"SpaceToDepth", "", []int64{1, 2, 2, 2}, []int64{1, 8, 1, 1}, []float32{0, 4, 1, 5, 2, 6, 3, 7}},
	} {
		attrs := []*AttributeProto{aInt("blocksize", 2)}
		if tc.mode != "" {
			attrs = append(attrs, aString("mode", tc.mode))
		}
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", tc.in...)}, outputs: []string{"y"},
			nodes: []*NodeProto{node(tc.op, []string{"x"}, []string{"y"}, attrs...)}}
		shape := make([]int, len(tc.out))
		for i, d := range tc.out {
			shape[i] = int(d)
		}
		near(t, tc.op+" "+tc.mode, run(t, m.load(t, Options{}), x)["y"], shape, tc.want...)
	}
}

// DepthToSpace on the ONNX operator documentation's example: x[0, c, h, w]
// = 9c + 3h + w of shape 1×8×2×3, both modes, outputs copied from the
// documentation (onnx/docs/Operators.md, DepthToSpace, examples dcr and crd).
func TestDepthToSpaceDocExample(t *testing.T) {
	x := make([]float32, 48)
	for c := range 8 {
		for h := range 2 {
			for w := range 3 {
				x[c*6+h*3+w] = float32(9*c + 3*h + w)
			}
		}
	}
	for mode, want := range map[string][]float32{
		"DCR": {0, 18, 1, 19, 2, 20, 36, 54, 37, 55, 38, 56, 3, 21, 4, 22, 5, 23, 39, 57, 40, 58, 41, 59,
			9, 27, 10, 28, 11, 29, 45, 63, 46, 64, 47, 65, 12, 30, 13, 31, 14, 32, 48, 66, 49, 67, 50, 68},
		"CRD": {0, 9, 1, 10, 2, 11, 18, 27, 19, 28, 20, 29, 3, 12, 4, 13, 5, 14, 21, 30, 22, 31, 23, 32,
			36, 45, 37, 46, 38, 47, 54, 63, 55, 64, 56, 65, 39, 48, 40, 49, 41, 50, 57, 66, 58, 67, 59, 68},
	} {
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 8, 2, 3)}, outputs: []string{"y"},
			nodes: []*NodeProto{node("DepthToSpace", []string{"x"}, []string{"y"}, aInt("blocksize", 2), aString("mode", mode))}}
		near(t, mode, run(t, m.load(t, Options{}), x)["y"], []int{1, 2, 4, 6}, want...)
	}
}
