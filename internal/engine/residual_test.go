package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// A residual block: a = conv(x) (any kernel: direct, strided through the
// column matrix, pointwise, grouped, depthwise), s = a + skip, r = ReLU(s),
// where skip is another convolution of x computed before or after a, or the
// graph input itself. The add (and the ReLU) are fused into whichever
// convolution runs last; every value Compile keeps, and the outputs of
// CompileFinal, equal the reference convolution (tensor.Conv2D) plus the
// skip, then max(0, ·), at batch 2 and over repeated runs.
func TestResidualAddFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	param := randParam(rng)
	type conv struct{ k, s, groups int }
	for _, tc := range []struct {
		name      string
		c, oc     int
		h, w      int
		main, sc  conv
		skipFirst bool // the skip convolution is planned before the main one
		swap      bool // add(skip, main) instead of add(main, skip)
		identity  bool // the skip is x itself (c == oc, stride 1)
		relu      bool
		extra     bool // the main convolution's output has a second reader
	}{
		{name: "pointwise + identity", c: 16, oc: 16, h: 9, w: 11, main: conv{1, 1, 1}, identity: true, relu: true},
		{name: "pointwise, skip conv after", c: 8, oc: 24, h: 7, w: 13, main: conv{1, 1, 1}, sc: conv{1, 1, 1}, relu: true},
		{name: "pointwise, skip conv before, swapped", c: 8, oc: 24, h: 7, w: 13, main: conv{1, 1, 1}, sc: conv{1, 1, 1}, skipFirst: true, swap: true, relu: true},
		{name: "3x3 pad direct", c: 5, oc: 13, h: 17, w: 23, main: conv{3, 1, 1}, sc: conv{1, 1, 1}, skipFirst: true, relu: true},
		{name: "3x3 stride 2 (column matrix), no relu", c: 6, oc: 10, h: 15, w: 12, main: conv{3, 2, 1}, sc: conv{1, 2, 1}, skipFirst: true},
		{name: "1x1 stride 2 both", c: 12, oc: 32, h: 14, w: 14, main: conv{1, 2, 1}, sc: conv{1, 2, 1}, relu: true},
		{name: "grouped 3x3", c: 12, oc: 18, h: 10, w: 9, main: conv{3, 1, 3}, sc: conv{1, 1, 1}, skipFirst: true, relu: true},
		{name: "depthwise 3x3 + identity", c: 24, oc: 24, h: 14, w: 14, main: conv{3, 1, 24}, identity: true, relu: true},
		{name: "depthwise 5x5 stride 2", c: 16, oc: 16, h: 19, w: 9, main: conv{5, 2, 16}, sc: conv{1, 2, 1}, skipFirst: true, relu: true},
		{name: "conv output read twice", c: 16, oc: 16, h: 9, w: 11, main: conv{1, 1, 1}, identity: true, relu: true, extra: true},
		{name: "wide pointwise (split over cores)", c: 64, oc: 128, h: 28, w: 28, main: conv{1, 1, 1}, sc: conv{1, 1, 1}, skipFirst: true, relu: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type convNode struct {
				node *graph.Node
				geom tensor.ConvGeom
			}
			mk := func(name string, cv conv) convNode {
				pad := cv.k / 2
				oh, ow := (tc.h+2*pad-cv.k)/cv.s+1, (tc.w+2*pad-cv.k)/cv.s+1
				return convNode{
					node: &graph.Node{Name: name, Op: &graph.Conv{Window: win(cv.k, cv.s, [4]int{pad, pad, pad, pad}), OutChannels: tc.oc, Groups: cv.groups, Bias: true},
						Inputs: []string{"x"}, Outputs: []string{name},
						Params: map[string]*graph.Tensor{"weight": param(tc.oc, tc.c/cv.groups, cv.k, cv.k), "bias": param(tc.oc)}},
					geom: tensor.ConvGeom{N: 2, C: tc.c, H: tc.h, W: tc.w, OC: tc.oc, OH: oh, OW: ow, KH: cv.k, KW: cv.k,
						SH: cv.s, SW: cv.s, DH: 1, DW: 1, PadT: pad, PadL: pad, Groups: cv.groups},
				}
			}
			main := mk("a", tc.main)
			nodes := []*graph.Node{main.node}
			skip := "x"
			var sc convNode
			if !tc.identity {
				sc = mk("sc", tc.sc)
				skip = "sc"
				if tc.skipFirst {
					nodes = []*graph.Node{sc.node, main.node}
				} else {
					nodes = append(nodes, sc.node)
				}
			}
			ins := []string{"a", skip}
			if tc.swap {
				ins = []string{skip, "a"}
			}
			nodes = append(nodes, &graph.Node{Name: "s", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: ins, Outputs: []string{"s"}})
			outs := []string{"s"}
			if tc.relu {
				nodes = append(nodes, &graph.Node{Name: "r", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"s"}, Outputs: []string{"r"}})
				outs = []string{"r"}
			}
			if tc.extra {
				nodes = append(nodes, &graph.Node{Name: "t", Op: &graph.Activation{Func: graph.Tanh}, Inputs: []string{"a"}, Outputs: []string{"t"}})
				outs = append(outs, "t")
			}
			g := &graph.Graph{Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{2, tc.c, tc.h, tc.w}}}, Nodes: nodes, Outputs: outs}
			all, final := compileBoth(t, g, 2)
			for run := 0; run < 2; run++ {
				x := make([]float32, 2*tc.c*tc.h*tc.w)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				want := map[string][]float32{}
				ref := func(cn convNode) []float32 {
					y := make([]float32, 2*tc.oc*cn.geom.OH*cn.geom.OW)
					tensor.Conv2D(y, x, cn.node.Params["weight"].Data, cn.node.Params["bias"].Data, cn.geom)
					return y
				}
				want["a"] = ref(main)
				sk := x
				if !tc.identity {
					sk = ref(sc)
					want["sc"] = sk
				}
				want["s"] = make([]float32, len(want["a"]))
				want["r"] = make([]float32, len(want["a"]))
				want["t"] = make([]float32, len(want["a"]))
				for i, v := range want["a"] {
					want["s"][i] = v + sk[i]
					want["r"][i] = max(0, v+sk[i])
					want["t"][i] = float32(math.Tanh(float64(v)))
				}
				vals, err := all.Run(x)
				if err != nil {
					t.Fatal(err)
				}
				check := func(mode string, vals map[string]*graph.Tensor, names []string) {
					for _, name := range names {
						checkClose(t, fmt.Sprintf("%s run %d: %s", mode, run, name), vals[name], want[name], 1e-4)
					}
				}
				kept := []string{"a", "s"}
				if !tc.identity {
					kept = append(kept, "sc")
				}
				check("Compile", vals, append(kept, outs...))
				vals, err = final.Run(x)
				if err != nil {
					t.Fatal(err)
				}
				check("CompileFinal", vals, outs)
			}
		})
	}
}

