package engine_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// BenchmarkResidualBlock times the end of a ResNet bottleneck, a 1×1
// convolution + skip add + ReLU, with the add fused into the convolution
// and (through an Identity between them, which the engine does not look
// through) without, in both engine modes. It reports the fastest run,
// the steadier figure on a shared machine.
func BenchmarkResidualBlock(b *testing.B) {
	for _, s := range []struct{ c, oc, hw int }{{64, 256, 56}, {128, 512, 28}, {512, 2048, 7}} {
		for _, fused := range []bool{true, false} {
			g := residualBlock(s.c, s.oc, s.hw, fused)
			for _, mode := range []struct {
				name    string
				compile func(*graph.Graph, int) (*engine.Program, error)
			}{{"all", engine.Compile}, {"final", engine.CompileFinal}} {
				name := fmt.Sprintf("%dx%dx%d/fused=%v/%s", s.oc, s.hw, s.hw, fused, mode.name)
				b.Run(name, func(b *testing.B) {
					p, err := mode.compile(g, 1)
					if err != nil {
						b.Fatal(err)
					}
					x := make([]float32, s.c*s.hw*s.hw)
					skip := make([]float32, s.oc*s.hw*s.hw)
					for i := range x {
						x[i] = float32(i%13) - 6
					}
					best := time.Hour
					for b.Loop() {
						t0 := time.Now()
						if _, err := p.Run(x, skip); err != nil {
							b.Fatal(err)
						}
						best = min(best, time.Since(t0))
					}
					b.ReportMetric(float64(best)/1e3, "min-µs")
				})
			}
		}
	}
}

func residualBlock(c, oc, hw int, fused bool) *graph.Graph {
	rng := rand.New(rand.NewPCG(1, 1))
	w, bias := graph.NewTensor(oc, c, 1, 1), graph.NewTensor(oc)
	for i := range w.Data {
		w.Data[i] = float32(rng.NormFloat64())
	}
	conv := "a"
	nodes := []*graph.Node{{Name: "a", Op: &graph.Conv{Window: win(1, 1, [4]int{}), OutChannels: oc, Bias: true},
		Inputs: []string{"x"}, Outputs: []string{"a"}, Params: map[string]*graph.Tensor{"weight": w, "bias": bias}}}
	if !fused {
		nodes = append(nodes, &graph.Node{Name: "id", Op: &graph.Identity{}, Inputs: []string{"a"}, Outputs: []string{"id"}})
		conv = "id"
	}
	nodes = append(nodes,
		&graph.Node{Name: "s", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{conv, "skip"}, Outputs: []string{"s"}},
		&graph.Node{Name: "r", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"s"}, Outputs: []string{"r"}})
	return &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, c, hw, hw}}, {Name: "skip", Shape: graph.Shape{1, oc, hw, hw}}},
		Nodes:  nodes, Outputs: []string{"r"},
	}
}
