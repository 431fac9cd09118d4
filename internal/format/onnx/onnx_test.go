package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

func TestSoftmaxOpsets(t *testing.T) {
	l2, l3, l4 := float32(math.Log(2)), float32(math.Log(3)), float32(math.Log(4))
	x := []float32{0, 0, 0, 0, 0, l2, l3, l4}
	for _, tc := range []struct {
		opset int64
		kinds []string
		want  []float32
	}{
		// Before opset 13: normalised over everything from axis 1 on.
		{11, []string{"Reshape", "Softmax", "Reshape"}, []float32{.25, .25, .25, .25, .1, .2, .3, .4}},
		// From opset 13: over axis 1 alone.
		{13, []string{"Softmax"}, []float32{.5, .5, .5, .5, 1. / 4, 2. / 6, 3. / 4, 4. / 6}},
	} {
		m := modelSpec{opset: tc.opset, inputs: []*ValueInfoProto{fin("x", 2, 2, 2)}, outputs: []string{"y"},
			nodes: []*NodeProto{node("Softmax", []string{"x"}, []string{"y"}, aInt("axis", 1))}}
		g := m.load(t, Options{})
		if k := kinds(g); !slices.Equal(k, tc.kinds) {
			t.Errorf("opset %d: nodes %v, want %v", tc.opset, k, tc.kinds)
		}
		near(t, "softmax", run(t, g, x)["y"], []int{2, 2, 2}, tc.want...)
	}
}

func TestGemm(t *testing.T) {
	a := seq(6) // [2, 3]
	b := []float32{1, 0, 0, 1, 1, 1}
	bT := []float32{1, 0, 1, 0, 1, 1}
	for _, tc := range []struct {
		name  string
		nodes []*NodeProto
		ins   []*ValueInfoProto
		inits []*TensorProto
		feeds [][]float32
		kinds []string
		want  []float32
	}{
		{"constant B becomes Dense with alpha and beta·C as bias",
			[]*NodeProto{node("Gemm", []string{"a", "b", "c"}, []string{"y"}, aFloat("alpha", 2), aFloat("beta", .5))},
			[]*ValueInfoProto{fin("a", 2, 3)},
			[]*TensorProto{ftensor("b", []int64{3, 2}, b...), ftensor("c", []int64{2}, 10, 20)},
			[][]float32{a}, []string{"Dense"}, []float32{13, 20, 25, 32}},
		{"transB",
			[]*NodeProto{node("Gemm", []string{"a", "b"}, []string{"y"}, aInt("transB", 1))},
			[]*ValueInfoProto{fin("a", 2, 3)},
			[]*TensorProto{ftensor("b", []int64{2, 3}, bT...)},
			[][]float32{a}, []string{"Dense"}, []float32{4, 5, 10, 11}},
		{"matrix C is added after the Dense layer",
			[]*NodeProto{node("Gemm", []string{"a", "b", "c"}, []string{"y"})},
			[]*ValueInfoProto{fin("a", 2, 3)},
			[]*TensorProto{ftensor("b", []int64{3, 2}, b...), ftensor("c", []int64{2, 2}, 1, 2, 3, 4)},
			[][]float32{a}, []string{"Dense", "Constant", "Add"}, []float32{5, 7, 13, 15}},
		{"runtime B is a MatMul",
			[]*NodeProto{node("Gemm", []string{"a", "b"}, []string{"y"}, aFloat("alpha", 2))},
			[]*ValueInfoProto{fin("a", 2, 3), fin("b", 3, 2)}, nil,
			[][]float32{a, b}, []string{"MatMul", "Constant", "Mul"}, []float32{8, 10, 20, 22}},
		{"transA on a runtime A",
			[]*NodeProto{node("Gemm", []string{"a", "b"}, []string{"y"}, aInt("transA", 1))},
			[]*ValueInfoProto{fin("a", 3, 2)},
			[]*TensorProto{ftensor("b", []int64{3, 2}, b...)},
			[][]float32{{1, 4, 2, 5, 3, 6}}, []string{"Transpose", "Dense"}, []float32{4, 5, 10, 11}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := modelSpec{opset: 13, nodes: tc.nodes, inputs: tc.ins, inits: tc.inits, outputs: []string{"y"}}
			g := m.load(t, Options{})
			k := kinds(g)
			slices.Sort(k)
			want := slices.Clone(tc.kinds)
			slices.Sort(want)
			if !slices.Equal(k, want) {
				t.Errorf("nodes %v, want %v", kinds(g), tc.kinds)
			}
			near(t, "y", run(t, g, tc.feeds...)["y"], []int{2, 2}, tc.want...)
		})
	}
}

