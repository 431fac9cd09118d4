package train

import (
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/zoo"
)

// BenchmarkTrainStepTinyVGG is one training step (forward, loss, backward,
// Adam update) of the CNN Explainer's Tiny VGG on a batch of 32 64×64×3
// images, on all cores. images/s = 32 / (ns/op · 1e-9).
func BenchmarkTrainStepTinyVGG(b *testing.B) {
	const batch = 32
	g, err := zoo.TinyVGG(64, 10, 1)
	if err != nil {
		b.Fatal(err)
	}
	nt, err := New(g, batch, Options{})
	if err != nil {
		b.Fatal(err)
	}
	opt, err := NewOptimizer(nt.Params(), Hyper{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, batch*3*64*64)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(i % 10)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := nt.Forward(x, batch, true); err != nil {
			b.Fatal(err)
		}
		if _, _, err := nt.Backward(y); err != nil {
			b.Fatal(err)
		}
		opt.Step(1e-3)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
}
