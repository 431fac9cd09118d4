package analyze

import (
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

func node(name string, op graph.Op, in []string, out ...string) *graph.Node {
	if len(out) == 0 {
		out = []string{name}
	}
	return &graph.Node{Name: name, Op: op, Inputs: in, Outputs: out}
}

func layer(t *testing.T, r *Report, name string) Layer {
	t.Helper()
	for _, l := range r.Layers {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no layer %q", name)
	return Layer{}
}

// chain: x[3,8,8] → conv 3×3 pad 1 (4 ch, bias) → relu → maxpool 2/2 →
// flatten → dense 10 (bias) → softmax.
func chain(batch int) *graph.Graph {
	return &graph.Graph{
		Name:   "chain",
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{batch, 3, 8, 8}}},
		Nodes: []*graph.Node{
			node("conv", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 4, Bias: true}, []string{"x"}),
			node("relu", &graph.Activation{Func: graph.Relu}, []string{"conv"}),
			node("pool", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, Type: graph.MaxPool}, []string{"relu"}),
			node("flat", &graph.Flatten{Axis: 1}, []string{"pool"}),
			node("fc", &graph.Dense{Units: 10, Bias: true}, []string{"flat"}),
			node("prob", &graph.Softmax{Axis: 1}, []string{"fc"}),
		},
		Outputs: []string{"prob"},
	}
}

func TestChain(t *testing.T) {
	r, err := Analyze(chain(-1))
	if err != nil {
		t.Fatal(err)
	}
	// conv: 4·3·3·3 weights + 4 biases; out 4·8·8 = 256 cells × 27 MACs.
	conv := layer(t, r, "conv")
	if conv.Params != 112 || conv.MACs != 6912 || conv.ParamBytes != 448 {
		t.Errorf("conv params %d MACs %d bytes %d, want 112, 6912, 448", conv.Params, conv.MACs, conv.ParamBytes)
	}
	if !conv.OutputShapes[0].Equal(graph.Shape{4, 8, 8}) || !conv.InputShapes[0].Equal(graph.Shape{3, 8, 8}) {
		t.Errorf("conv shapes %v → %v", conv.InputShapes, conv.OutputShapes)
	}
	if c := layer(t, r, "relu").Cost; c.Comparisons != 256 {
		t.Errorf("relu cost %+v", c)
	}
	if c := layer(t, r, "pool").Cost; c.Comparisons != 64*3 {
		t.Errorf("pool cost %+v (want 64 outputs × 3 comparisons)", c)
	}
	fc := layer(t, r, "fc")
	if fc.Params != 650 || fc.MACs != 640 {
		t.Errorf("fc params %d MACs %d, want 650, 640", fc.Params, fc.MACs)
	}
	if c := layer(t, r, "prob").Cost; c != (graph.Cost{Exponentials: 10, Additions: 10, Divisions: 10}) {
		t.Errorf("softmax cost %+v", c)
	}
	if r.Params != 762 || r.MACs != 7552 {
		t.Errorf("totals: params %d MACs %d, want 762, 7552", r.Params, r.MACs)
	}
	if r.Cost.Comparisons != 256+192 {
		t.Errorf("total comparisons %d", r.Cost.Comparisons)
	}
	// Activations: 192 + 256 + 256 + 64 + 64 + 10 + 10 elements.
	if r.ActivationElems != 852 || r.ActivationBytes != 852*4 {
		t.Errorf("activations %d elems %d bytes", r.ActivationElems, r.ActivationBytes)
	}
	// Peak: while conv runs, x (768 B) and conv (1024 B) are live; relu
	// overwrites conv in place, flatten is a view, everything after is
	// smaller.
	if r.PeakActivationBytes != 1792 || r.PeakLayer != "conv" {
		t.Errorf("peak %d at %s, want 1792 at conv", r.PeakActivationBytes, r.PeakLayer)
	}
	if !layer(t, r, "relu").Shared || !layer(t, r, "flat").Shared || layer(t, r, "prob").Shared {
		t.Errorf("shared flags: relu %v flat %v prob %v", layer(t, r, "relu").Shared, layer(t, r, "flat").Shared, layer(t, r, "prob").Shared)
	}
	if r.Layers[0].Name != "x" || r.Layers[0].Type != InputKind || !r.Inputs[0].Shape.Equal(graph.Shape{3, 8, 8}) {
		t.Errorf("input entry %+v, inputs %v", r.Layers[0], r.Inputs)
	}
}