func TestOneDimensionalWindows(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 5)}, outputs: []string{"c", "p"},
		inits: []*TensorProto{ftensor("w", []int64{1, 1, 3}, 1, 1, 1)},
		nodes: []*NodeProto{
			node("Conv", []string{"x", "w"}, []string{"c"}, aInts("pads", 1, 1)),
			node("MaxPool", []string{"x"}, []string{"p"}, aInts("kernel_shape", 2), aInts("strides", 2)),
		}}
	out := run(t, m.load(t, Options{}), []float32{1, 3, 2, 5, 4})
	near(t, "conv1d", out["c"], []int{1, 1, 5}, 4, 6, 10, 11, 9)
	near(t, "maxpool1d", out["p"], []int{1, 1, 2}, 3, 5)
}

func TestFoldingShapeChainsAndGeneratedWeights(t *testing.T) {
	// PyTorch's x.view(x.size(0), -1) and weights made by ConstantOfShape.
	m := modelSpec{opset: 11, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{
			itensor("wshape", []int64{4}, 2, 1, 1, 1), itensor("bshape", []int64{1}, 2),
			itensor("zero", nil, 0), itensor("minus1", []int64{1}, -1),
		},
		nodes: []*NodeProto{
			node("ConstantOfShape", []string{"wshape"}, []string{"w"}, aTensor("value", ftensor("", []int64{1}, .5))),
			node("ConstantOfShape", []string{"bshape"}, []string{"b"}),
			node("Conv", []string{"x", "w", "b"}, []string{"c"}),
			node("Shape", []string{"c"}, []string{"s"}),
			node("Gather", []string{"s", "zero"}, []string{"n"}, aInt("axis", 0)),
			node("Unsqueeze", []string{"n"}, []string{"n1"}, aInts("axes", 0)),
			node("Concat", []string{"n1", "minus1"}, []string{"shape"}, aInt("axis", 0)),
			node("Reshape", []string{"c", "shape"}, []string{"y"}),
		}}
	g := m.load(t, Options{})
	if k := kinds(g); !slices.Equal(k, []string{"Conv", "Reshape"}) {
		t.Fatalf("nodes %v, want the constant subgraphs folded into [Conv Reshape]", k)
	}
	if w := g.Nodes[0].Param("weight"); w == nil || !slices.Equal(w.Shape, []int{2, 1, 1, 1}) {
		t.Fatalf("Conv weight %v", w)
	}
	near(t, "y", run(t, g, []float32{2, 4})["y"], []int{1, 4}, 1, 2, 1, 2)
}

