package zoo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/convscope/convscope/internal/graph"
)

// TinyVGG builds the CNN Explainer architecture for a size×size×3 input:
// conv_1_1, relu_1_1, conv_1_2, relu_1_2, max_pool_1, conv_2_1, relu_2_1,
// conv_2_2, relu_2_2, max_pool_2, flatten, output (dense) and
// output_softmax. Convolutions have 10 filters of 3×3 with valid padding;
// pools are 2×2 with stride 2. The flatten walks (row, column, channel) like
// the original Keras model so weights are interchangeable with it.
func TinyVGG(size, classes int, seed uint64) (*graph.Graph, error) {
	if size < 16 {
		return nil, fmt.Errorf("Tiny VGG needs an input of at least 16×16, got %d", size)
	}
	rng := rand.New(rand.NewPCG(seed, 0x7ee9))
	g := &graph.Graph{Name: "tinyvgg", Inputs: []graph.Value{{Name: "input", Shape: graph.Shape{-1, 3, size, size}}}}
	prev, ch := "input", 3
	conv := func(name string) {
		w := graph.NewTensor(10, ch, 3, 3)
		heUniform(rng, w.Data, ch*9)
		g.Nodes = append(g.Nodes, &graph.Node{Name: name, Type: "Conv2D",
			Op:     &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, AutoPad: graph.PadValid}, OutChannels: 10, Bias: true},
			Inputs: []string{prev}, Outputs: []string{name},
			Params: map[string]*graph.Tensor{"weight": w, "bias": graph.NewTensor(10)}})
		prev, ch = name, 10
	}
	simple := func(name, typ string, op graph.Op) {
		g.Nodes = append(g.Nodes, &graph.Node{Name: name, Type: typ, Op: op, Inputs: []string{prev}, Outputs: []string{name}})
		prev = name
	}
	relu := func(name string) { simple(name, "Activation", &graph.Activation{Func: graph.Relu}) }
	pool := func(name string) {
		simple(name, "MaxPooling2D", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, AutoPad: graph.PadValid}, Type: graph.MaxPool})
	}
	conv("conv_1_1")
	relu("relu_1_1")
	conv("conv_1_2")
	relu("relu_1_2")
	pool("max_pool_1")
	conv("conv_2_1")
	relu("relu_2_1")
	conv("conv_2_2")
	relu("relu_2_2")
	pool("max_pool_2")
	simple("flatten", "Flatten", &graph.Flatten{ChannelsLast: true})
	side := ((size-4)/2 - 4) / 2
	in := side * side * 10
	w := graph.NewTensor(classes, in)
	heUniform(rng, w.Data, in)
	g.Nodes = append(g.Nodes, &graph.Node{Name: "output", Type: "Dense", Op: &graph.Dense{Units: classes, Bias: true},
		Inputs: []string{prev}, Outputs: []string{"output"},
		Params: map[string]*graph.Tensor{"weight": w, "bias": graph.NewTensor(classes)}})
	prev = "output"
	simple("output_softmax", "Activation", &graph.Softmax{Axis: 1})
	g.Outputs = []string{prev}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if _, err := g.InferShapes(1); err != nil {
		return nil, err
	}
	return g, nil
}

// heUniform fills w from U(−√(6/fanIn), √(6/fanIn)).
func heUniform(rng *rand.Rand, w []float32, fanIn int) {
	lim := math.Sqrt(6 / float64(fanIn))
	for i := range w {
		w[i] = float32((rng.Float64()*2 - 1) * lim)
	}
}
