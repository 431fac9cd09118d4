package graph

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func relu(name, in string) *Node {
	return &Node{Name: name, Op: &Activation{Func: Relu}, Inputs: []string{in}, Outputs: []string{name}}
}

func TestValidateSortsTopologically(t *testing.T) {
	g := &Graph{Inputs: []Value{{Name: "x", Shape: Shape{1, 1, 2, 2}}},
		Nodes:   []*Node{relu("c", "b"), relu("a", "x"), relu("b", "a")},
		Outputs: []string{"c"}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, n := range g.Nodes {
		order = append(order, n.Name)
	}
	if strings.Join(order, ",") != "a,b,c" {
		t.Fatalf("order %v", order)
	}
}

func TestValidateErrors(t *testing.T) {
	in := []Value{{Name: "x", Shape: Shape{1, 3}}}
	cases := []struct {
		name string
		g    *Graph
		want string
	}{
		{"cycle", &Graph{Inputs: in, Nodes: []*Node{relu("a", "b"), relu("b", "a")}}, "cycle"},
		{"self loop", &Graph{Inputs: in, Nodes: []*Node{relu("a", "a")}}, "cycle"},
		{"missing input", &Graph{Inputs: in, Nodes: []*Node{relu("a", "nope")}}, `reads "nope"`},
		{"duplicate name", &Graph{Inputs: in, Nodes: []*Node{relu("a", "x"), relu("a", "x")}}, "two nodes"},
		{"no input", &Graph{Nodes: []*Node{relu("a", "x")}}, "no input"},
		{"bad output", &Graph{Inputs: in, Nodes: []*Node{relu("a", "x")}, Outputs: []string{"zz"}}, `output "zz"`},
		{"param size", &Graph{Inputs: in, Nodes: []*Node{{Name: "d", Op: &Dense{Units: 2}, Inputs: []string{"x"}, Outputs: []string{"d"},
			Params: map[string]*Tensor{"weight": {Shape: []int{2, 3}, Data: make([]float32, 5)}}}}}, "has 5 values"},
		{"huge param", &Graph{Inputs: in, Nodes: []*Node{{Name: "d", Op: &Dense{Units: 2}, Inputs: []string{"x"}, Outputs: []string{"d"},
			Params: map[string]*Tensor{"weight": {Shape: []int{1 << 20, 1 << 20}}}}}}, "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.g.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

// A deep chain (longer than any recursion would survive comfortably) sorts.
func TestValidateDeepChain(t *testing.T) {
	g := &Graph{Inputs: []Value{{Name: "n0", Shape: Shape{1, 1}}}}
	const depth = 20000
	for i := depth; i >= 1; i-- { // reversed order forces the sort to work
		g.Nodes = append(g.Nodes, relu(name(i), name(i-1)))
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if g.Nodes[0].Name != "n1" || g.Nodes[depth-1].Name != name(depth) {
		t.Fatalf("first %s last %s", g.Nodes[0].Name, g.Nodes[depth-1].Name)
	}
}

func name(i int) string { return "n" + itoa(i) }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestWindowResolve(t *testing.T) {
	cases := []struct {
		name   string
		w      Window
		h, wd  int
		ceil   bool
		oh, ow int
		pads   [4]int
	}{
		{"valid", Window{Kernel: [2]int{3, 3}}, 64, 64, false, 62, 62, [4]int{}},
		{"stride 2 floor", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}}, 6, 6, false, 2, 2, [4]int{}},
		{"stride 2 ceil", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}}, 6, 6, true, 3, 3, [4]int{}},
		// AlexNet pool1: 55 → 27 either way; GoogLeNet pool1: 112, k3 s2 → 56 with ceil.
		{"alexnet pool", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}}, 55, 55, true, 27, 27, [4]int{}},
		{"googlenet pool", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}}, 112, 112, true, 56, 56, [4]int{}},
		// The last window would start in the end padding: dropped.
		{"ceil clipped", Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}}, 5, 5, true, 3, 3, [4]int{1, 1, 1, 1}},
		{"same upper", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, AutoPad: PadSameUpper}, 4, 5, false, 2, 3, [4]int{0, 1, 1, 1}},
		{"same lower", Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, AutoPad: PadSameLower}, 4, 5, false, 2, 3, [4]int{1, 1, 0, 1}},
		{"dilation", Window{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}}, 7, 7, false, 3, 3, [4]int{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, oh, ow, err := c.w.Resolve(c.h, c.wd, c.ceil)
			if err != nil {
				t.Fatal(err)
			}
			if oh != c.oh || ow != c.ow || r.Pads != c.pads {
				t.Fatalf("out %d×%d pads %v, want %d×%d pads %v", oh, ow, r.Pads, c.oh, c.ow, c.pads)
			}
		})
	}
	if _, _, _, err := (Window{Kernel: [2]int{5, 5}}).Resolve(3, 3, false); err == nil {
		t.Error("kernel larger than input accepted")
	}
	if _, _, _, err := (Window{Kernel: [2]int{0, 3}}).Resolve(3, 3, false); err == nil {
		t.Error("zero kernel accepted")
	}
}

