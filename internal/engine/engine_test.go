package engine_test

import (
	"math"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// one runs a single-node graph on the given inputs and returns its output.
func one(t *testing.T, op graph.Op, params map[string]*graph.Tensor, inputs ...*graph.Tensor) *graph.Tensor {
	t.Helper()
	g := &graph.Graph{}
	var names []string
	for i, in := range inputs {
		name := string(rune('a' + i))
		g.Inputs = append(g.Inputs, graph.Value{Name: name, Shape: in.Shape})
		names = append(names, name)
	}
	g.Nodes = []*graph.Node{{Name: "y", Op: op, Inputs: names, Outputs: []string{"y"}, Params: params}}
	g.Outputs = []string{"y"}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := engine.Compile(g, inputs[0].Shape[0])
	if err != nil {
		t.Fatal(err)
	}
	var data [][]float32
	for _, in := range inputs {
		data = append(data, in.Data)
	}
	vals, err := p.Run(data...)
	if err != nil {
		t.Fatal(err)
	}
	y := vals["y"]
	return &graph.Tensor{Shape: y.Shape, Data: append([]float32(nil), y.Data...)}
}

func tensorOf(shape []int, data ...float32) *graph.Tensor {
	return &graph.Tensor{Shape: shape, Data: data}
}

// ramp is the tensor whose element i is i (row-major).
func ramp(shape ...int) *graph.Tensor {
	t := graph.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(i)
	}
	return t
}

func ones(shape ...int) *graph.Tensor {
	t := graph.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = 1
	}
	return t
}

func win(k, s int, pads [4]int) graph.Window {
	return graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{s, s}, Pads: pads}
}

type opCase struct {
	name      string
	op        graph.Op
	params    map[string]*graph.Tensor
	in        []*graph.Tensor
	wantShape []int
	want      []float32
}

func (c opCase) check(t *testing.T) {
	t.Run(c.name, func(t *testing.T) {
		got := one(t, c.op, c.params, c.in...)
		if !graph.Shape(got.Shape).Equal(c.wantShape) {
			t.Fatalf("shape %v, want %v", got.Shape, c.wantShape)
		}
		for i := range c.want {
			if math.Abs(float64(got.Data[i]-c.want[i])) > 1e-6*(1+math.Abs(float64(c.want[i]))) {
				t.Fatalf("got %v\nwant %v", got.Data, c.want)
			}
		}
	})
}

func TestConv(t *testing.T) {
	x3 := tensorOf([]int{1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	w := func(k int) map[string]*graph.Tensor { return map[string]*graph.Tensor{"weight": ones(1, 1, k, k)} }
	for _, c := range []opCase{
		{"valid 2x2", &graph.Conv{Window: win(2, 1, [4]int{}), OutChannels: 1}, w(2), []*graph.Tensor{x3},
			[]int{1, 1, 2, 2}, []float32{12, 16, 24, 28}},
		// Pads only at the bottom and right, stride 2.
		{"asymmetric pad stride 2", &graph.Conv{Window: win(2, 2, [4]int{0, 0, 1, 1}), OutChannels: 1}, w(2), []*graph.Tensor{x3},
			[]int{1, 1, 2, 2}, []float32{12, 9, 15, 9}},
		// Symmetric pad 1 with a 3×3 kernel and stride 2: corner windows.
		{"pad 1 stride 2", &graph.Conv{Window: win(3, 2, [4]int{1, 1, 1, 1}), OutChannels: 1}, w(3), []*graph.Tensor{x3},
			[]int{1, 1, 2, 2}, []float32{12, 16, 24, 28}},
		// Dilation 2: out(i,j) = x(i,j)+x(i,j+2)+x(i+2,j)+x(i+2,j+2) = 24+20i+4j.
		{"dilation 2", &graph.Conv{Window: graph.Window{Kernel: [2]int{2, 2}, Dilation: [2]int{2, 2}}, OutChannels: 1}, w(2),
			[]*graph.Tensor{ramp(1, 1, 5, 5)}, []int{1, 1, 3, 3}, []float32{24, 28, 32, 44, 48, 52, 64, 68, 72}},
		// TensorFlow "same" with stride 2 on 4×4: the extra pad row/column
		// goes at the end (SAME_UPPER) or the beginning (SAME_LOWER).
		{"same upper", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, AutoPad: graph.PadSameUpper}, OutChannels: 1}, w(3),
			[]*graph.Tensor{ramp(1, 1, 4, 4)}, []int{1, 1, 2, 2}, []float32{45, 39, 66, 50}},
		{"same lower", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, AutoPad: graph.PadSameLower}, OutChannels: 1}, w(3),
			[]*graph.Tensor{ramp(1, 1, 4, 4)}, []int{1, 1, 2, 2}, []float32{10, 24, 51, 90}},
		// Two groups (depthwise): each output channel sees only its own input.
		{"groups", &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: 2, Groups: 2, Bias: true},
			map[string]*graph.Tensor{"weight": tensorOf([]int{2, 1, 1, 1}, 3, 5), "bias": tensorOf([]int{2}, 0.5, -1)},
			[]*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 1, 1, 2, 2)}, []int{1, 2, 1, 2}, []float32{3.5, 3.5, 9, 9}},
		// Channel mixing: out = 1·ch0 − 1·ch1 (+ bias 10).
		{"channel sum + bias", &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: 1, Bias: true},
			map[string]*graph.Tensor{"weight": tensorOf([]int{1, 2, 1, 1}, 1, -1), "bias": tensorOf([]int{1}, 10)},
			[]*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 5, 7, 1, 2)}, []int{1, 1, 1, 2}, []float32{14, 15}},
		// Batch 2: the second image is independent of the first.
		{"batch", &graph.Conv{Window: win(2, 1, [4]int{}), OutChannels: 1}, w(2),
			[]*graph.Tensor{tensorOf([]int{2, 1, 2, 2}, 1, 2, 3, 4, 10, 20, 30, 40)}, []int{2, 1, 1, 1}, []float32{10, 100}},
	} {
		c.check(t)
	}
}

