package zoo

import (
	"fmt"
	"math/rand/v2"

	"github.com/convscope/convscope/internal/graph"
)

// builder assembles a graph node by node, initialising parameters
// deterministically; structure-only builds (for analysis) skip weights.
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
		in[i] = b.shapes[v]
	}
	out, err := op.Infer(in)
	if err != nil {
		panic(fmt.Sprintf("zoo: %s: %v", name, err)) // a bug in a builder
	}
	b.shapes[name] = out[0]
	if b.weights {
		for pname, shape := range op.ParamShapes(in) {
			t := graph.NewTensor(shape...)
			switch pname {
			case "weight":
				heUniform(b.rng, t.Data, shape.PerImage().Elems())
			case "scale", "var":
				for i := range t.Data {
					t.Data[i] = 1
				}
			}
			if n.Params == nil {
				n.Params = map[string]*graph.Tensor{}
			}
			n.Params[pname] = t
		}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return name
}

func (b *builder) conv(name, in string, out, k, stride, pad int) string {
	return b.add(name, "Convolution", &graph.Conv{Window: graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{stride, stride},
		Pads: [4]int{pad, pad, pad, pad}}, OutChannels: out, Bias: true}, in)
}

func (b *builder) relu(name, in string) string {
	return b.add(name, "ReLU", &graph.Activation{Func: graph.Relu}, in)
}

func (b *builder) maxPool(name, in string, k, stride int) string {
	return b.add(name, "Pooling", &graph.Pool{Window: graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{stride, stride}}, Type: graph.MaxPool}, in)
}

func (b *builder) dense(name, in string, units int) string {
	return b.add(name, "InnerProduct", &graph.Dense{Units: units, Bias: true}, in)
}

func (b *builder) finish(out string) (*graph.Graph, error) {
	b.g.Outputs = []string{out}
	if err := b.g.Validate(); err != nil {
		return nil, err
	}
	return b.g, nil
}

// VGG builds VGG-16 or VGG-19 (configurations D and E of Simonyan &
// Zisserman, 2014) for 3×224×224 inputs and 1,000 classes, ending in a
// softmax. weights=false builds the structure only.
func VGG(depth int, seed uint64, weights bool) (*graph.Graph, error) {
	var convs []int
	switch depth {
	case 16:
		convs = []int{2, 2, 3, 3, 3}
	case 19:
		convs = []int{2, 2, 4, 4, 4}
	default:
		return nil, fmt.Errorf("VGG depth %d (16 or 19)", depth)
	}
	b := newBuilder(fmt.Sprintf("vgg%d", depth), 3, 224, 224, seed, weights)
	x := "data"
	for blk, n := range convs {
		width := min(64<<blk, 512)
		for i := 1; i <= n; i++ {
			x = b.conv(fmt.Sprintf("conv%d_%d", blk+1, i), x, width, 3, 1, 1)
			x = b.relu(fmt.Sprintf("relu%d_%d", blk+1, i), x)
		}
		x = b.maxPool(fmt.Sprintf("pool%d", blk+1), x, 2, 2)
	}
	x = b.relu("relu6", b.dense("fc6", x, 4096))
	x = b.relu("relu7", b.dense("fc7", x, 4096))
	x = b.dense("fc8", x, 1000)
	return b.finish(b.add("prob", "Softmax", &graph.Softmax{Axis: 1}, x))
}
