package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGemm reports GFLOP/s (2·m·n·k per op) for square and
// convolution-shaped products.
func BenchmarkGemm(b *testing.B) {
	for _, s := range []struct{ m, n, k int }{
		{512, 512, 512},
		{64, 50176, 27},   // VGG16 conv1_1 at 224×224
		{128, 12544, 576}, // VGG16 conv2_1
		{512, 196, 4608},  // VGG16 conv5_x
		{10, 3600, 90},    // Tiny VGG conv_1_2
	} {
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
			b.ReportAllocs()
			for b.Loop() {
				Gemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