func TestKnownInputsFoldOnlyWhenNeeded(t *testing.T) {
	add := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2), fin("y", 2)}, outputs: []string{"z"},
		nodes: []*NodeProto{node("Add", []string{"x", "y"}, []string{"z"})}}
	known := map[string]*Tensor{
		"x": {Type: TensorProto_FLOAT, Shape: []int{2}, Floats: []float32{1, 2}},
		"y": {Type: TensorProto_FLOAT, Shape: []int{2}, Floats: []float32{3, 4}},
	}
	g := add.load(t, Options{Known: known})
	if k := kinds(g); !slices.Equal(k, []string{"Add"}) {
		t.Fatalf("Add of two inputs became %v", k)
	}
	near(t, "z", run(t, g, []float32{1, 2}, []float32{3, 4})["z"], nil, 4, 6)

	reshape := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2, 3), vi("shape", TensorProto_INT64, 2)}, outputs: []string{"y"},
		nodes: []*NodeProto{node("Reshape", []string{"x", "shape"}, []string{"y"})}}
	_, err := Decode(reshape.bytes(t), Options{})
	var u *UnsupportedError
	if !errors.As(err, &u) || u.Op != "Reshape" || !strings.Contains(err.Error(), "must be a constant") {
		t.Fatalf("Reshape with a runtime shape: %v", err)
	}
	g = reshape.load(t, Options{Known: map[string]*Tensor{"shape": {Type: TensorProto_INT64, Shape: []int{2}, Ints: []int64{3, -1}}}})
	if len(g.Inputs) != 2 {
		t.Fatalf("inputs %v: the folded input must stay declared", g.Inputs)
	}
	near(t, "y", run(t, g, seq(6), []float32{3, -1})["y"], []int{3, 2}, seq(6)...)
}

func TestUnsupportedOperator(t *testing.T) {
	for _, tc := range []struct{ domain, msg string }{
		{"", `node "y": unsupported ONNX operator Foo`},
		{"com.microsoft", `node "y": unsupported ONNX operator com.microsoft.Foo`},
	} {
		n := node("Foo", []string{"x"}, []string{"y"})
		n.Domain = proto.String(tc.domain)
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"}, nodes: []*NodeProto{n}}
		_, err := Decode(m.bytes(t), Options{})
		var u *UnsupportedError
		if err == nil || err.Error() != tc.msg || !errors.As(err, &u) {
			t.Errorf("got %v, want %s", err, tc.msg)
		}
	}
	// An unsupported form of a known operator names it too.
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 2, 2)}, outputs: []string{"y"},
		nodes: []*NodeProto{node("MaxPool", []string{"x"}, []string{"y"}, aInts("kernel_shape", 1, 1, 1))}}
	_, err := Decode(m.bytes(t), Options{})
	var u *UnsupportedError
	if !errors.As(err, &u) || u.Op != "MaxPool" || !strings.HasPrefix(err.Error(), `node "y": unsupported ONNX operator MaxPool`) {
		t.Errorf("3-D pooling: %v", err)
	}
}

func TestPRelu(t *testing.T) {
	x := []float32{-1, 2, -3, 4}
	for _, tc := range []struct {
		name  string
		slope *TensorProto
		kinds int
		want  []float32
	}{
		{"per channel [C,1,1] is the IR's PRelu", ftensor("s", []int64{2, 1, 1}, .5, .25), 1, []float32{-.5, 2, -.75, 4}},
		{"shared", ftensor("s", []int64{1}, .5), 1, []float32{-.5, 2, -1.5, 4}},
		{"along the last axis is lowered", ftensor("s", []int64{2}, .5, .25), 6, []float32{-.5, 2, -1.5, 4}},
	} {
		m := modelSpec{opset: 9, inputs: []*ValueInfoProto{fin("x", 1, 2, 1, 2)}, outputs: []string{"y"},
			inits: []*TensorProto{tc.slope}, nodes: []*NodeProto{node("PRelu", []string{"x", "s"}, []string{"y"})}}
		g := m.load(t, Options{})
		if len(g.Nodes) != tc.kinds {
			t.Errorf("%s: nodes %v", tc.name, kinds(g))
		}
		near(t, tc.name, run(t, g, x)["y"], nil, tc.want...)
	}
}