func TestBroadcast(t *testing.T) {
	cases := []struct {
		a, b, want Shape
		ok         bool
	}{
		{Shape{2, 3, 4}, Shape{4}, Shape{2, 3, 4}, true},
		{Shape{1, 3, 1}, Shape{2, 1, 5}, Shape{2, 3, 5}, true},
		{Shape{}, Shape{2}, Shape{2}, true},
		{Shape{2, 3}, Shape{3, 2}, nil, false},
	}
	for _, c := range cases {
		got, err := Broadcast(c.a, c.b)
		if (err == nil) != c.ok || (c.ok && !got.Equal(c.want)) {
			t.Errorf("Broadcast(%v, %v) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
}

func TestInferShapesTinyChainAndParamCount(t *testing.T) {
	g := &Graph{Inputs: []Value{{Name: "x", Shape: Shape{-1, 3, 64, 64}}},
		Nodes: []*Node{
			{Name: "c", Op: &Conv{Window: Window{Kernel: [2]int{3, 3}}, OutChannels: 10, Bias: true}, Inputs: []string{"x"}, Outputs: []string{"c"},
				Params: map[string]*Tensor{"weight": NewTensor(10, 3, 3, 3), "bias": NewTensor(10)}},
			{Name: "p", Op: &Pool{Window: Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, Type: MaxPool}, Inputs: []string{"c"}, Outputs: []string{"p"}},
			{Name: "f", Op: &Flatten{ChannelsLast: true}, Inputs: []string{"p"}, Outputs: []string{"f"}},
			{Name: "d", Op: &Dense{Units: 10, Bias: true}, Inputs: []string{"f"}, Outputs: []string{"d"}},
			{Name: "s", Op: &Softmax{Axis: 1}, Inputs: []string{"d"}, Outputs: []string{"s"}},
		},
		Outputs: []string{"s"}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	shapes, err := g.InferShapes(4)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]Shape{"x": {4, 3, 64, 64}, "c": {4, 10, 62, 62}, "p": {4, 10, 31, 31}, "f": {4, 9610}, "s": {4, 10}} {
		if !shapes[v].Equal(want) {
			t.Errorf("%s: %v, want %v", v, shapes[v], want)
		}
	}
	if err := g.HasWeights(shapes); err == nil || !strings.Contains(err.Error(), `"d"`) {
		t.Errorf("HasWeights: %v (the dense layer has no weights)", err)
	}
	if n := g.Nodes[0].ParamCount(); n != 280 {
		t.Errorf("conv params %d, want 10·3·3·3+10 = 280", n)
	}
	if h := g.ClassifierHead(); h.Logits != "d" || h.Probs != "s" {
		t.Errorf("head %+v", h)
	}
}

// TestNames: Unique hands out base, base#2, base#3… skipping taken names,
// as a search from 2 would; Free does not take.
func TestNames(t *testing.T) {
	s := NewNames("#")
	s.Add("a#3")
	var got []string
	for range 4 {
		got = append(got, s.Unique("a"))
	}
	if want := []string{"a", "a#2", "a#4", "a#5"}; !slices.Equal(got, want) {
		t.Fatalf("Unique: %v, want %v", got, want)
	}
	if f := s.Free("b"); f != "b" || s.Free("b") != "b" || s.Has("b") {
		t.Fatalf("Free took b")
	}
	s.Add("b")
	if f := s.Free("b"); f != "b#2" || s.Free("b") != "b#2" {
		t.Fatalf("Free(b) = %s after b was taken", f)
	}
	// Linear: 20,000 names of one base, each checked for uniqueness.
	seen := map[string]bool{}
	for range 20000 {
		n := s.Unique("x")
		if seen[n] {
			t.Fatalf("%s handed out twice", n)
		}
		seen[n] = true
	}
}

// A node without any of its parameters is reported by its weight, every
// time (the parameters are a map: the order must not leak into messages).
func TestHasWeightsNamesTheWeightFirst(t *testing.T) {
	g := &Graph{Inputs: []Value{{Name: "x", Shape: Shape{1, 3, 8, 8}}},
		Nodes:   []*Node{{Name: "c", Type: "Convolution", Op: &Conv{Window: Window{Kernel: [2]int{3, 3}}, OutChannels: 4, Bias: true}, Inputs: []string{"x"}, Outputs: []string{"y"}}},
		Outputs: []string{"y"}}
	shapes, err := g.InferShapes(1)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		err := g.HasWeights(shapes)
		var m *MissingWeightsError
		if !errors.As(err, &m) || m.Param != "weight" {
			t.Fatalf("HasWeights: %v, want the missing weight named", err)
		}
	}
}
