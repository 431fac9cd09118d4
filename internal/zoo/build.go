package zoo

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/convscope/convscope/internal/graph"
)

// builder assembles a graph node by node, inferring each output shape as it
// goes and initialising parameters deterministically; structure-only builds
// (for analysis) skip weights. A shape error is a bug in a builder and
// panics; Preset turns that into an error.
type builder struct {
	g       *graph.Graph
	rng     *rand.Rand
	weights bool
	shapes  map[string]graph.Shape // per value, batch 1
}

func newBuilder(name string, c, h, w int, seed uint64, weights bool) *builder {
	b := &builder{
		g:       &graph.Graph{Name: name, Inputs: []graph.Value{{Name: "data", Shape: graph.Shape{-1, c, h, w}}}},
		rng:     rand.New(rand.NewPCG(seed, 0xc0ffee)),
		weights: weights,
		shapes:  map[string]graph.Shape{"data": {1, c, h, w}},
	}
	return b
}

// add appends a node reading ins and returns its output value (its name).
func (b *builder) add(name, typ string, op graph.Op, ins ...string) string {
	n := &graph.Node{Name: name, Type: typ, Op: op, Inputs: ins, Outputs: []string{name}}
	in := make([]graph.Shape, len(ins))
	for i, v := range ins {
		s, ok := b.shapes[v]
		if !ok {
			panic(fmt.Sprintf("zoo: %s reads %q, which is not built yet", name, v))
		}
		in[i] = s
	}
	if _, dup := b.shapes[name]; dup {
		panic(fmt.Sprintf("zoo: two values are named %q", name))
	}
	out, err := op.Infer(in)
	if err != nil {
		panic(fmt.Sprintf("zoo: %s: %v", name, err)) // a bug in a builder
	}
	b.shapes[name] = out[0]
	if b.weights {
		for pname, shape := range op.ParamShapes(in) {
			if n.Params == nil {
				n.Params = map[string]*graph.Tensor{}
			}
			n.Params[pname] = initParam(b.rng, pname, shape)
		}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return name
}

// conv adds a square convolution with bias and symmetric padding (the
// Caffe default).
func (b *builder) conv(name, in string, out, k, stride, pad int) string {
	return b.convOp(name, in, sq(out, k, stride, pad, true))
}

// convOp adds a convolution described by op.
func (b *builder) convOp(name, in string, op *graph.Conv) string {
	return b.add(name, "Convolution", op, in)
}

// sq describes a k×k convolution with symmetric padding.
func sq(out, k, stride, pad int, bias bool) *graph.Conv {
	return &graph.Conv{Window: graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{stride, stride},
		Pads: [4]int{pad, pad, pad, pad}}, OutChannels: out, Bias: bias}
}

// rect describes a kh×kw convolution with stride 1, padding (ph, pw) and no
// bias (the factorised 1×n / n×1 convolutions of the Inception family).
func rect(out, kh, kw, ph, pw int) *graph.Conv {
	return &graph.Conv{Window: graph.Window{Kernel: [2]int{kh, kw}, Stride: [2]int{1, 1},
		Pads: [4]int{ph, pw, ph, pw}}, OutChannels: out}
}

func (b *builder) relu(name, in string) string {
	return b.add(name, "ReLU", &graph.Activation{Func: graph.Relu}, in)
}

// bn adds a batch normalisation with its own learned scale and bias (PyTorch
// BatchNorm2d, Keras BatchNormalization).
func (b *builder) bn(name, in string, eps float32) string {
	return b.add(name, "BatchNorm", &graph.BatchNorm{Epsilon: eps}, in)
}

// bnScale adds Caffe's pair: a BatchNorm layer without affine part followed
// by a Scale layer with bias.
func (b *builder) bnScale(bnName, scaleName, in string, eps float32) string {
	x := b.add(bnName, "BatchNorm", &graph.BatchNorm{Epsilon: eps, NoAffine: true}, in)
	return b.add(scaleName, "Scale", &graph.Affine{Bias: true}, x)
}

