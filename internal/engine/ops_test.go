package engine

import (
	"math"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// opCase runs one node on one or more inputs; every expected value is
// computed by hand.
type opCase struct {
	name   string
	inputs []graph.Value
	feeds  [][]float32
	node   *graph.Node
	want   map[string][]float32 // by output name
	shape  map[string][]int     // expected shapes, when checked
}

func tensorOf(shape []int, v ...float32) *graph.Tensor {
	return &graph.Tensor{Shape: shape, Data: v}
}

func seq(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i + 1)
	}
	return v
}

func in(name string, shape ...int) []graph.Value { return []graph.Value{{Name: name, Shape: shape}} }

func TestNewKernels(t *testing.T) {
	cases := []opCase{
		{
			name:   "ConvTranspose stride 1, 2x2 ones kernel, bias",
			inputs: in("x", 1, 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{2, 2}}, OutChannels: 1, Bias: true},
				Params: map[string]*graph.Tensor{"weight": tensorOf([]int{1, 1, 2, 2}, 1, 1, 1, 1), "bias": tensorOf([]int{1}, 1)}},
			want: map[string][]float32{"y": {2, 4, 3, 5, 11, 7, 4, 8, 5}},
		},
		{
			name:   "ConvTranspose stride 2 spreads blocks",
			inputs: in("x", 1, 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, OutChannels: 1},
				Params: map[string]*graph.Tensor{"weight": tensorOf([]int{1, 1, 2, 2}, 1, 1, 1, 1)}},
			want: map[string][]float32{"y": {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}},
		},
		{
			name:   "ConvTranspose pads crop the top-left",
			inputs: in("x", 1, 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{2, 2}, Pads: [4]int{1, 1, 0, 0}}, OutChannels: 1},
				Params: map[string]*graph.Tensor{"weight": tensorOf([]int{1, 1, 2, 2}, 1, 1, 1, 1)}},
			want: map[string][]float32{"y": {10, 6, 7, 4}},
		},
		{
			name:   "ConvTranspose groups and output padding",
			inputs: in("x", 1, 2, 1, 1), feeds: [][]float32{{5, 7}},
			node: &graph.Node{Op: &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{1, 1}, Stride: [2]int{2, 2}}, OutChannels: 2, Groups: 2, OutputPad: [2]int{1, 1}, Bias: true},
				Params: map[string]*graph.Tensor{"weight": tensorOf([]int{2, 1, 1, 1}, 2, 3), "bias": tensorOf([]int{2}, 1, -1)}},
			want: map[string][]float32{"y": {11, 1, 1, 1, 20, -1, -1, -1}},
		},
		{
			name:   "PRelu per channel",
			inputs: in("x", 1, 2, 1, 2), feeds: [][]float32{{-1, 2, -3, 4}},
			node: &graph.Node{Op: &graph.PRelu{}, Params: map[string]*graph.Tensor{"slope": tensorOf([]int{2}, 0.5, 0.25)}},
			want: map[string][]float32{"y": {-0.5, 2, -0.75, 4}},
		},
		{
			name:   "PRelu shared",
			inputs: in("x", 1, 3), feeds: [][]float32{{-10, 0, 5}},
			node: &graph.Node{Op: &graph.PRelu{Shared: true}, Params: map[string]*graph.Tensor{"slope": tensorOf([]int{1}, 0.1)}},
			want: map[string][]float32{"y": {-1, 0, 5}},
		},
		{
			name:   "Affine scale and bias",
			inputs: in("x", 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Affine{Bias: true},
				Params: map[string]*graph.Tensor{"scale": tensorOf([]int{2}, 2, 3), "bias": tensorOf([]int{2}, 1, -1)}},
			want: map[string][]float32{"y": {3, 5, 8, 11}},
		},
		{
			name:   "Affine bias only",
			inputs: in("x", 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Affine{NoScale: true, Bias: true}, Params: map[string]*graph.Tensor{"bias": tensorOf([]int{2}, 1, -1)}},
			want: map[string][]float32{"y": {2, 3, 2, 3}},
		},
		{
			name:   "Power square of 1+2x",
			inputs: in("x", 1, 3), feeds: [][]float32{{0, 1, -1}},
			node: &graph.Node{Op: &graph.Power{Exponent: 2, Scale: 2, Shift: 1}},
			want: map[string][]float32{"y": {1, 9, 1}},
		},
		{
			name:   "Power square root",
			inputs: in("x", 1, 2), feeds: [][]float32{{4, 9}},
			node: &graph.Node{Op: &graph.Power{Exponent: 0.5, Scale: 1}},
			want: map[string][]float32{"y": {2, 3}},
		},
		{
			name:   "Power negation",
			inputs: in("x", 1, 2), feeds: [][]float32{{4, -9}},
			node: &graph.Node{Op: &graph.Power{Exponent: 1, Scale: -1}},
			want: map[string][]float32{"y": {-4, 9}},
		},
		{
			name:   "Transpose 2-D",
			inputs: in("x", 2, 3), feeds: [][]float32{seq(6)},
			node: &graph.Node{Op: &graph.Transpose{Perm: []int{1, 0}}},
			want: map[string][]float32{"y": {1, 4, 2, 5, 3, 6}}, shape: map[string][]int{"y": {3, 2}},
		},
		{
			name:   "Transpose default reverses",
			inputs: in("x", 2, 3), feeds: [][]float32{seq(6)},
			node: &graph.Node{Op: &graph.Transpose{}},
			want: map[string][]float32{"y": {1, 4, 2, 5, 3, 6}},
		},
		{
			name:   "Transpose 3-D",
			inputs: in("x", 2, 1, 3), feeds: [][]float32{seq(6)},
			node: &graph.Node{Op: &graph.Transpose{Perm: []int{2, 0, 1}}},
			want: map[string][]float32{"y": {1, 4, 2, 5, 3, 6}}, shape: map[string][]int{"y": {3, 2, 1}},
		},
		{
			name:   "Reshape",
			inputs: in("x", 1, 6), feeds: [][]float32{seq(6)},
			node: &graph.Node{Op: &graph.Reshape{Shape: []int{0, 2, -1}}},
			want: map[string][]float32{"y": seq(6)}, shape: map[string][]int{"y": {1, 2, 3}},
		},
		{
			name:   "Pad constant",
			inputs: in("x", 1, 3), feeds: [][]float32{{1, 2, 3}},
			node: &graph.Node{Op: &graph.Pad{Pads: []int{0, 1, 0, 2}, Mode: "constant", Value: 9}},
			want: map[string][]float32{"y": {9, 1, 2, 3, 9, 9}},
		},
		{
			name:   "Pad reflect",
			inputs: in("x", 1, 3), feeds: [][]float32{{1, 2, 3}},
			node: &graph.Node{Op: &graph.Pad{Pads: []int{0, 2, 0, 2}, Mode: "reflect"}},
			want: map[string][]float32{"y": {3, 2, 1, 2, 3, 2, 1}},
		},
		{
			name:   "Pad edge",
			inputs: in("x", 1, 3), feeds: [][]float32{{1, 2, 3}},
			node: &graph.Node{Op: &graph.Pad{Pads: []int{0, 2, 0, 1}, Mode: "edge"}},
			want: map[string][]float32{"y": {1, 1, 1, 2, 3, 3}},
		},
		{
			name:   "Pad 2-D zeros",
			inputs: in("x", 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Pad{Pads: []int{1, 0, 0, 1}}},
			want: map[string][]float32{"y": {0, 0, 0, 1, 2, 0, 3, 4, 0}},
		},
		{
			name:   "Pad negative crops",
			inputs: in("x", 1, 4), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Pad{Pads: []int{0, -1, 0, -1}}},
			want: map[string][]float32{"y": {2, 3}},
		},
		{
			name:   "Slice at points",
			inputs: in("x", 1, 5), feeds: [][]float32{seq(5)},
			node: &graph.Node{Op: &graph.Slice{Axis: 1, Points: []int{2}}, Outputs: []string{"a", "b"}},
			want: map[string][]float32{"a": {1, 2}, "b": {3, 4, 5}},
		},
		{
			name:   "Slice equal parts of the middle axis",
			inputs: in("x", 2, 2, 2), feeds: [][]float32{seq(8)},
			node: &graph.Node{Op: &graph.Slice{Axis: 1, Parts: 2}, Outputs: []string{"a", "b"}},
			want: map[string][]float32{"a": {1, 2, 5, 6}, "b": {3, 4, 7, 8}},
		},
		{
			name:   "Slice keeps the outputs it names",
			inputs: in("x", 1, 6), feeds: [][]float32{seq(6)},
			node: &graph.Node{Op: &graph.Slice{Axis: -1, Points: []int{1, 4}}, Outputs: []string{"a", "b"}},
			want: map[string][]float32{"a": {1}, "b": {2, 3, 4}},
		},
		{
			name:   "Crop to a reference",
			inputs: []graph.Value{{Name: "x", Shape: []int{1, 1, 3, 3}}, {Name: "ref", Shape: []int{1, 1, 2, 2}}},
			feeds:  [][]float32{seq(9), make([]float32, 4)},
			node:   &graph.Node{Op: &graph.Crop{Axis: 2, Offsets: []int{1}}, Inputs: []string{"x", "ref"}},
			want:   map[string][]float32{"y": {5, 6, 8, 9}},
		},
		{
			name:   "Resize nearest ×2",
			inputs: in("x", 1, 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Resize{Scale: [2]float32{2, 2}, Mode: "nearest"}},
			want: map[string][]float32{"y": {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}},
		},
		{
			name:   "Resize bilinear align corners",
			inputs: in("x", 1, 1, 2, 2), feeds: [][]float32{{1, 2, 3, 4}},
			node: &graph.Node{Op: &graph.Resize{OutH: 3, OutW: 3, Mode: "bilinear", AlignCorners: true}},
			want: map[string][]float32{"y": {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}},
		},
		{
			name:   "Resize bilinear half-pixel",
			inputs: in("x", 1, 1, 1, 2), feeds: [][]float32{{0, 4}},
			node: &graph.Node{Op: &graph.Resize{OutH: 1, OutW: 4, Mode: "bilinear"}},
			want: map[string][]float32{"y": {0, 1, 3, 4}},
		},
		{
			name:   "MatMul 2-D",
			inputs: []graph.Value{{Name: "a", Shape: []int{2, 3}}, {Name: "b", Shape: []int{3, 2}}},
			feeds:  [][]float32{seq(6), {1, 0, 0, 1, 1, 1}},
			node:   &graph.Node{Op: &graph.MatMul{}, Inputs: []string{"a", "b"}},
			want:   map[string][]float32{"y": {4, 5, 10, 11}},
		},
		{
			name:   "MatMul broadcast batch",
			inputs: []graph.Value{{Name: "a", Shape: []int{2, 1, 2}}, {Name: "b", Shape: []int{2, 2}}},
			feeds:  [][]float32{{1, 2, 3, 4}, {1, 2, 3, 4}},
			node:   &graph.Node{Op: &graph.MatMul{}, Inputs: []string{"a", "b"}},
			want:   map[string][]float32{"y": {7, 10, 15, 22}}, shape: map[string][]int{"y": {2, 1, 2}},
		},
		{
			name:   "MatMul vector times matrix",
			inputs: []graph.Value{{Name: "a", Shape: []int{3}}, {Name: "b", Shape: []int{3, 2}}},
			feeds:  [][]float32{{1, 2, 3}, seq(6)},
			node:   &graph.Node{Op: &graph.MatMul{}, Inputs: []string{"a", "b"}},
			want:   map[string][]float32{"y": {22, 28}}, shape: map[string][]int{"y": {2}},
		},
		{
			name:   "MatMul matrix times vector",
			inputs: []graph.Value{{Name: "a", Shape: []int{2, 3}}, {Name: "b", Shape: []int{3}}},
			feeds:  [][]float32{seq(6), {1, 0, -1}},
			node:   &graph.Node{Op: &graph.MatMul{}, Inputs: []string{"a", "b"}},
			want:   map[string][]float32{"y": {-2, -2}}, shape: map[string][]int{"y": {2}},
		},
		{
			name:   "Eltwise over rank 3 with a scalar",
			inputs: []graph.Value{{Name: "a", Shape: []int{1, 2, 2}}, {Name: "b", Shape: []int{}}},
			feeds:  [][]float32{seq(4), {10}},
			node:   &graph.Node{Op: &graph.Eltwise{Type: graph.EltMul}, Inputs: []string{"a", "b"}},
			want:   map[string][]float32{"y": {10, 20, 30, 40}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.node
			n.Name, n.Type = "op", n.Op.Kind()
			if n.Inputs == nil {
				n.Inputs = []string{tc.inputs[0].Name}
			}
			if n.Outputs == nil {
				n.Outputs = []string{"y"}
			}
			g := &graph.Graph{Inputs: tc.inputs, Nodes: []*graph.Node{n}, Outputs: n.Outputs}
			checkRun(t, g, tc.feeds, tc.want, tc.shape)
		})
	}
}

