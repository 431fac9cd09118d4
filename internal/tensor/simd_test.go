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
