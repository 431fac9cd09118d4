package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// Finite-difference checks of every backward pass.
//
// The network computes in float32, so the checks use central differences
// with step h = 5e-3 on a float64 loss L = Σ r·y (r random) and accept
//
//	|analytic − numeric| ≤ 4e-3 + 2e-2·|numeric|
//
// (float32 rounding of L is about 1e-7·|L|, i.e. ~1e-5·|L|/h in the
// difference quotient; the O(h²) truncation term is below 1e-4 for these
// smooth inputs). Inputs of non-smooth operators (ReLU, Clip, max pooling,
// Max/Min) are chosen at least 2h away from their kinks.

const (
	fdStep = 5e-3
	fdAbs  = 4e-3
	fdRel  = 2e-2
)

// op builds a one-input node reading from.
func op(name string, o graph.Op, from ...string) *graph.Node {
	if len(from) == 0 {
		from = []string{"input"}
	}
	return &graph.Node{Name: name, Type: o.Kind(), Op: o, Inputs: from, Outputs: []string{name}}
}

// buildGraph makes a graph of nodes with random parameters; the output is
// the last node.
func buildGraph(t testing.TB, in graph.Shape, rng *rand.Rand, nodes ...*graph.Node) *graph.Graph {
	t.Helper()
	g := &graph.Graph{Name: "test", Inputs: []graph.Value{{Name: "input", Shape: append(graph.Shape{-1}, in...)}}, Nodes: nodes,
		Outputs: []string{nodes[len(nodes)-1].Outputs[0]}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes {
		ins := make([]graph.Shape, len(n.Inputs))
		for i, name := range n.Inputs {
			ins[i] = shapes[name]
		}
		want := n.Op.ParamShapes(ins)
		names := make([]string, 0, len(want))
		for name := range want {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			s := want[name]
			if n.Params == nil {
				n.Params = map[string]*graph.Tensor{}
			}
			if n.Params[name] != nil {
				continue
			}
			p := graph.NewTensor(s...)
			for i := range p.Data {
				switch name {
				case "var":
					p.Data[i] = float32(0.5 + rng.Float64())
				case "scale":
					p.Data[i] = float32(0.5 + rng.Float64())
				default:
					p.Data[i] = float32(rng.NormFloat64() * 0.5)
				}
			}
			n.Params[name] = p
		}
	}
	return g
}

func randInput(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// awayFromZero pushes values out of (−gap, gap).
func awayFromZero(x []float32, gap float32) {
	for i, v := range x {
		if v >= 0 && v < gap {
			x[i] = v + gap
		} else if v < 0 && v > -gap {
			x[i] = v - gap
		}
	}
}

// distinct fills x with well-separated values (no ties in max pooling).
func distinct(rng *rand.Rand, x []float32) {
	for i, p := range rng.Perm(len(x)) {
		x[i] = float32(p)*0.05 - float32(len(x))*0.025
	}
}

// checkGrads compares the backward pass of g at x (batch images) with
// central differences, for the input and every parameter.
func checkGrads(t *testing.T, g *graph.Graph, x []float32, batch int, training bool) {
	t.Helper()
	nt, err := New(g, batch, Options{Workers: 2, Shards: 3, InputGrad: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	if err := nt.Forward(x, batch, training); err != nil {
		t.Fatal(err)
	}
	r := randInput(rng, len(nt.Output()))
	loss := func() float64 {
		if err := nt.Forward(x, batch, training); err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, v := range nt.Output() {
			s += float64(r[i]) * float64(v)
		}
		return s
	}
	loss()
	nt.backwardFrom(r)
	inGrad := append([]float32(nil), nt.in.grad[:len(x)]...)
	compare := func(what string, data []float32, analytic []float32) {
		t.Helper()
		idx := rng.Perm(len(data))
		if len(idx) > 40 {
			idx = idx[:40]
		}
		for _, i := range idx {
			old := data[i]
			data[i] = old + fdStep
			lp := loss()
			data[i] = old - fdStep
			lm := loss()
			data[i] = old
			num := (lp - lm) / (2 * fdStep)
			a := float64(analytic[i])
			if math.Abs(a-num) > fdAbs+fdRel*math.Abs(num) {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", what, i, a, num)
			}
		}
	}
	compare("input", x, inGrad)
	for _, p := range nt.Params() {
		compare(p.Node+"."+p.Name, p.T.Data, append([]float32(nil), p.Grad...))
	}
}

func conv(c graph.Conv) *graph.Conv { return &c }

func TestGradConv(t *testing.T) {
	cases := []struct {
		name string
		in   graph.Shape
		op   *graph.Conv
	}{
		{"3x3 valid", graph.Shape{2, 6, 6}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}}, OutChannels: 3, Bias: true})},
		{"stride 2 asymmetric pads", graph.Shape{3, 7, 6}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 2}, Stride: [2]int{2, 2}, Pads: [4]int{1, 0, 2, 1}}, OutChannels: 2, Bias: true})},
		{"dilation 2 same", graph.Shape{2, 7, 7}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}, AutoPad: graph.PadSameUpper}, OutChannels: 2})},
		{"groups 2", graph.Shape{4, 5, 5}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 6, Groups: 2, Bias: true})},
		{"depthwise stride 2 dilation", graph.Shape{3, 8, 8}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 1}, Dilation: [2]int{1, 2}, Pads: [4]int{1, 2, 1, 2}}, OutChannels: 3, Groups: 3, Bias: true})},
		{"1x1 direct", graph.Shape{3, 4, 5}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{1, 1}}, OutChannels: 4, Bias: true})},
		{"1x1 stride 2", graph.Shape{3, 5, 5}, conv(graph.Conv{Window: graph.Window{Kernel: [2]int{1, 1}, Stride: [2]int{2, 2}}, OutChannels: 2, Groups: 1})},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			g := buildGraph(t, c.in, rng, op("conv", c.op))
			checkGrads(t, g, randInput(rng, 3*c.in.Elems()), 3, true)
		})
	}
}

func TestGradDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	g := buildGraph(t, graph.Shape{2, 3, 3}, rng, op("flat", &graph.Flatten{}), op("fc", &graph.Dense{Units: 5, Bias: true}, "flat"))
	checkGrads(t, g, randInput(rng, 4*18), 4, true)
	g = buildGraph(t, graph.Shape{2, 3, 3}, rng, op("flat", &graph.Flatten{ChannelsLast: true}), op("fc", &graph.Dense{Units: 3}, "flat"))
	checkGrads(t, g, randInput(rng, 5*18), 5, true)
}

func TestGradPool(t *testing.T) {
	w := func(k, s int, pads [4]int) graph.Window {
		return graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{s, s}, Pads: pads}
	}
	cases := []struct {
		name string
		op   *graph.Pool
	}{
		{"max 2x2/2", &graph.Pool{Window: w(2, 2, [4]int{}), Type: graph.MaxPool}},
		{"max 3x3/2 pad ceil", &graph.Pool{Window: w(3, 2, [4]int{1, 1, 1, 1}), Type: graph.MaxPool, CeilMode: true}},
		{"max dilated", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Dilation: [2]int{2, 2}}, Type: graph.MaxPool}},
		{"avg 3x3/2 pad exclude", &graph.Pool{Window: w(3, 2, [4]int{1, 1, 1, 1}), Type: graph.AvgPool}},
		{"avg 3x3/2 pad include ceil", &graph.Pool{Window: w(3, 2, [4]int{1, 1, 1, 1}), Type: graph.AvgPool, CountIncludePad: true, CeilMode: true}},
		{"global avg", &graph.Pool{Type: graph.AvgPool, Global: true}},
		{"global max", &graph.Pool{Type: graph.MaxPool, Global: true}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			g := buildGraph(t, graph.Shape{2, 6, 7}, rng, op("pool", c.op))
			x := make([]float32, 3*2*6*7)
			distinct(rng, x)
			checkGrads(t, g, x, 3, true)
		})
	}
}

