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
			best := time.Hour
			for b.Loop() {
				t0 := time.Now()
				c.Run(y, x, nil)
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(float64(best)/1e3, "min-µs")
		})
	}
}
