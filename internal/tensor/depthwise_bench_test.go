package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkDepthwise times MobileNet v2's depthwise 3×3 layers (stride 1
// and 2, padding 1) with a fused ReLU6, reporting the fastest run (the
// steadier figure on a shared machine).
func BenchmarkDepthwise(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ c, hw, stride int }{{144, 56, 1}, {96, 112, 2}, {576, 14, 1}, {960, 7, 1}, {144, 56, 2}} {
		g := ConvGeom{N: 1, C: s.c, H: s.hw, W: s.hw, OC: s.c, KH: 3, KW: 3, SH: s.stride, SW: s.stride,
			DH: 1, DW: 1, PadT: 1, PadL: 1, Groups: s.c}
		g.OH, g.OW = (s.hw-1)/s.stride+1, (s.hw-1)/s.stride+1
		b.Run(fmt.Sprintf("%dx%dx%d/s%d", s.c, s.hw, s.hw, s.stride), func(b *testing.B) {
			x := randSlice(rng, s.c*s.hw*s.hw)
			c := NewConv(randSlice(rng, s.c*9), randSlice(rng, s.c), g)
			y := make([]float32, s.c*g.OH*g.OW)
			c.Fuse(y, ActClip, 0, 6, false)
			fastest(b, func() { c.Run(y, x, nil) })
		})
	}
}

// BenchmarkPointwise times MobileNet v2's and ResNet-50's 1×1
// convolutions (bias, fused ReLU6 where the network has one), reporting
// the fastest run.
func BenchmarkPointwise(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct {
		c, oc, hw int
		act       bool
	}{{16, 96, 112, true}, {144, 24, 56, false}, {32, 192, 28, true}, {576, 96, 14, false}, {960, 160, 7, false}, {320, 1280, 7, true}, {64, 256, 56, false}, {512, 2048, 7, false},
		{256, 64, 56, true}, {1024, 256, 14, true}, {256, 1024, 14, false}, {512, 128, 28, true}, {2048, 512, 7, true}} {
		g := ConvGeom{N: 1, C: s.c, H: s.hw, W: s.hw, OC: s.oc, OH: s.hw, OW: s.hw, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1}
		b.Run(fmt.Sprintf("%d-%dx%dx%d", s.c, s.oc, s.hw, s.hw), func(b *testing.B) {
			x := randSlice(rng, s.c*s.hw*s.hw)
			c := NewConv(randSlice(rng, s.oc*s.c), randSlice(rng, s.oc), g)
			y := make([]float32, s.oc*s.hw*s.hw)
			if s.act {
				c.Fuse(y, ActClip, 0, 6, false)
			}
			scratch := make([]float32, c.Scratch())
			best := fastest(b, func() { c.Run(y, x, scratch) })
			b.ReportMetric(2*float64(s.c*s.oc*s.hw*s.hw)/float64(best), "GFLOP/s")
		})
	}
}

// fastest runs f for the benchmark's iterations and reports and returns
// the fastest run.
func fastest(b *testing.B, f func()) time.Duration {
	best := time.Hour
	for b.Loop() {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(float64(best)/1e3, "min-µs")
	return best
}

// BenchmarkConv times ResNet-50's and VGG16's full 3×3 and 7×7
// convolutions (bias, fused ReLU), reporting the fastest run and GFLOP/s.
func BenchmarkConv(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct{ c, oc, hw, k, stride int }{
		{64, 64, 56, 3, 1}, {128, 128, 28, 3, 1}, {256, 256, 14, 3, 1}, {512, 512, 7, 3, 1},
		{128, 128, 56, 3, 2}, {512, 512, 14, 3, 2}, {3, 64, 224, 7, 2}, {64, 64, 224, 3, 1},
		{3, 32, 224, 3, 2}, {3, 64, 224, 3, 1}, // MobileNet v2's and VGG16's stems (27 steps a tile)
	} {
		pad := s.k / 2
		g := ConvGeom{N: 1, C: s.c, H: s.hw, W: s.hw, OC: s.oc, KH: s.k, KW: s.k, SH: s.stride, SW: s.stride,
			DH: 1, DW: 1, PadT: pad, PadL: pad, Groups: 1}
		g.OH = (s.hw+2*pad-s.k)/s.stride + 1
		g.OW = g.OH
		b.Run(fmt.Sprintf("%d-%dx%dx%d-k%d/s%d", s.c, s.oc, s.hw, s.hw, s.k, s.stride), func(b *testing.B) {
			x := randSlice(rng, s.c*s.hw*s.hw)
			c := NewConv(randSlice(rng, s.oc*s.c*s.k*s.k), randSlice(rng, s.oc), g)
			y, act := make([]float32, s.oc*g.OH*g.OW), make([]float32, s.oc*g.OH*g.OW)
			c.Fuse(act, ActRelu, 0, 0, false)
			scratch := make([]float32, c.Scratch())
			best := fastest(b, func() { c.Run(y, x, scratch) })
			b.ReportMetric(2*float64(s.c*s.oc*s.k*s.k*g.OH*g.OW)/float64(best), "GFLOP/s")
		})
	}
}