func checkRun(t *testing.T, g *graph.Graph, feeds [][]float32, want map[string][]float32, shapes map[string][]int) {
	t.Helper()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(feeds...)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		got := vals[name]
		if got == nil {
			t.Fatalf("no value %q", name)
		}
		if len(got.Data) != len(w) {
			t.Fatalf("%s: got %d values %v, want %v", name, len(got.Data), got.Data, w)
		}
		for i := range w {
			if math.Abs(float64(got.Data[i]-w[i])) > 1e-6 {
				t.Fatalf("%s: got %v, want %v", name, got.Data, w)
			}
		}
		if s, ok := shapes[name]; ok && !graph.Shape(got.Shape).Equal(s) {
			t.Fatalf("%s: shape %v, want %v", name, got.Shape, s)
		}
	}
}

func TestConstNode(t *testing.T) {
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: []int{1, 2}}},
		Nodes: []*graph.Node{
			{Name: "c", Type: "Constant", Op: &graph.Const{Shape: graph.Shape{2}}, Outputs: []string{"c"},
				Params: map[string]*graph.Tensor{"value": tensorOf([]int{2}, 3, 4)}},
			{Name: "add", Type: "Add", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{"x", "c"}, Outputs: []string{"y"}},
		},
		Outputs: []string{"y", "c"},
	}
	checkRun(t, g, [][]float32{{1, 2}}, map[string][]float32{"y": {4, 6}, "c": {3, 4}}, map[string][]int{"c": {2}})
}

func TestMatMulOfVectors(t *testing.T) {
	g := &graph.Graph{
		Inputs:  []graph.Value{{Name: "a", Shape: []int{3}}, {Name: "b", Shape: []int{3}}},
		Nodes:   []*graph.Node{{Name: "mm", Type: "MatMul", Op: &graph.MatMul{}, Inputs: []string{"a", "b"}, Outputs: []string{"y"}}},
		Outputs: []string{"y"},
	}
	checkRun(t, g, [][]float32{{1, 2, 3}, {4, 5, 6}}, map[string][]float32{"y": {32}}, map[string][]int{"y": {}})
}
