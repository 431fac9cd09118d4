package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// In inference mode a Net computes every value the engine computes. Both
// multiply through tensor.Gemm but split the work differently (the engine
// a whole batch per convolution, Conv2DGemm, and depthwise convolutions
// directly; the Net per image and group, ConvAddSerial, and dense layers
// per shard of the batch), so the float32 sums are ordered differently and
// values agree to float32 rounding, not bit for bit.
func checkParity(t *testing.T, g *graph.Graph, batch int, x []float32) {
	t.Helper()
	nt, err := New(g, batch, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := nt.Forward(x, batch, false); err != nil {
		t.Fatal(err)
	}
	p, err := engine.Compile(g, batch)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range p.Values {
		want := vals[name].Data
		got := nt.Value(name)
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, engine %d", name, len(got), len(want))
		}
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+scale) {
				t.Fatalf("%s[%d]: net %v, engine %v", name, i, got[i], want[i])
			}
		}
	}
}

func TestParityTinyVGG(t *testing.T) {
	g, err := zoo.TinyVGG(64, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, 3*3*64*64)
	for i := range x {
		x[i] = rng.Float32()
	}
	checkParity(t, g, 3, x)
}

func TestParityMixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	g := buildGraph(t, graph.Shape{3, 9, 9}, rng,
		op("conv", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 4, Bias: true}),
		op("bn", &graph.BatchNorm{Epsilon: 1e-3}, "conv"),
		op("act", &graph.Activation{Func: graph.LeakyRelu, Alpha: 0.1}, "bn"),
		op("dw", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}, AutoPad: graph.PadSameUpper}, OutChannels: 4, Groups: 4}, "act"),
		op("add", &graph.Eltwise{Type: graph.EltAdd}, "act", "dw"),
		op("lrn", &graph.LRN{Size: 3, Alpha: 1e-2, Beta: 0.75, Bias: 1}, "add"),
		op("pool", &graph.Pool{Window: graph.Window{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}}, Type: graph.AvgPool}, "lrn"),
		op("cat", &graph.Concat{Axis: 1}, "pool", "pool"),
		op("drop", &graph.Dropout{Ratio: 0.5}, "cat"),
		op("gap", &graph.Pool{Type: graph.MaxPool, Global: true}, "drop"),
		op("flat", &graph.Flatten{}, "gap"),
		op("fc", &graph.Dense{Units: 5, Bias: true}, "flat"),
		op("sm", &graph.Softmax{Axis: 1}, "fc"))
	checkParity(t, g, 4, randInput(rng, 4*3*81))
}
