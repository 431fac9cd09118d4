package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Channel-vector convolutions (AVX-512, output channels a multiple of 16)
// against the reference: channel blocks of 64, 32 and 16, strides 1 and 2,
// dilation, asymmetric padding, 1×1 (strided too), several images, depths of one to many
// depth blocks, maps of one to several pixel groups, split by rows and by
// channels, with bias or none and each epilogue (a residual, a fused
// clamp or another activation).
func TestChannelVecMatchesConv2D(t *testing.T) {
	if !hasAVX512 {
		t.Skip("channel-vector convolutions need AVX-512 (CONVSCOPE_NO_AVX512 unset)")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	type shape struct{ n, c, oc, h, w, kh, kw, s, d, padT, padL, padB, padR int }
	shapes := []shape{
		{1, 64, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1},   // ResNet-50, VGG16: groups of rows
		{1, 8, 64, 40, 45, 3, 3, 1, 1, 1, 1, 1, 1},    // 72 steps
		{1, 3, 64, 40, 45, 3, 3, 1, 1, 1, 1, 1, 1},    // a 3-channel stem: 27 steps
		{2, 8, 48, 9, 11, 3, 3, 1, 1, 0, 1, 2, 0},     // 32 + 16 channels, two images
		{1, 300, 80, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1},    // 64 + 16, two depth blocks
		{1, 600, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1},   // split by channels
		{1, 200, 96, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1},  // 64 + 32, eight depth blocks
		{1, 7, 16, 30, 3, 5, 5, 1, 1, 2, 2, 2, 2},     // narrow
		{1, 9, 32, 20, 25, 3, 3, 1, 2, 2, 2, 2, 2},    // dilated
		{1, 4, 96, 33, 29, 3, 3, 2, 1, 1, 1, 1, 1},    // stride 2, odd sizes
		{1, 3, 64, 64, 64, 7, 7, 2, 1, 3, 3, 3, 3},    // ResNet-50's stem
		{1, 130, 128, 14, 14, 3, 3, 2, 1, 1, 1, 0, 0}, // stride 2, 1 + 2 depth blocks
		{1, 30, 16, 3, 4, 1, 3, 1, 1, 0, 1, 0, 1},     // 1×3: six flat pixels
		{1, 6, 32, 10, 12, 2, 2, 2, 1, 0, 0, 0, 0},    // 2×2 stride 2
		// 1×1, read in place: the last tile packed where it would read
		// past the input.
		{1, 64, 256, 15, 14, 1, 1, 1, 1, 0, 0, 0, 0},
		{1, 960, 160, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0},
		{2, 70, 48, 3, 5, 1, 1, 1, 1, 0, 0, 0, 0},
		{1, 300, 128, 1, 7, 1, 1, 1, 1, 0, 0, 0, 0},
		{1, 1024, 256, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0},
		// Strided 1×1: over a subsampled copy.
		{1, 1024, 128, 14, 14, 1, 1, 2, 1, 0, 0, 0, 0},
		{1, 512, 64, 29, 27, 1, 1, 2, 1, 0, 0, 0, 0},
		{2, 70, 32, 20, 20, 1, 1, 3, 1, 0, 0, 0, 0},
	}
	for i, s := range shapes {
		g := ConvGeom{N: s.n, C: s.c, H: s.h, W: s.w, OC: s.oc, KH: s.kh, KW: s.kw, SH: s.s, SW: s.s,
			DH: s.d, DW: s.d, PadT: s.padT, PadL: s.padL, Groups: 1}
		g.OH = (g.H+s.padT+s.padB-s.d*(s.kh-1)-1)/s.s + 1
		g.OW = (g.W+s.padL+s.padR-s.d*(s.kw-1)-1)/s.s + 1
		x := randSlice(rng, g.N*g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C*g.KH*g.KW)
		var b []float32
		if i%3 != 1 {
			b = randSlice(rng, g.OC)
		}
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		Conv2D(want, x, w, b, g)
		c := NewConv(w, b, g)
		if !c.cv {
			t.Fatalf("%+v: not planned as a channel-vector convolution", g)
		}
		var res []float32
		wantOut := want
		if i%4 == 2 { // a residual over the output
			res = randSlice(rng, len(want))
			wantOut = make([]float32, len(want))
			for j := range want {
				wantOut[j] = want[j] + res[j]
			}
			c.Residual(res, nil)
		}
		f, lo, hi := ActClip, float32(0), float32(6)
		if i%2 == 1 {
			f, lo, hi = ActTanh, 0, 0
		}
		act := randSlice(rng, len(want))
		c.Fuse(act, f, lo, hi, i%3 == 0)
		tol := 1e-4 * max(1, math.Sqrt(float64(g.C*g.KH*g.KW)/256))
		for run := 0; run < 2; run++ { // the packed weights are reused; garbage is overwritten
			got := randSlice(rng, len(want))
			c.Run(got, x, randSlice(rng, c.Scratch()))
			for j, v := range wantOut {
				a := min(max(v, 0), 6)
				if f == ActTanh {
					a = float32(math.Tanh(float64(v)))
				}
				e := tol * (1 + math.Abs(float64(v)))
				if math.Abs(float64(got[j]-v)) > e || math.Abs(float64(act[j]-a)) > e {
					t.Fatalf("%+v run %d: [%d] %v, activation %v; want %v, %v", g, run, j, got[j], act[j], v, a)
				}
			}
		}
	}
}
