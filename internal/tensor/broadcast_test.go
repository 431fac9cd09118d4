package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Broadcast's run-wise fast paths (same shape, scalar, per-channel, any
// mixture of contiguous and broadcast axes) equal the element-by-element
// reference for every op, on random shapes of rank 0–5.
func TestBroadcastMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 2000; trial++ {
		nd := rng.IntN(6)
		out := make([]int, nd)
		for i := range out {
			out[i] = 1 + rng.IntN(7)
			if rng.IntN(4) == 0 {
				out[i] = 1 + rng.IntN(40)
			}
		}
		shape := func() []int {
			s := append([]int(nil), out[rng.IntN(nd+1):]...)
			for i := range s {
				if rng.IntN(3) == 0 {
					s[i] = 1
				}
			}
			return s
		}
		as, bs := shape(), shape()
		switch trial % 5 {
		case 0:
			as, bs = out, out
		case 1:
			as, bs = out, nil // a scalar b
		case 2: // per channel, like a bias of shape [C, 1, 1]
			if nd >= 3 {
				bs = []int{out[nd-3], 1, 1}
			}
		}
		a, b := randSlice(rng, Numel(as)), randSlice(rng, Numel(bs))
		if trial%7 == 0 && len(a) > 0 {
			a[rng.IntN(len(a))] = float32(math.NaN())
		}
		op := Binary(rng.IntN(6))
		want, got := make([]float32, Numel(out)), randSlice(rng, Numel(out))
		broadcastRef(want, a, as, b, bs, out, op, 1, 1)
		Broadcast(got, a, as, b, bs, out, op, 1, 1)
		for i := range want {
			if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
				t.Fatalf("trial %d: op %d a%v b%v out%v: [%d] %v, want %v", trial, op, as, bs, out, i, got[i], want[i])
			}
			if want[i] == 0 && math.Signbit(float64(got[i])) != math.Signbit(float64(want[i])) {
				t.Fatalf("trial %d: op %d: [%d] sign of zero differs", trial, op, i)
			}
		}
	}
}

// Clip's vector kernel equals min(max(v, lo), hi) and keeps NaN.
func TestClampMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n < 70; n++ {
		src := randSlice(rng, n)
		if n > 3 {
			src[n/2] = float32(math.NaN())
		}
		dst := make([]float32, n)
		Apply(dst, src, ActClip, -0.5, 0.75)
		for i, v := range src {
			w := min(max(v, -0.5), 0.75)
			if dst[i] != w && !(math.IsNaN(float64(v)) && math.IsNaN(float64(dst[i]))) {
				t.Fatalf("n %d: [%d] clip(%v) = %v, want %v", n, i, v, dst[i], w)
			}
		}
	}
}
