package onnx

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// With Options.Partial an unknown operator (and a node that reads its
// output) is kept as a graph.Unknown node carrying its type, attributes and
// initializers; the branch that does not depend on it keeps its shapes.
func TestPartialKeepsUnknownOperators(t *testing.T) {
	foo := node("Foo", []string{"r", "w"}, []string{"f"}, aInt("k", 3), aString("mode", "odd"))
	foo.Domain = proto.String("com.example")
	m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 1, 2, 2, 2)}, outputs: []string{"y", "side"},
		inits: []*TensorProto{ftensor("w", []int64{2, 3}, 1, 2, 3, 4, 5, 6), ftensor("cw", []int64{4, 2, 1, 1}, 1, 2, 3, 4, 5, 6, 7, 8)},
		nodes: []*NodeProto{
			node("Relu", []string{"x"}, []string{"r"}),
			foo,
			node("Conv", []string{"f", "cw"}, []string{"y"}),
			node("GlobalAveragePool", []string{"r"}, []string{"side"}),
		}}
	_, err := Decode(m.bytes(t), Options{})
	var u *UnsupportedError
	if !errors.As(err, &u) || u.Op != "com.example.Foo" {
		t.Fatalf("without Partial: %v", err)
	}
	g := m.load(t, Options{Partial: true})
	if k := kinds(g); !slices.Equal(k, []string{"Relu", "com.example.Foo", "Conv", "GlobalAveragePool"}) {
		t.Fatalf("kinds %v", k)
	}
	f := g.Node("f").Op.(*graph.Unknown)
	if f.Attrs["k"] != "3" || f.Attrs["mode"] != "odd" {
		t.Errorf("attributes %v", f.Attrs)
	}
	if got := g.Unsupported(); !slices.Equal(got, []string{"com.example.Foo"}) {
		t.Errorf("Unsupported() = %v", got)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	// 6 (Foo's w) + 8 (the Conv's weight, kept on its Unknown node).
	if r.Params != 14 {
		t.Errorf("params %d, want 14", r.Params)
	}
	for _, l := range r.Layers {
		want := l.Name == "f" || l.Name == "y"
		if l.Unknown != want {
			t.Errorf("layer %s: unknown %v", l.Name, l.Unknown)
		}
		if l.Name == "side" && !l.OutputShapes[0].Equal(graph.Shape{2, 1, 1}) {
			t.Errorf("side: %v", l.OutputShapes)
		}
	}
	var b strings.Builder
	if err := analyze.WriteTable(&b, r, "m.onnx", "onnx"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "f (com.example.Foo)       ?") || !strings.Contains(b.String(), "unsupported operator(s) com.example.Foo:") {
		t.Errorf("table:\n%s", b.String())
	}
	_, err = engine.Compile(g, 1)
	if !graph.IsUnsupported(err) || !strings.Contains(err.Error(), "com.example.Foo") {
		t.Errorf("Compile: %v", err)
	}
}

// A binary operation with a constant scalar operand is one layer carrying
// the scalar (no Constant layer, no parameter), and computes the same
// values: hand-computed for x = [-2, 3].
func TestScalarOperandsFold(t *testing.T) {
	for _, tc := range []struct {
		op    string
		first bool // the scalar is the first operand
		want  []float32
	}{
		{"Mul", false, []float32{-1, 1.5}},
		{"Add", true, []float32{-1.5, 3.5}},
		{"Sub", false, []float32{-2.5, 2.5}},
		{"Sub", true, []float32{2.5, -2.5}},
		{"Div", false, []float32{-4, 6}},
		{"Max", false, []float32{0.5, 3}},
		{"Min", true, []float32{-2, 0.5}},
	} {
		ins := []string{"x", "s"}
		if tc.first {
			ins = []string{"s", "x"}
		}
		m := modelSpec{opset: 13, inputs: []*ValueInfoProto{fin("x", 2)}, outputs: []string{"y"},
			nodes: []*NodeProto{
				node("Constant", nil, []string{"s"}, aTensor("value", ftensor("", nil, 0.5))),
				node(tc.op, ins, []string{"y"}),
			}}
		g := m.load(t, Options{})
		if len(g.Nodes) != 1 || g.Nodes[0].Type != tc.op {
			t.Errorf("%s: nodes %v", tc.op, kinds(g))
		}
		r, err := analyze.Analyze(g)
		if err != nil || r.Params != 0 {
			t.Errorf("%s: params %d, %v", tc.op, r.Params, err)
		}
		near(t, tc.op, run(t, g, []float32{-2, 3})["y"], []int{2}, tc.want...)
	}
}

// A scalar constant that stays a node (read by an operator that keeps its
// operands as inputs) is not counted as a parameter.
func TestScalarConstIsNotAParameter(t *testing.T) {
	n := &graph.Node{Name: "c", Op: &graph.Const{Shape: graph.Shape{}}, Params: map[string]*graph.Tensor{"value": {Shape: []int{}, Data: []float32{2}}}}
	w := &graph.Node{Name: "w", Op: &graph.Const{Shape: graph.Shape{2}}, Params: map[string]*graph.Tensor{"value": {Shape: []int{2}, Data: []float32{2, 3}}}}
	if n.ParamCount() != 0 || w.ParamCount() != 2 {
		t.Errorf("scalar constant counts %d, a 2-vector %d", n.ParamCount(), w.ParamCount())
	}
}