func TestPool(t *testing.T) {
	x5 := ramp(1, 1, 5, 5)
	for _, c := range []opCase{
		{"max 2x2 s2", &graph.Pool{Window: win(2, 2, [4]int{}), Type: graph.MaxPool}, nil, []*graph.Tensor{ramp(1, 1, 4, 4)},
			[]int{1, 1, 2, 2}, []float32{5, 7, 13, 15}},
		{"max floor drops the partial window", &graph.Pool{Window: win(2, 2, [4]int{}), Type: graph.MaxPool}, nil, []*graph.Tensor{x5},
			[]int{1, 1, 2, 2}, []float32{6, 8, 16, 18}},
		{"max ceil keeps it", &graph.Pool{Window: win(2, 2, [4]int{}), Type: graph.MaxPool, CeilMode: true}, nil, []*graph.Tensor{x5},
			[]int{1, 1, 3, 3}, []float32{6, 8, 9, 16, 18, 19, 21, 23, 24}},
		// Caffe's clipping rule: with pad 1 the ceil formula gives 4, but the
		// fourth window would start in the end padding, so it is dropped.
		{"ceil clipped", &graph.Pool{Window: win(2, 2, [4]int{1, 1, 1, 1}), Type: graph.MaxPool, CeilMode: true}, nil, []*graph.Tensor{x5},
			[]int{1, 1, 3, 3}, []float32{0, 2, 4, 10, 12, 14, 20, 22, 24}},
		{"avg excludes padding", &graph.Pool{Window: win(2, 2, [4]int{1, 1, 1, 1}), Type: graph.AvgPool}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 1, 2, 2}, 1, 2, 3, 4)}, []int{1, 1, 2, 2}, []float32{1, 2, 3, 4}},
		{"avg counts padding", &graph.Pool{Window: win(2, 2, [4]int{1, 1, 1, 1}), Type: graph.AvgPool, CountIncludePad: true}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 1, 2, 2}, 1, 2, 3, 4)}, []int{1, 1, 2, 2}, []float32{0.25, 0.5, 0.75, 1}},
		{"avg 3x3 s1 pad1 corner", &graph.Pool{Window: win(3, 1, [4]int{1, 1, 1, 1}), Type: graph.AvgPool}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 1, 2, 2}, 1, 2, 3, 4)}, []int{1, 1, 2, 2}, []float32{2.5, 2.5, 2.5, 2.5}},
		{"global avg", &graph.Pool{Type: graph.AvgPool, Global: true}, nil, []*graph.Tensor{tensorOf([]int{1, 2, 1, 3}, 1, 2, 6, -1, -2, -6)},
			[]int{1, 2, 1, 1}, []float32{3, -3}},
		{"global max", &graph.Pool{Type: graph.MaxPool, Global: true}, nil, []*graph.Tensor{tensorOf([]int{1, 2, 1, 3}, 1, 2, 6, -1, -2, -6)},
			[]int{1, 2, 1, 1}, []float32{6, -1}},
	} {
		c.check(t)
	}
}