func TestGradActivations(t *testing.T) {
	cases := []graph.Activation{
		{Func: graph.Relu}, {Func: graph.LeakyRelu, Alpha: 0.1}, {Func: graph.Sigmoid}, {Func: graph.Tanh},
		{Func: graph.Elu, Alpha: 1.2}, {Func: graph.Selu, Alpha: 1.67326, Beta: 1.0507}, {Func: graph.Clip, Alpha: -0.5, Beta: 0.7},
		{Func: graph.Softplus}, {Func: graph.HardSigmoid, Alpha: 0.2, Beta: 0.5}, {Func: graph.Relu6},
		{Func: graph.HardSwish}, {Func: graph.Gelu}, {Func: graph.GeluTanh}, {Func: graph.Mish}, {Func: graph.Swish}, {Func: graph.Softsign},
		{Func: graph.Exp}, {Func: graph.Abs}, {Func: graph.Erf},
	}
	for i, a := range cases {
		t.Run(string(a.Func), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 4))
			g := buildGraph(t, graph.Shape{2, 3, 3}, rng, op("act", &a))
			x := randInput(rng, 3*18)
			for j := range x {
				x[j] *= 2.5
			}
			awayFromZero(x, 2*fdStep)
			// Keep away from the other kinks too: Clip's bounds, Relu6's 6,
			// HardSigmoid's 0 and 1 (x = ±2.5).
			for j, v := range x {
				for _, k := range []float32{-0.5, 0.7, 6, -2.5, 2.5, -3, 3} {
					if d := v - k; d > -2*fdStep && d < 2*fdStep {
						x[j] = k + 3*fdStep
					}
				}
			}
			checkGrads(t, g, x, 3, true)
		})
	}
}

func TestGradSoftmax(t *testing.T) {
	for _, log := range []bool{false, true} {
		for _, axis := range []int{1, 2, -1} {
			t.Run(fmt.Sprintf("log=%v axis=%d", log, axis), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(axis+5), 5))
				g := buildGraph(t, graph.Shape{3, 2, 4}, rng, op("sm", &graph.Softmax{Axis: axis, Log: log}),
					op("act", &graph.Activation{Func: graph.Tanh}, "sm"))
				checkGrads(t, g, randInput(rng, 2*24), 2, true)
			})
		}
	}
}

func TestGradBatchNorm(t *testing.T) {
	for _, training := range []bool{true, false} {
		t.Run(fmt.Sprintf("training=%v 4d", training), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(6, 6))
			g := buildGraph(t, graph.Shape{3, 3, 4}, rng, op("bn", &graph.BatchNorm{Epsilon: 1e-3}),
				op("act", &graph.Activation{Func: graph.Tanh}, "bn"))
			x := randInput(rng, 5*36)
			for i := range x {
				x[i] = x[i]*2 + 1
			}
			checkGrads(t, g, x, 5, training)
		})
		t.Run(fmt.Sprintf("training=%v 2d", training), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 6))
			g := buildGraph(t, graph.Shape{4}, rng, op("bn", &graph.BatchNorm{Epsilon: 1e-5}),
				op("act", &graph.Activation{Func: graph.Sigmoid}, "bn"))
			checkGrads(t, g, randInput(rng, 7*4), 7, training)
		})
	}
}

// BatchNorm without its affine part (Caffe): the node has no scale or bias.
func TestGradBatchNormNoAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 6))
	g := buildGraph(t, graph.Shape{2, 2, 2}, rng, op("bn", &graph.BatchNorm{Epsilon: 1e-3}),
		op("act", &graph.Activation{Func: graph.Tanh}, "bn"))
	delete(g.Nodes[0].Params, "scale")
	delete(g.Nodes[0].Params, "bias")
	g.Nodes[0].Op = &graph.BatchNorm{Epsilon: 1e-3, NoAffine: true}
	nt, err := New(g, 4, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nt.Params()) != 0 {
		t.Fatalf("%d learnable parameters, want none", len(nt.Params()))
	}
	checkGrads(t, g, randInput(rng, 4*8), 4, true)
}

func TestGradLRN(t *testing.T) {
	for _, size := range []int{3, 4} {
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		g := buildGraph(t, graph.Shape{5, 2, 3}, rng, op("lrn", &graph.LRN{Size: size, Alpha: 0.5, Beta: 0.75, Bias: 1.5}))
		checkGrads(t, g, randInput(rng, 2*30), 2, true)
	}
}

func TestGradEltwise(t *testing.T) {
	kinds := []graph.EltwiseKind{graph.EltAdd, graph.EltSub, graph.EltMul, graph.EltDiv, graph.EltMax, graph.EltMin}
	for i, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 8))
			// a = input, b = a 1×1 convolution of it, c = its global average
			// ([N, C, 1, 1], broadcast); y = op(a, b, c) with coefficients.
			nodes := []*graph.Node{
				op("b", &graph.Conv{Window: graph.Window{Kernel: [2]int{1, 1}}, OutChannels: 2, Bias: true}),
				op("c", &graph.Pool{Type: graph.AvgPool, Global: true}),
				op("y", &graph.Eltwise{Type: k}, "input", "b", "c"),
			}
			if k == graph.EltAdd {
				nodes[2].Op = &graph.Eltwise{Type: k, Coeffs: []float32{0.5, -1, 2}}
			}
			g := buildGraph(t, graph.Shape{2, 3, 3}, rng, nodes...)
			x := randInput(rng, 3*18)
			if k == graph.EltDiv {
				// Keep the divisors away from zero.
				for j := range x {
					x[j] = 1 + 0.3*x[j]
				}
				w := g.Nodes[0].Params["weight"].Data
				w[0], w[1], w[2], w[3] = 0.9, 0.1, 0.1, 0.9
			}
			checkGrads(t, g, x, 3, true)
		})
	}
}

func TestGradConcatDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	g := buildGraph(t, graph.Shape{2, 3, 3}, rng,
		op("b", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 3}),
		op("cat", &graph.Concat{Axis: 1}, "input", "b"),
		op("drop", &graph.Dropout{Ratio: 0.3}, "cat"),
		op("cat2", &graph.Concat{Axis: -1}, "drop", "cat"))
	checkGrads(t, g, randInput(rng, 4*18), 4, true)
}

// The fused Softmax + cross-entropy: the gradient of the mean loss, for a
// model ending in Softmax, in LogSoftmax, or in raw logits.
func TestGradSoftmaxCrossEntropy(t *testing.T) {
	heads := map[string][]*graph.Node{
		"softmax":    {op("sm", &graph.Softmax{Axis: 1}, "fc")},
		"logsoftmax": {op("sm", &graph.Softmax{Axis: -1, Log: true}, "fc")},
		"logits":     nil,
	}
	for name, head := range heads {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(10, 10))
			nodes := append([]*graph.Node{
				op("conv", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}}, OutChannels: 3, Bias: true}),
				op("bn", &graph.BatchNorm{Epsilon: 1e-3}, "conv"),
				op("act", &graph.Activation{Func: graph.Tanh}, "bn"),
				op("flat", &graph.Flatten{ChannelsLast: true}, "act"),
				op("fc", &graph.Dense{Units: 4, Bias: true}, "flat"),
			}, head...)
			g := buildGraph(t, graph.Shape{2, 7, 7}, rng, nodes...)
			const batch = 6
			nt, err := New(g, batch, Options{Workers: 3, Shards: 4})
			if err != nil {
				t.Fatal(err)
			}
			x := randInput(rng, batch*98)
			labels := []int32{0, 1, 2, 3, 1, 2}
			loss := func() float64 {
				if err := nt.Forward(x, batch, true); err != nil {
					t.Fatal(err)
				}
				l, _ := nt.lossGrad(labels, false)
				return l
			}
			loss()
			l0, _, err := nt.Backward(labels)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(l0-loss()) > 1e-9 {
				t.Fatalf("Backward's loss %v differs from the forward loss", l0)
			}
			for _, p := range nt.Params() {
				grad := append([]float32(nil), p.Grad...)
				for i := range p.T.Data {
					old := p.T.Data[i]
					p.T.Data[i] = old + fdStep
					lp := loss()
					p.T.Data[i] = old - fdStep
					lm := loss()
					p.T.Data[i] = old
					num := (lp - lm) / (2 * fdStep)
					if math.Abs(float64(grad[i])-num) > 1e-3+fdRel*math.Abs(num) {
						t.Errorf("%s.%s[%d]: analytic %.6g, numeric %.6g", p.Node, p.Name, i, grad[i], num)
					}
				}
			}
		})
	}
}

// TestGradPower: y = (shift + scale·x)^exponent against finite differences
// (exponents 1, 2 and 0.5 on a positive base).
func TestGradPower(t *testing.T) {
	for i, p := range []graph.Power{{Exponent: 1, Scale: -0.5, Shift: 2}, {Exponent: 2, Scale: 1.5, Shift: 0.3}, {Exponent: 0.5, Scale: 0.5, Shift: 3}} {
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		g := buildGraph(t, graph.Shape{2, 3, 3}, rng, op("pow", &p))
		checkGrads(t, g, randInput(rng, 3*18), 3, true)
	}
}

// TestGradLog: ln x on positive inputs against finite differences.
func TestGradLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := graph.Activation{Func: graph.Log}
	g := buildGraph(t, graph.Shape{2, 3, 3}, rng, op("log", &a))
	x := randInput(rng, 3*18)
	for i, v := range x {
		x[i] = 1.5 + v // in [0.5, 2.5]
	}
	checkGrads(t, g, x, 3, true)
}