func TestSliceGatherSplitOfRuntimeTensors(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 4, 2)}, outputs: []string{"s", "g", "p", "q", "r"},
		inits: []*TensorProto{
			itensor("st", []int64{1}, 1), itensor("en", []int64{1}, 3), itensor("ax", []int64{1}, 1),
			itensor("two", nil, 2), itensor("split", []int64{2}, 1, 3),
			itensor("c", []int64{5}, 1, 2, 3, 4, 5), itensor("cs", []int64{1}, -1), itensor("ce", []int64{1}, math.MinInt64),
			itensor("c0", []int64{1}, 0), itensor("cstep", []int64{1}, -2),
		},
		nodes: []*NodeProto{
			node("Slice", []string{"x", "st", "en", "ax"}, []string{"s"}),
			node("Gather", []string{"x", "two"}, []string{"g"}, aInt("axis", 1)),
			node("Split", []string{"x", "split"}, []string{"p", "q"}, aInt("axis", 1)),
			// A constant sliced backwards: [5, 3, 1].
			node("Slice", []string{"c", "cs", "ce", "c0", "cstep"}, []string{"r"}),
		}}
	out := run(t, m.load(t, Options{}), seq(8))
	near(t, "slice", out["s"], []int{1, 2, 2}, 3, 4, 5, 6)
	near(t, "gather", out["g"], []int{1, 2}, 5, 6)
	near(t, "split 0", out["p"], []int{1, 1, 2}, 1, 2)
	near(t, "split 1", out["q"], []int{1, 3, 2}, 3, 4, 5, 6, 7, 8)
	near(t, "backwards", out["r"], []int{3}, 5, 3, 1)
}

func TestConvTransposePadding(t *testing.T) {
	ones := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	// output_shape one larger than the full output: ONNX's negative end
	// pad, i.e. one row and column of output padding.
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 1, 1)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("w", []int64{1, 1, 1, 1}, 1)},
		nodes: []*NodeProto{node("ConvTranspose", []string{"x", "w"}, []string{"y"}, aInts("strides", 2, 2), aInts("output_shape", 2, 2))}}
	near(t, "output_shape", run(t, m.load(t, Options{}), []float32{1})["y"], []int{1, 1, 2, 2}, 1, 0, 0, 0)

	m = modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("w", []int64{1, 1, 3, 3}, ones(9)...)},
		nodes: []*NodeProto{node("ConvTranspose", []string{"x", "w"}, []string{"y"}, aInts("strides", 2, 2), aString("auto_pad", "SAME_UPPER"))}}
	near(t, "SAME_UPPER", run(t, m.load(t, Options{}), []float32{1, 2, 3, 4})["y"], []int{1, 1, 4, 4},
		1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4)
}

func TestLegacyOpsets(t *testing.T) {
	// Opset 6: Add broadcasts B along axis 1; Clip takes attributes; a 1-D
	// PRelu slope is per channel.
	m := modelSpec{opset: 6, ir: 3, inputs: []*ValueInfoProto{fin("x", 1, 2, 1, 2), fin("b", 2), fin("s", 2)}, outputs: []string{"y", "c", "p"},
		inits: []*TensorProto{ftensor("b", []int64{2}, 10, 20), ftensor("s", []int64{2}, .5, .25)},
		nodes: []*NodeProto{
			node("Add", []string{"x", "b"}, []string{"y"}, aInt("broadcast", 1), aInt("axis", 1)),
			node("Clip", []string{"x"}, []string{"c"}, aFloat("min", -2), aFloat("max", 3)),
			node("PRelu", []string{"x", "s"}, []string{"p"}),
		}}
	g := m.load(t, Options{})
	if len(g.Inputs) != 1 {
		t.Fatalf("IR 3 initializers listed as inputs must not be graph inputs: %v", g.Inputs)
	}
	out := run(t, g, []float32{-1, 2, -3, 4})
	near(t, "add", out["y"], nil, 9, 12, 17, 24)
	near(t, "clip", out["c"], nil, -1, 2, -2, 3)
	near(t, "prelu", out["p"], nil, -.5, 2, -.75, 4)
}