func TestElementwiseAndShapes(t *testing.T) {
	x := tensorOf([]int{1, 4}, -2, -0.5, 0, 3)
	e := float32(math.E)
	for _, c := range []opCase{
		{"relu", &graph.Activation{Func: graph.Relu}, nil, []*graph.Tensor{x}, []int{1, 4}, []float32{0, 0, 0, 3}},
		{"leaky", &graph.Activation{Func: graph.LeakyRelu, Alpha: 0.1}, nil, []*graph.Tensor{x}, []int{1, 4}, []float32{-0.2, -0.05, 0, 3}},
		{"relu6", &graph.Activation{Func: graph.Relu6}, nil, []*graph.Tensor{tensorOf([]int{1, 3}, -1, 5, 7)}, []int{1, 3}, []float32{0, 5, 6}},
		{"sigmoid", &graph.Activation{Func: graph.Sigmoid}, nil, []*graph.Tensor{tensorOf([]int{1, 2}, 0, 1)}, []int{1, 2}, []float32{0.5, e / (1 + e)}},
		{"tanh", &graph.Activation{Func: graph.Tanh}, nil, []*graph.Tensor{tensorOf([]int{1, 2}, 0, 1)}, []int{1, 2}, []float32{0, (e*e - 1) / (e*e + 1)}},
		{"elu", &graph.Activation{Func: graph.Elu, Alpha: 2}, nil, []*graph.Tensor{tensorOf([]int{1, 2}, -1, 1)}, []int{1, 2}, []float32{2 * (1/e - 1), 1}},
		{"clip", &graph.Activation{Func: graph.Clip, Alpha: -1, Beta: 1}, nil, []*graph.Tensor{x}, []int{1, 4}, []float32{-1, -0.5, 0, 1}},
		// Softmax over channels of a [1, 3, 1, 2] map: each column separately.
		{"softmax axis 1", &graph.Softmax{Axis: 1}, nil, []*graph.Tensor{tensorOf([]int{1, 3, 1, 2}, 0, 5, 1, 5, 2, 5)}, []int{1, 3, 1, 2},
			[]float32{1 / (1 + e + e*e), 1.0 / 3, e / (1 + e + e*e), 1.0 / 3, e * e / (1 + e + e*e), 1.0 / 3}},
		{"batchnorm", &graph.BatchNorm{}, map[string]*graph.Tensor{"scale": tensorOf([]int{2}, 2, 1), "bias": tensorOf([]int{2}, 1, 0),
			"mean": tensorOf([]int{2}, 1, 0), "var": tensorOf([]int{2}, 4, 1)}, []*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 3, 1, 5, -5)},
			[]int{1, 2, 1, 2}, []float32{3, 1, 5, -5}},
		// Keras order: (row, column, channel).
		{"flatten channels last", &graph.Flatten{ChannelsLast: true}, nil, []*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 1, 2, 3, 4)},
			[]int{1, 4}, []float32{1, 3, 2, 4}},
		{"flatten NCHW", &graph.Flatten{}, nil, []*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 1, 2, 3, 4)}, []int{1, 4}, []float32{1, 2, 3, 4}},
		{"dense", &graph.Dense{Units: 2, Bias: true}, map[string]*graph.Tensor{"weight": tensorOf([]int{2, 2}, 1, 2, 3, 4), "bias": tensorOf([]int{2}, 0.5, -1)},
			[]*graph.Tensor{tensorOf([]int{1, 2}, 1, 2)}, []int{1, 2}, []float32{5.5, 10}},
		{"dense flattens NCHW", &graph.Dense{Units: 1}, map[string]*graph.Tensor{"weight": tensorOf([]int{1, 4}, 1, 10, 100, 1000)},
			[]*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 1, 2, 3, 4)}, []int{1, 1}, []float32{4321}},
		// Per-channel bias broadcast from [1, 2, 1, 1].
		{"add broadcast", &graph.Eltwise{Type: graph.EltAdd}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 2, 1, 2}, 1, 2, 3, 4), tensorOf([]int{1, 2, 1, 1}, 10, 20)}, []int{1, 2, 1, 2}, []float32{11, 12, 23, 24}},
		{"sum with coefficients", &graph.Eltwise{Type: graph.EltAdd, Coeffs: []float32{1, -1, 2}}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 2}, 5, 6), tensorOf([]int{1, 2}, 1, 1), tensorOf([]int{1, 2}, 1, 2)}, []int{1, 2}, []float32{6, 9}},
		{"max", &graph.Eltwise{Type: graph.EltMax}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 3}, 1, 5, -2), tensorOf([]int{1, 3}, 4, 0, -3)}, []int{1, 3}, []float32{4, 5, -2}},
		{"concat channels", &graph.Concat{Axis: 1}, nil,
			[]*graph.Tensor{tensorOf([]int{1, 1, 1, 2}, 1, 2), tensorOf([]int{1, 2, 1, 2}, 3, 4, 5, 6)}, []int{1, 3, 1, 2}, []float32{1, 2, 3, 4, 5, 6}},
		// alpha/size = 1, beta = 1, bias = 1 over [1, 2, 3]:
		// 1/(1+1+4), 2/(1+1+4+9), 3/(1+4+9).
		{"lrn", &graph.LRN{Size: 3, Alpha: 3, Beta: 1, Bias: 1}, nil, []*graph.Tensor{tensorOf([]int{1, 3, 1, 1}, 1, 2, 3)},
			[]int{1, 3, 1, 1}, []float32{1.0 / 6, 2.0 / 15, 3.0 / 14}},
		{"dropout is identity", &graph.Dropout{Ratio: 0.5}, nil, []*graph.Tensor{x}, []int{1, 4}, []float32{-2, -0.5, 0, 3}},
	} {
		c.check(t)
	}
}