// pool adds a pooling layer.
func (b *builder) pool(name, in string, p *graph.Pool) string {
	return b.add(name, "Pooling", p, in)
}

// maxPool describes a k×k max pooling; ceil selects Caffe's rounding.
func maxPool(k, stride, pad int, ceil bool) *graph.Pool {
	return &graph.Pool{Window: graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{stride, stride},
		Pads: [4]int{pad, pad, pad, pad}}, Type: graph.MaxPool, CeilMode: ceil}
}

// avgPool describes a k×k average pooling; inclPad divides by the whole
// window, padding included (Caffe, PyTorch's default).
func avgPool(k, stride, pad int, ceil, inclPad bool) *graph.Pool {
	return &graph.Pool{Window: graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{stride, stride},
		Pads: [4]int{pad, pad, pad, pad}}, Type: graph.AvgPool, CeilMode: ceil, CountIncludePad: inclPad}
}

// globalAvgPool describes an average over the whole map.
func globalAvgPool() *graph.Pool { return &graph.Pool{Type: graph.AvgPool, Global: true} }

func (b *builder) dense(name, in string, units int) string {
	return b.add(name, "InnerProduct", &graph.Dense{Units: units, Bias: true}, in)
}

func (b *builder) dropout(name, in string, ratio float32) string {
	return b.add(name, "Dropout", &graph.Dropout{Ratio: ratio}, in)
}

// lrn adds AlexNet/GoogLeNet's local response normalisation (Caffe
// defaults: across 5 channels, k = 1).
func (b *builder) lrn(name, in string) string {
	return b.add(name, "LRN", &graph.LRN{Size: 5, Alpha: 1e-4, Beta: 0.75, Bias: 1}, in)
}

func (b *builder) concat(name string, ins ...string) string {
	return b.add(name, "Concat", &graph.Concat{Axis: 1}, ins...)
}

// sum adds an element-wise sum; coeffs, when given, weight the inputs.
func (b *builder) sum(name string, coeffs []float32, ins ...string) string {
	return b.add(name, "Eltwise", &graph.Eltwise{Type: graph.EltAdd, Coeffs: coeffs}, ins...)
}

func (b *builder) softmax(name, in string) string {
	return b.add(name, "Softmax", &graph.Softmax{Axis: 1}, in)
}

func (b *builder) finish(out string) (*graph.Graph, error) {
	b.g.Outputs = []string{out}
	if err := b.g.Validate(); err != nil {
		return nil, err
	}
	return b.g, nil
}

// initParam returns a parameter initialised as the presets are: He uniform
// weights, unit scales and variances, zeros for everything else (biases,
// shifts, means).
func initParam(rng *rand.Rand, name string, shape graph.Shape) *graph.Tensor {
	t := graph.NewTensor(shape...)
	switch name {
	case "weight":
		heUniform(rng, t.Data, shape.PerImage().Elems())
	case "scale", "var":
		for i := range t.Data {
			t.Data[i] = 1
		}
	}
	return t
}

// FillWeights gives every parameter g's nodes lack (a structure-only
// file: a Caffe prototxt, a preset built without weights) the presets'
// deterministic initialisation seeded with seed, so that the graph can run
// (profiling: the time does not depend on the values). It returns how many
// parameters it filled; parameters the graph has are kept.
func FillWeights(g *graph.Graph, seed uint64) (int, error) {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	filled := 0
	for _, n := range g.Nodes {
		in := make([]graph.Shape, len(n.Inputs))
		for i, v := range n.Inputs {
			in[i] = shapes[v]
		}
		ps := n.Op.ParamShapes(in)
		for _, name := range slices.Sorted(maps.Keys(ps)) {
			if n.Param(name) != nil {
				continue
			}
			if n.Params == nil {
				n.Params = map[string]*graph.Tensor{}
			}
			n.Params[name] = initParam(rng, name, ps[name])
			filled++
		}
	}
	return filled, nil
}