func TestClipBoundsAsInputs(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 4)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("hi", nil, 2)},
		nodes: []*NodeProto{node("Clip", []string{"x", "", "hi"}, []string{"y"})}}
	near(t, "clip", run(t, m.load(t, Options{}), []float32{-5, 1, 2, 9})["y"], nil, -5, 1, 2, 2)
}

func TestResizeAndUpsample(t *testing.T) {
	m := modelSpec{opset: 9, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{ftensor("sc", []int64{4}, 1, 1, 2, 2)},
		nodes: []*NodeProto{node("Upsample", []string{"x", "sc"}, []string{"y"})}}
	near(t, "upsample", run(t, m.load(t, Options{}), []float32{1, 2, 3, 4})["y"], []int{1, 1, 4, 4},
		1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4)
	m = modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 1, 2, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("sz", []int64{4}, 1, 1, 3, 3)},
		nodes: []*NodeProto{node("Resize", []string{"x", "", "", "sz"}, []string{"y"}, aString("mode", "linear"), aString("coordinate_transformation_mode", "align_corners"))}}
	near(t, "resize", run(t, m.load(t, Options{}), []float32{1, 2, 3, 4})["y"], []int{1, 1, 3, 3}, 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4)
}

func TestDropoutMaskAndSymbolicBatch(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", -1, 3)}, outputs: []string{"y", "mask", "d"},
		inits: []*TensorProto{ftensor("w", []int64{3, 1}, 1, 1, 1)},
		nodes: []*NodeProto{
			node("Dropout", []string{"x"}, []string{"d", "mask"}),
			node("MatMul", []string{"d", "w"}, []string{"y"}),
		}}
	g := m.load(t, Options{})
	if !graph.Shape(g.Inputs[0].Shape).Equal(graph.Shape{-1, 3}) {
		t.Fatalf("a symbolic batch must stay dynamic, got %v", g.Inputs[0].Shape)
	}
	p, err := engine.Compile(g, 2)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(seq(6))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "y", &graph.Tensor{Shape: vals["y"].Shape, Data: vals["y"].Data}, []int{2, 1}, 6, 15)
	near(t, "mask", &graph.Tensor{Shape: vals["mask"].Shape, Data: vals["mask"].Data}, nil, 1, 1, 1)
}

func TestTensorDecoding(t *testing.T) {
	half := &TensorProto{Dims: []int64{3}, DataType: proto.Int32(int32(TensorProto_FLOAT16)), RawData: []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}}
	b, _ := proto.Marshal(half)
	tt, err := ReadTensor(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, -2, float32(math.Ldexp(1, -24))}; !slices.Equal(tt.Floats, want) {
		t.Errorf("float16: %v, want %v", tt.Floats, want)
	}
	i8 := &TensorProto{Dims: []int64{2}, DataType: proto.Int32(int32(TensorProto_INT8)), RawData: []byte{0xff, 7}}
	b, _ = proto.Marshal(i8)
	if tt, err = ReadTensor(b); err != nil || !slices.Equal(tt.Ints, []int64{-1, 7}) {
		t.Errorf("int8: %v %v", tt, err)
	}
	for _, tc := range []struct {
		t    *TensorProto
		want string
	}{
		{&TensorProto{Dims: []int64{1 << 40, 1 << 40}, DataType: proto.Int32(1)}, "more than"},
		{&TensorProto{Dims: []int64{-1}, DataType: proto.Int32(1)}, "negative"},
		{&TensorProto{Dims: []int64{1 << 31}, DataType: proto.Int32(1), RawData: []byte{0}}, "more than"},
		{&TensorProto{Dims: []int64{3}, DataType: proto.Int32(1), RawData: []byte{0, 0, 0, 0}}, "raw data has 4 bytes"},
		{&TensorProto{Dims: []int64{3}, DataType: proto.Int32(1), FloatData: []float32{1}}, "has 1 values"},
		{&TensorProto{Dims: []int64{1}, DataType: proto.Int32(int32(TensorProto_STRING))}, "not supported"},
	} {
		b, _ := proto.Marshal(tc.t)
		if _, err := ReadTensor(b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.t, err, tc.want)
		}
	}
}