// Every value of a chain is returned, not only the output.
func TestRunReturnsEveryValue(t *testing.T) {
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 1, 2, 2}}},
		Nodes: []*graph.Node{
			{Name: "r", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"x"}, Outputs: []string{"r"}},
			{Name: "p", Op: &graph.Pool{Window: win(2, 2, [4]int{}), Type: graph.MaxPool}, Inputs: []string{"r"}, Outputs: []string{"p"}},
		},
		Outputs: []string{"p"},
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run([]float32{-1, 2, -3, 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := vals["r"].Data; got[0] != 0 || got[1] != 2 || got[2] != 0 || got[3] != 1 {
		t.Errorf("r = %v", got)
	}
	if vals["p"].Data[0] != 2 || vals["x"].Data[0] != -1 {
		t.Errorf("p = %v, x = %v", vals["p"].Data, vals["x"].Data)
	}
	if strings.Join(p.Values, ",") != "x,r,p" {
		t.Errorf("Values = %v", p.Values)
	}
	if _, err := p.Run([]float32{1}); err == nil || !strings.Contains(err.Error(), "needs 4 values") {
		t.Errorf("short input: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	conv := &graph.Conv{Window: win(3, 1, [4]int{}), OutChannels: 2}
	cases := []struct {
		name   string
		shape  graph.Shape
		params map[string]*graph.Tensor
		want   string
	}{
		{"no weights", graph.Shape{1, 1, 5, 5}, nil, "structure only"},
		{"kernel larger than input", graph.Shape{1, 1, 2, 2}, map[string]*graph.Tensor{"weight": ones(2, 1, 3, 3)}, "larger than the padded input"},
		{"wrong weight shape", graph.Shape{1, 1, 5, 5}, map[string]*graph.Tensor{"weight": ones(2, 2, 3, 3)}, "expected [2, 1, 3, 3]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &graph.Graph{Inputs: []graph.Value{{Name: "x", Shape: c.shape}},
				Nodes:   []*graph.Node{{Name: "c", Op: conv, Inputs: []string{"x"}, Outputs: []string{"c"}, Params: c.params}},
				Outputs: []string{"c"}}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			_, err := engine.Compile(g, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// swish is an operator the engine has no planner for.
type swish struct{ graph.Identity }

func (*swish) Kind() string { return "Swish" }

// TestUnsupportedOperator: an op type without a registered planner is
// reported by name, even when it embeds one that has a planner (the
// registry is keyed by the exact type).
func TestUnsupportedOperator(t *testing.T) {
	g := &graph.Graph{Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 2}}},
		Nodes:   []*graph.Node{{Name: "s", Op: &swish{}, Inputs: []string{"x"}, Outputs: []string{"s"}}},
		Outputs: []string{"s"}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := engine.Compile(g, 1)
	if err == nil || !strings.Contains(err.Error(), `node "s"`) || !strings.Contains(err.Error(), "does not support operator Swish") {
		t.Fatalf("error %v, want the engine not to support Swish", err)
	}
}