// An add whose operands differ in shape (broadcast) or that scales them
// is not fused and still computes its definition.
func TestResidualNotFusedWhenBroadcast(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	w := graph.NewTensor(4, 3, 1, 1)
	for i := range w.Data {
		w.Data[i] = float32(rng.NormFloat64())
	}
	bias := graph.NewTensor(1, 4, 1, 1)
	for i := range bias.Data {
		bias.Data[i] = float32(i + 1)
	}
	for _, coeffs := range [][]float32{nil, {2, 1}} {
		t.Run(fmt.Sprint(coeffs), func(t *testing.T) {
			g := &graph.Graph{
				Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 3, 5, 6}}},
				Nodes: []*graph.Node{
					{Name: "a", Op: &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: 4}, Inputs: []string{"x"}, Outputs: []string{"a"},
						Params: map[string]*graph.Tensor{"weight": w}},
					{Name: "b", Op: &graph.Const{Shape: graph.Shape{1, 4, 1, 1}}, Outputs: []string{"b"}, Params: map[string]*graph.Tensor{"value": bias}},
					{Name: "s", Op: &graph.Eltwise{Type: graph.EltAdd, Coeffs: coeffs}, Inputs: []string{"a", "b"}, Outputs: []string{"s"}},
				},
				Outputs: []string{"s"},
			}
			if coeffs != nil {
				g.Nodes[1] = &graph.Node{Name: "b", Op: &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: 4}, Inputs: []string{"x"}, Outputs: []string{"b"},
					Params: map[string]*graph.Tensor{"weight": w}}
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			x := make([]float32, 3*5*6)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			for _, compile := range []func(*graph.Graph, int) (*engine.Program, error){engine.Compile, engine.CompileFinal} {
				p, err := compile(g, 1)
				if err != nil {
					t.Fatal(err)
				}
				vals, err := p.Run(x)
				if err != nil {
					t.Fatal(err)
				}
				for c := 0; c < 4; c++ {
					for i := 0; i < 30; i++ {
						var a float32
						for ic := 0; ic < 3; ic++ {
							a += w.Data[c*3+ic] * x[ic*30+i]
						}
						want := a + bias.Data[c] // broadcast per channel
						if coeffs != nil {
							want = 2*a + a
						}
						if got := vals["s"].Data[c*30+i]; math.Abs(float64(got-want)) > 1e-5*(1+math.Abs(float64(want))) {
							t.Fatalf("s[%d,%d] = %v, want %v", c, i, got, want)
						}
					}
				}
			}
		})
	}
}

// RunTimed computes what Run computes and times each node's step: the
// nodes fused into a convolution (add, ReLU) take none of their own; too
// few step times is an error.
func TestRunTimed(t *testing.T) {
	w := graph.NewTensor(4, 4, 1, 1)
	for i := range w.Data {
		w.Data[i] = float32(i%5) - 2
	}
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 4, 3, 3}}},
		Nodes: []*graph.Node{
			{Name: "a", Op: &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: 4}, Inputs: []string{"x"}, Outputs: []string{"a"},
				Params: map[string]*graph.Tensor{"weight": w}},
			{Name: "s", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{"a", "x"}, Outputs: []string{"s"}},
			{Name: "r", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"s"}, Outputs: []string{"r"}},
		},
		Outputs: []string{"r"},
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 36)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	times := make([]time.Duration, 3)
	for i := range times {
		times[i] = -1
	}
	vals, err := p.RunTimed(times, x)
	if err != nil {
		t.Fatal(err)
	}
	if times[0] <= 0 || times[1] != 0 || times[2] != 0 {
		t.Errorf("step times %v: want the convolution's > 0, the fused add's and ReLU's 0", times)
	}
	for c := 0; c < 4; c++ {
		for i := 0; i < 9; i++ {
			var a float32
			for ic := 0; ic < 4; ic++ {
				a += w.Data[c*4+ic] * x[ic*9+i]
			}
			if want, got := max(0, a+x[c*9+i]), vals["r"].Data[c*9+i]; got != want {
				t.Fatalf("r[%d,%d] = %v, want %v", c, i, got, want)
			}
		}
	}
	if _, err := p.RunTimed(times[:2], x); err == nil || !strings.Contains(err.Error(), "2 step times for 3 nodes") {
		t.Errorf("RunTimed with 2 times for 3 nodes: %v", err)
	}
}