func TestLimits(t *testing.T) {
	huge := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("s", []int64{2}, 1<<20, 1<<20)},
		nodes: []*NodeProto{
			node("ConstantOfShape", []string{"s"}, []string{"c"}),
			node("Add", []string{"x", "c"}, []string{"y"}),
		}}
	if _, err := Decode(huge.bytes(t), Options{}); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("ConstantOfShape of 2^40 elements: %v", err)
	}
	small := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"y"},
		inits: []*TensorProto{itensor("s", []int64{1}, 1000)},
		nodes: []*NodeProto{
			node("ConstantOfShape", []string{"s"}, []string{"c"}),
			node("Add", []string{"x", "c"}, []string{"y"}),
		}}
	if _, err := Decode(small.bytes(t), Options{MaxElems: 100}); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("over the element budget: %v", err)
	}
	big := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1<<20, 1<<20)}, outputs: []string{"x"}}
	if _, err := Decode(big.bytes(t), Options{}); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("input of 2^40 elements: %v", err)
	}
	if _, err := Decode([]byte("\x08\x07\x3a\xff\xff\xff\xff\x0f"), Options{}); err == nil {
		t.Error("a truncated model decoded")
	}
}

func TestExternalDataAndRegistry(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2)}, outputs: []string{"y"},
		inits: []*TensorProto{{Name: proto.String("b"), Dims: []int64{2}, DataType: proto.Int32(1),
			DataLocation: TensorProto_EXTERNAL.Enum(), ExternalData: []*StringStringEntryProto{
				{Key: proto.String("location"), Value: proto.String("w.bin")},
				{Key: proto.String("offset"), Value: proto.String("4")},
				{Key: proto.String("length"), Value: proto.String("8")},
			}}},
		nodes: []*NodeProto{node("Add", []string{"x", "b"}, []string{"y"})}}
	w := make([]byte, 12)
	binary.LittleEndian.PutUint32(w[4:], math.Float32bits(10))
	binary.LittleEndian.PutUint32(w[8:], math.Float32bits(20))
	fsys := format.MemFS{"model.bin": m.bytes(t), "w.bin": w}
	g, name, err := format.OpenFS(fsys, "model.bin")
	if err != nil || name != "onnx" {
		t.Fatalf("format.OpenFS: %v (format %q)", err, name)
	}
	near(t, "y", run(t, g, []float32{1, 2})["y"], nil, 11, 22)

	m.inits[0].ExternalData[0].Value = proto.String("../w.bin")
	if _, err := Decode(m.bytes(t), Options{FS: fsys, Dir: "."}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("external data outside the model's directory: %v", err)
	}
}

func TestSniff(t *testing.T) {
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1)}, outputs: []string{"x"}}
	b := m.bytes(t)
	for _, tc := range []struct {
		name string
		head []byte
		want bool
	}{
		{"m.onnx", []byte("anything"), true},
		{"model.bin", b, true},
		{"model.bin", b[:min(len(b), 12)], true},
		{"model.json", []byte(`{"format": "layers-model"}`), false},
		{"deploy.prototxt", []byte("name: \"AlexNet\"\nlayer {"), false},
		{"net.caffemodel", []byte("\x0a\x07AlexNet\x12\x00"), false},
		{"x.bin", []byte("\x08\x07\x99\x99"), false},
		{"x.bin", []byte("\x08\x00\x3a\x00"), false},
		{"x.bin", []byte{}, false},
	} {
		if got := sniff(tc.name, tc.head); got != tc.want {
			t.Errorf("sniff(%q, % x) = %v, want %v", tc.name, tc.head, got, tc.want)
		}
	}
}

