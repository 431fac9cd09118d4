package tensor

import (
	"math"
	"testing"
)

func TestReluAndFill(t *testing.T) {
	for n := 0; n < 40; n++ {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i%7) - 3.5
		}
		if n > 3 {
			src[3] = float32(math.NaN())
		}
		dst := make([]float32, n)
		relu(dst, src)
		for i, v := range src {
			want := max(v, 0) // Go's max: NaN propagates
			if dst[i] != want && !(math.IsNaN(float64(want)) && math.IsNaN(float64(dst[i]))) {
				t.Fatalf("n=%d: relu(%v) = %v, want %v", n, v, dst[i], want)
			}
		}
		fill(dst, 2.5)
		for i, v := range dst {
			if v != 2.5 {
				t.Fatalf("n=%d: fill left %v at %d", n, v, i)
			}
		}
	}
}

// The 2×2 fast path equals the general max-pool kernel.
func TestMaxPool2x2MatchesGeneral(t *testing.T) {
	for _, hw := range [][2]int{{2, 2}, {5, 7}, {60, 60}, {9, 4}} {
		g := ConvGeom{N: 2, C: 3, H: hw[0], W: hw[1], OC: 3, OH: hw[0] / 2, OW: hw[1] / 2, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}
		src := make([]float32, g.N*g.C*g.H*g.W)
		for i := range src {
			src[i] = float32((i*7919)%101) - 50
		}
		want := make([]float32, g.N*g.C*g.OH*g.OW)
		got := make([]float32, len(want))
		MaxPool2D(want, src, make([]int32, len(want)), g) // argmax forces the general kernel
		MaxPool2D(got, src, nil, g)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%v: [%d] %v, want %v", hw, i, got[i], want[i])
			}
		}
	}
}
