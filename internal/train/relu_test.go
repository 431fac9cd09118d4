package train

import (
	"math"
	"testing"
)

// reluBackward adds dy exactly where x > 0, for special values too.
func TestReluBackwardBranchFree(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	xs := []float32{0, negZero, 1e-45, -1e-45, 1, -1, inf, -inf, nan, -nan, 3.5, -2.25, math.MaxFloat32, -math.MaxFloat32}
	x := make([]float32, 0, 3*len(xs))
	for range 3 {
		x = append(x, xs...)
	}
	dy := make([]float32, len(x))
	dx := make([]float32, len(x))
	for i := range x {
		dy[i] = float32(i) - 7.5
		dx[i] = float32(i%5) * 0.25
	}
	want := append([]float32(nil), dx...)
	for i, v := range x {
		if v > 0 {
			want[i] += dy[i]
		}
	}
	reluBackward(dx, dy, x)
	for i := range dx {
		if dx[i] != want[i] {
			t.Fatalf("x=%v: dx %v, want %v", x[i], dx[i], want[i])
		}
	}
}