func TestFoldedBatchSizeStaysDynamic(t *testing.T) {
	// x.view(x.size(0), -1) followed by a Linear layer, with a symbolic
	// batch: the folded size must not bake batch 1 into the Reshape.
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", -1, 2, 2)}, outputs: []string{"y"},
		inits: []*TensorProto{
			itensor("zero", nil, 0), itensor("ax0", []int64{1}, 0), itensor("minus1", []int64{1}, -1),
			ftensor("w", []int64{1, 4}, 1, 1, 1, 1),
		},
		nodes: []*NodeProto{
			node("Shape", []string{"x"}, []string{"s"}),
			node("Gather", []string{"s", "zero"}, []string{"n"}),
			node("Unsqueeze", []string{"n", "ax0"}, []string{"n1"}),
			node("Cast", []string{"n1"}, []string{"n2"}, aInt("to", int64(TensorProto_INT64))),
			node("Concat", []string{"n2", "minus1"}, []string{"shape"}, aInt("axis", 0)),
			node("Reshape", []string{"x", "shape"}, []string{"flat"}),
			node("Gemm", []string{"flat", "w"}, []string{"y"}, aInt("transB", 1)),
		}}
	g := m.load(t, Options{})
	p, err := engine.Compile(g, 3)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(seq(12))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "y", &graph.Tensor{Shape: vals["y"].Shape, Data: vals["y"].Data}, []int{3, 1}, 10, 26, 42)
}

func TestLRNOfRank3(t *testing.T) {
	// size 1: y = x / (1 + x²)^0.5 for each element.
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 2, 2)}, outputs: []string{"y"},
		nodes: []*NodeProto{node("LRN", []string{"x"}, []string{"y"}, aInt("size", 1), aFloat("alpha", 1), aFloat("beta", .5))}}
	y := run(t, m.load(t, Options{}), []float32{0, 1, -2, 3})["y"]
	near(t, "lrn", y, []int{1, 2, 2}, 0, float32(1/math.Sqrt(2)), float32(-2/math.Sqrt(5)), float32(3/math.Sqrt(10)))
}

// TestAttributeErrors: a wrong attribute is reported as it was when every
// read stopped at its error: also when the converter went on with the
// default and failed later, or succeeded; an earlier input error still
// comes first.
func TestAttributeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    *NodeProto
		in   *ValueInfoProto
		want string
	}{
		{"then a later failure", node("LRN", []string{"x"}, []string{"y"}, aFloat("size", 3)), fin("x", 1, 4),
			`node "y" (LRN): attribute size is of type FLOAT, expected INT`},
		{"then success", node("LeakyRelu", []string{"x"}, []string{"y"}, aInt("alpha", 1)), fin("x", 1, 4),
			`node "y" (LeakyRelu): attribute alpha is of type INT, expected FLOAT`},
		{"out of range", node("Gemm", []string{"x", "x"}, []string{"y"}, aInt("transB", 1<<40)), fin("x", 4, 4),
			`node "y" (Gemm): attribute transB = 1099511627776 is out of range`},
		{"first of two", node("LRN", []string{"x"}, []string{"y"}, aFloat("size", 3), aString("alpha", "a")), fin("x", 1, 4, 2, 2),
			`node "y" (LRN): attribute size is of type FLOAT, expected INT`},
		{"input first", node("LRN", []string{"nope"}, []string{"y"}, aFloat("size", 3)), fin("x", 1, 4),
			`node "y" (LRN): input "nope" is not a graph input`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := modelSpec{opset: 13, inputs: []*ValueInfoProto{tc.in}, outputs: []string{"y"}, nodes: []*NodeProto{tc.n}}
			_, err := Decode(m.bytes(t), Options{})
			var ne *graph.NodeError
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &ne) || ne.Node != "y" {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}