func TestPerImage(t *testing.T) {
	a, err := Analyze(chain(1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Analyze(chain(10)) // the file's batch does not matter
	if err != nil {
		t.Fatal(err)
	}
	if a.MACs != b.MACs || a.Params != b.Params || a.PeakActivationBytes != b.PeakActivationBytes || a.ActivationBytes != b.ActivationBytes {
		t.Errorf("batch 1 %+v vs batch 10 %+v", a, b)
	}
}

func TestResidualPeak(t *testing.T) {
	// x[2,4,4] (128 B) → a = relu(x) (x still needed: not in place) →
	// b = x + a. While b runs, x, a and b are live: 384 B.
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 2, 4, 4}}},
		Nodes: []*graph.Node{
			node("a", &graph.Activation{Func: graph.Relu}, []string{"x"}),
			node("b", &graph.Eltwise{Type: graph.EltAdd}, []string{"x", "a"}),
		},
		Outputs: []string{"b"},
	}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	if r.PeakActivationBytes != 384 || r.PeakLayer != "b" {
		t.Errorf("peak %d at %s, want 384 at b", r.PeakActivationBytes, r.PeakLayer)
	}
	if layer(t, r, "a").Shared {
		t.Error("relu of a value read later must not be in place")
	}
	if c := layer(t, r, "b").Cost; c.Additions != 32 {
		t.Errorf("add cost %+v", c)
	}
}

func TestOutputsStayLive(t *testing.T) {
	// Two outputs: the first (256 B) stays live while the second is made.
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 64}}},
		Nodes: []*graph.Node{
			node("o1", &graph.Dense{Units: 64}, []string{"x"}),
			node("h", &graph.Dense{Units: 64}, []string{"x"}),
			node("o2", &graph.Dense{Units: 64}, []string{"h"}),
		},
		Outputs: []string{"o1", "o2"},
	}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	// At h: x, o1, h live (768); at o2: o1, h, o2 (768) — x is freed after h.
	if r.PeakActivationBytes != 768 {
		t.Errorf("peak %d, want 768", r.PeakActivationBytes)
	}
	if r.MACs != 3*64*64 {
		t.Errorf("MACs %d", r.MACs)
	}
}

func TestParamsCounting(t *testing.T) {
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 5, 2, 2}}},
		Nodes: []*graph.Node{
			node("bn_caffe", &graph.BatchNorm{NoAffine: true}, []string{"x"}),
			node("scale", &graph.Affine{Bias: true}, []string{"bn_caffe"}),
			node("bn", &graph.BatchNorm{}, []string{"scale"}),
			node("deconv", &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, OutChannels: 2}, []string{"bn"}),
			node("prelu", &graph.PRelu{}, []string{"deconv"}),
		},
		Outputs: []string{"prelu"},
	}
	// With tensors on the first node: counted from them, the same.
	g.Nodes[0].Params = map[string]*graph.Tensor{"mean": graph.NewTensor(5), "var": graph.NewTensor(5)}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		params, bytes int64
		macs          int64
	}{
		{"bn_caffe", 0, 40, 0}, // mean and var are statistics
		{"scale", 10, 40, 0},   // a Caffe BatchNorm+Scale pair counts 2·C
		{"bn", 10, 80, 0},      // a BatchNorm with its own scale and bias
		// in 5·2·2 = 20 cells, each times a 2·2·2 slab.
		{"deconv", 5 * 2 * 2 * 2, 160, 20 * 2 * 4},
		{"prelu", 2, 8, 0},
	} {
		l := layer(t, r, c.name)
		if l.Params != c.params || l.ParamBytes != c.bytes || l.MACs != c.macs {
			t.Errorf("%s: params %d bytes %d MACs %d, want %d %d %d", c.name, l.Params, l.ParamBytes, l.MACs, c.params, c.bytes, c.macs)
		}
	}
	if !layer(t, r, "deconv").OutputShapes[0].Equal(graph.Shape{2, 4, 4}) {
		t.Errorf("deconv output %v", layer(t, r, "deconv").OutputShapes)
	}
}

func TestMatMul(t *testing.T) {
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "a", Shape: graph.Shape{1, 3, 4}}, {Name: "b", Shape: graph.Shape{1, 4, 5}}},
		Nodes:  []*graph.Node{node("mm", &graph.MatMul{}, []string{"a", "b"})},
	}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	if r.MACs != 3*5*4 || len(r.Layers) != 3 {
		t.Errorf("MatMul MACs %d, layers %d", r.MACs, len(r.Layers))
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		g    *graph.Graph
		want string
	}{
		{"cycle", &graph.Graph{
			Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 2}}},
			Nodes: []*graph.Node{
				node("a", &graph.Eltwise{Type: graph.EltAdd}, []string{"x", "b"}),
				node("b", &graph.Activation{Func: graph.Relu}, []string{"a"}),
			},
		}, "cycle"},
		{"missing", &graph.Graph{
			Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 2}}},
			Nodes:  []*graph.Node{node("a", &graph.Activation{Func: graph.Relu}, []string{"y"})},
		}, `"y"`},
		{"unknown size", &graph.Graph{
			Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{-1, 3, -1, -1}}},
			Nodes:  []*graph.Node{node("a", &graph.Activation{Func: graph.Relu}, []string{"x"})},
		}, "unknown size"},
		{"huge weights", &graph.Graph{
			Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 1 << 20}}},
			Nodes:  []*graph.Node{node("fc", &graph.Dense{Units: 1 << 20}, []string{"x"})},
		}, "more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Analyze(c.g)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := Analyze(nil); err == nil {
		t.Error("nil graph")
	}
}
