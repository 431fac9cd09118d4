package zoo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/convscope/convscope/internal/graph"
)

// TinyVGGArch is an editable Tiny VGG: Blocks blocks of two convolutions
// (Filters filters of Kernel×Kernel, valid padding, ReLU) and a 2×2 max
// pool, then flatten, dense and softmax, on an Input×Input×3 image. The
// zero value of a field means the CNN Explainer's (2 blocks, 10 filters,
// 3×3, 64).
type TinyVGGArch struct {
	Blocks  int `json:"blocks"`
	Filters int `json:"filters"`
	Kernel  int `json:"kernel"`
	Input   int `json:"input"`
}

// WithDefaults fills the zero fields with the CNN Explainer's values.
func (a TinyVGGArch) WithDefaults() TinyVGGArch {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&a.Blocks, 2)
	def(&a.Filters, 10)
	def(&a.Kernel, 3)
	def(&a.Input, 64)
	return a
}

// Side is the side of the last block's output maps, or an error when the
// input is too small for the blocks (or a field is out of range).
func (a TinyVGGArch) Side() (int, error) {
	a = a.WithDefaults()
	if a.Blocks < 1 || a.Filters < 1 || a.Kernel < 1 || a.Input < 1 {
		return 0, fmt.Errorf("Tiny VGG needs positive blocks, filters, kernel and input, got %+v", a)
	}
	side := a.Input
	for b := 0; b < a.Blocks; b++ {
		side = (side - 2*(a.Kernel-1)) / 2
		if side < 1 {
			return 0, fmt.Errorf("an input of %d×%d is too small for %d blocks of %d×%d convolutions (block %d has nothing left)",
				a.Input, a.Input, a.Blocks, a.Kernel, a.Kernel, b+1)
		}
	}
	return side, nil
}

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
	return TinyVGGOf(TinyVGGArch{Input: size}, classes, seed)
}

// TinyVGGOf builds a Tiny VGG of arch (TinyVGG's layers and names, with
// arch's blocks conv_B_1, relu_B_1, conv_B_2, relu_B_2, max_pool_B), He-uniform
// weights drawn from seed; the default arch gives TinyVGG's weights.
func TinyVGGOf(arch TinyVGGArch, classes int, seed uint64) (*graph.Graph, error) {
	arch = arch.WithDefaults()
	side, err := arch.Side()
	if err != nil {
		return nil, err
	}
	if classes < 2 {
		return nil, fmt.Errorf("a classifier needs at least 2 classes, got %d", classes)
	}
	size, f, k := arch.Input, arch.Filters, arch.Kernel
	rng := rand.New(rand.NewPCG(seed, 0x7ee9))
	g := &graph.Graph{Name: "tinyvgg", Inputs: []graph.Value{{Name: "input", Shape: graph.Shape{-1, 3, size, size}}}}
	prev, ch := "input", 3
	conv := func(name string) {
		w := graph.NewTensor(f, ch, k, k)
		heUniform(rng, w.Data, ch*k*k)
		g.Nodes = append(g.Nodes, &graph.Node{Name: name, Type: "Conv2D",
			Op:     &graph.Conv{Window: graph.Window{Kernel: [2]int{k, k}, AutoPad: graph.PadValid}, OutChannels: f, Bias: true},
			Inputs: []string{prev}, Outputs: []string{name},
			Params: map[string]*graph.Tensor{"weight": w, "bias": graph.NewTensor(f)}})
		prev, ch = name, f
	}
	simple := func(name, typ string, op graph.Op) {
		g.Nodes = append(g.Nodes, &graph.Node{Name: name, Type: typ, Op: op, Inputs: []string{prev}, Outputs: []string{name}})
		prev = name
	}
	relu := func(name string) { simple(name, "Activation", &graph.Activation{Func: graph.Relu}) }
	pool := func(name string) {
		simple(name, "MaxPooling2D", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, AutoPad: graph.PadValid}, Type: graph.MaxPool})
	}
	for b := 1; b <= arch.Blocks; b++ {
		conv(fmt.Sprintf("conv_%d_1", b))
		relu(fmt.Sprintf("relu_%d_1", b))
		conv(fmt.Sprintf("conv_%d_2", b))
		relu(fmt.Sprintf("relu_%d_2", b))
		pool(fmt.Sprintf("max_pool_%d", b))
	}
	simple("flatten", "Flatten", &graph.Flatten{ChannelsLast: true})
	in := side * side * f
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

// Params counts the learnable parameters of TinyVGGOf(a, classes, …) without
// building it, so that a caller can refuse an architecture too large to
// allocate (the analysis of the built graph gives the figures shown).
func (a TinyVGGArch) Params(classes int) (int64, error) {
	a = a.WithDefaults()
	side, err := a.Side()
	if err != nil {
		return 0, err
	}
	f, k := int64(a.Filters), int64(a.Kernel)
	n := (3*k*k+1)*f + (f*k*k+1)*f                        // block 1
	n += int64(a.Blocks-1) * 2 * ((f*k*k + 1) * f)        // blocks 2…
	n += int64(classes) * (int64(side)*int64(side)*f + 1) // dense
	return n, nil
}
