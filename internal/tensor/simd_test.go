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

// The 2×2 fast paths, with and without argmax, equal the general max-pool
// kernel, ties and NaNs included.
func TestMaxPool2x2MatchesGeneral(t *testing.T) {
	for _, hw := range [][2]int{{2, 2}, {5, 7}, {60, 60}, {9, 4}, {33, 71}} {
		g := ConvGeom{N: 2, C: 3, H: hw[0], W: hw[1], OC: 3, OH: hw[0] / 2, OW: hw[1] / 2, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}
		src := make([]float32, g.N*g.C*g.H*g.W)
		for i := range src {
			src[i] = float32((i*7919)%101)/4 - 12
			if i%37 == 5 {
				src[i] = float32(math.NaN())
			}
		}
		want := make([]float32, g.N*g.C*g.OH*g.OW)
		wantArg := make([]int32, len(want))
		got := make([]float32, len(want))
		gotArg := make([]int32, len(want))
		maxPoolGeneral(want, src, wantArg, g)
		MaxPool2D(got, src, gotArg, g)
		same := func(a, b float32) bool { return a == b || a != a && b != b }
		for i := range got {
			if !same(got[i], want[i]) || gotArg[i] != wantArg[i] {
				t.Fatalf("%v argmax: [%d] %v at %d, want %v at %d", hw, i, got[i], gotArg[i], want[i], wantArg[i])
			}
		}
		for i := range src {
			if src[i] != src[i] {
				src[i] = 0 // the argmax-free fast path does not promise NaN order
			}
		}
		maxPoolGeneral(want, src, nil, g)
		MaxPool2D(got, src, nil, g)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%v: [%d] %v, want %v", hw, i, got[i], want[i])
			}
		}
	}
}
