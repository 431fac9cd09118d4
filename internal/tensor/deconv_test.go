package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestConvTranspose2DGemmMatchesScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 40; i++ {
		groups := 1 + rng.IntN(3)
		g := ConvGeom{
			N: 1 + rng.IntN(2), C: groups * (1 + rng.IntN(3)), H: 1 + rng.IntN(5), W: 1 + rng.IntN(5),
			OC: groups * (1 + rng.IntN(3)), KH: 1 + rng.IntN(3), KW: 1 + rng.IntN(3),
			SH: 1 + rng.IntN(3), SW: 1 + rng.IntN(3), DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2),
			Groups: groups,
		}
		g.PadT, g.PadL = rng.IntN(g.KH), rng.IntN(g.KW)
		// Output size with a random bottom/right padding or output padding.
		g.OH = g.SH*(g.H-1) + g.DH*(g.KH-1) + 1 - g.PadT - rng.IntN(g.KH) + rng.IntN(2)
		g.OW = g.SW*(g.W-1) + g.DW*(g.KW-1) + 1 - g.PadL - rng.IntN(g.KW) + rng.IntN(2)
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		src := deconvRand(rng, g.N*g.C*g.H*g.W)
		w := deconvRand(rng, g.C*g.OC/groups*g.KH*g.KW)
		b := deconvRand(rng, g.OC)
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		got := make([]float32, len(want))
		ConvTranspose2D(want, src, w, b, g)
		ConvTranspose2DGemm(got, src, w, b, make([]float32, ConvTransposeScratch(g)), g)
		for j := range want {
			if math.Abs(float64(got[j]-want[j])) > 1e-4 {
				t.Fatalf("%+v: element %d is %v, want %v", g, j, got[j], want[j])
			}
		}
	}
}

func deconvRand(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return v
}
