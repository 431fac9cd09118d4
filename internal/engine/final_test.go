package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// A program that keeps only the outputs (buffers recycled, activations
// fused in place) computes the same outputs as one that keeps everything,
// run after run with different inputs: an inverted-residual block (1×1
// expand + ReLU6, depthwise 3×3 + ReLU6, 1×1 project, residual add), a
// residual block with a ReLU after the add, a view, a pool and a dense layer
// whose input is also a graph output.
func TestCompileFinalMatchesCompile(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	param := randParam(rng)
	conv := func(name, in string, c, oc, k, s, groups int) *graph.Node {
		pad := k / 2
		return &graph.Node{Name: name, Op: &graph.Conv{Window: win(k, s, [4]int{pad, pad, pad, pad}), OutChannels: oc, Groups: groups, Bias: true},
			Inputs: []string{in}, Outputs: []string{name},
			Params: map[string]*graph.Tensor{"weight": param(oc, c/groups, k, k), "bias": param(oc)}}
	}
	act := func(name, in string, f graph.ActFunc) *graph.Node {
		return &graph.Node{Name: name, Op: &graph.Activation{Func: f}, Inputs: []string{in}, Outputs: []string{name}}
	}
	add := func(name, a, b string) *graph.Node {
		return &graph.Node{Name: name, Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{a, b}, Outputs: []string{name}}
	}
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{2, 8, 15, 13}}},
		Nodes: []*graph.Node{
			conv("c0", "x", 8, 16, 3, 1, 1), act("r0", "c0", graph.Relu),
			conv("e1", "r0", 16, 48, 1, 1, 1), act("e1r", "e1", graph.Relu6),
			conv("d1", "e1r", 48, 48, 3, 1, 48), act("d1r", "d1", graph.Relu6),
			conv("p1", "d1r", 48, 16, 1, 1, 1), add("a1", "r0", "p1"),
			conv("b1", "a1", 16, 16, 3, 2, 1), act("b1r", "b1", graph.Relu),
			conv("b2", "b1r", 16, 32, 1, 1, 1), conv("sc", "a1", 16, 32, 1, 2, 1),
			add("a2", "b2", "sc"), act("a2r", "a2", graph.Relu),
			{Name: "pool", Op: &graph.Pool{Window: win(2, 2, [4]int{}), Type: graph.MaxPool}, Inputs: []string{"a2r"}, Outputs: []string{"pool"}},
			{Name: "flat", Op: &graph.Flatten{}, Inputs: []string{"pool"}, Outputs: []string{"flat"}},
			{Name: "fc", Op: &graph.Dense{Units: 10, Bias: true}, Inputs: []string{"flat"}, Outputs: []string{"fc"},
				Params: map[string]*graph.Tensor{"weight": param(10, 32*4*3), "bias": param(10)}},
		},
		Outputs: []string{"fc", "pool"},
	}
	all, final := compileBoth(t, g, 2)
	// CompileKeep also keeps named intermediate values: a fused activation,
	// an add and a convolution whose activation is fused.
	keep := []string{"e1r", "a2", "b1"}
	kept, err := engine.CompileKeep(g, 2, keep)
	if err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 3; run++ {
		x := make([]float32, 2*8*15*13)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		want, err := all.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		got, err := final.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		compare := func(got map[string]*graph.Tensor, names []string) {
			for _, name := range names {
				checkClose(t, fmt.Sprintf("run %d: %s", run, name), got[name], want[name].Data, 1e-5)
			}
		}
		compare(got, g.Outputs)
		got, err = kept.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		compare(got, append(keep, g.Outputs...))
	}
}

// PlanBytes counts the packed convolution weights: VGG-like and depthwise
// layers, by hand.
func TestPlanBytes(t *testing.T) {
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 3, 8, 8}}},
		Nodes: []*graph.Node{
			{Name: "c", Op: &graph.Conv{Window: win(3, 1, [4]int{1, 1, 1, 1}), OutChannels: 8}, Inputs: []string{"x"}, Outputs: []string{"c"},
				Params: map[string]*graph.Tensor{"weight": graph.NewTensor(8, 3, 3, 3)}},
			{Name: "d", Op: &graph.Conv{Window: win(3, 1, [4]int{1, 1, 1, 1}), OutChannels: 8, Groups: 8}, Inputs: []string{"c"}, Outputs: []string{"d"},
				Params: map[string]*graph.Tensor{"weight": graph.NewTensor(8, 1, 3, 3)}},
		},
		Outputs: []string{"d"},
	}
	n, err := engine.PlanBytes(g)
	if err != nil {
		t.Fatal(err)
	}
	// 8 output channels padded to 12 (two 6-row panels) × 27 taps × 4 bytes;
	// the depthwise layer packs nothing.
	if n != 12*27*4 {
		t.Errorf("PlanBytes = %d, want %d", n, 12*27*4)
	}
}

// randParam returns a maker of parameters of a given shape filled with
// N(0, 0.3²) values from rng.
func randParam(rng *rand.Rand) func(shape ...int) *graph.Tensor {
	return func(shape ...int) *graph.Tensor {
		p := graph.NewTensor(shape...)
		for i := range p.Data {
			p.Data[i] = float32(rng.NormFloat64()) * 0.3
		}
		return p
	}
}

// checkClose fails t unless got holds want within a relative tolerance.
func checkClose(t *testing.T, what string, got *graph.Tensor, want []float32, tol float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no value", what)
	}
	for i, w := range want {
		if v := got.Data[i]; math.Abs(float64(v-w)) > tol*(1+math.Abs(float64(w))) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, v, w)
		}
	}
}

// compileBoth validates g and compiles it keeping every value and keeping
// only the outputs.
func compileBoth(t *testing.T, g *graph.Graph, batch int) (all, final *engine.Program) {
	t.Helper()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	all, err := engine.Compile(g, batch)
	if err != nil {
		t.Fatal(err)
	}
	if final, err = engine.CompileFinal(g, batch); err != nil {
		t.Fatal(err)
	}
	return all, final
}
