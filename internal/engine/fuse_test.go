package engine_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// A convolution followed by activations (the first is fused into the
// convolution's output pass): every value — the convolution's output, the
// fused Relu6, a second, unfused activation of the same output and an add
// — equals the reference convolution (tensor.Conv2D) and element-wise
// definitions, for full, depthwise and pointwise convolutions at batch 2.
func TestFusedActivationKeepsEveryValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name         string
		c, oc, k, s  int
		groups, h, w int
	}{
		{"3x3 pad stride 1", 5, 13, 3, 1, 1, 17, 23},
		{"3x3 stride 2", 4, 8, 3, 2, 1, 15, 12},
		{"depthwise 3x3", 24, 24, 3, 1, 24, 14, 14},
		{"depthwise 5x5 stride 2", 16, 16, 5, 2, 16, 19, 9},
		{"pointwise", 40, 96, 1, 1, 1, 7, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pad := tc.k / 2
			op := &graph.Conv{Window: win(tc.k, tc.s, [4]int{pad, pad, pad, pad}), OutChannels: tc.oc, Groups: tc.groups, Bias: true}
			wt := graph.NewTensor(tc.oc, tc.c/tc.groups, tc.k, tc.k)
			bt := graph.NewTensor(tc.oc)
			for _, d := range [][]float32{wt.Data, bt.Data} {
				for i := range d {
					d[i] = float32(rng.NormFloat64())
				}
			}
			g := &graph.Graph{
				Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{2, tc.c, tc.h, tc.w}}},
				Nodes: []*graph.Node{
					{Name: "conv", Op: op, Inputs: []string{"x"}, Outputs: []string{"y"}, Params: map[string]*graph.Tensor{"weight": wt, "bias": bt}},
					{Name: "r6", Op: &graph.Activation{Func: graph.Relu6}, Inputs: []string{"y"}, Outputs: []string{"r6"}},
					{Name: "tanh", Op: &graph.Activation{Func: graph.Tanh}, Inputs: []string{"y"}, Outputs: []string{"th"}},
					{Name: "sum", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{"r6", "th"}, Outputs: []string{"s"}},
				},
				Outputs: []string{"s"},
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			p, err := engine.Compile(g, 2)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, 2*tc.c*tc.h*tc.w)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			vals, err := p.Run(x)
			if err != nil {
				t.Fatal(err)
			}
			ys := vals["y"].Shape
			geom := tensor.ConvGeom{N: 2, C: tc.c, H: tc.h, W: tc.w, OC: tc.oc, OH: ys[2], OW: ys[3],
				KH: tc.k, KW: tc.k, SH: tc.s, SW: tc.s, DH: 1, DW: 1, PadT: pad, PadL: pad, Groups: tc.groups}
			y := make([]float32, len(vals["y"].Data))
			tensor.Conv2D(y, x, wt.Data, bt.Data, geom)
			for i, v := range y {
				r6 := min(max(v, 0), 6)
				th := float32(math.Tanh(float64(v)))
				for name, want := range map[string]float32{"y": v, "r6": r6, "th": th, "s": r6 + th} {
					if got := vals[name].Data[i]; math.Abs(float64(got-want)) > 1e-4*(1+math.Abs(float64(want))) {
						t.Fatalf("%s[%d] = %v, want %v", name, i, got, want)
					}
				}
			}
		})
	}
}
