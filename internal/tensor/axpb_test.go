package tensor

import (
	"math"
	"testing"
)

// Power with exponents 1 and 2 on 11 values (the 8-wide kernel and the
// tail): (shift + scale·x)^e by hand for x = 0…10, scale 0.5, shift −1,
// and a NaN that stays NaN.
func TestPowerFastPaths(t *testing.T) {
	x := make([]float32, 11)
	for i := range x {
		x[i] = float32(i)
	}
	x[9] = float32(math.NaN())
	for _, e := range []float32{1, 2} {
		y := make([]float32, len(x))
		Power(y, x, e, 0.5, -1)
		for i, v := range x {
			b := float64(v)*0.5 - 1
			want := float32(math.Pow(b, float64(e)))
			if i == 9 {
				if !math.IsNaN(float64(y[i])) {
					t.Errorf("exponent %g: NaN gave %v", e, y[i])
				}
				continue
			}
			if y[i] != want {
				t.Errorf("exponent %g, x = %v: %v, want %v", e, v, y[i], want)
			}
		}
	}
	// In place, as the engine may call it.
	Power(x, x, 1, 2, 1)
	if x[3] != 7 || x[10] != 21 {
		t.Errorf("in place: %v", x)
	}
}

// Global average pooling (the fast path of AvgPool2D) is the mean of each
// plane: [1, 2, 3, 4, 5, 6] and [−1, 1, 0, 0, 0, 6] over 2×3 planes.
func TestGlobalAvgPool(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6, -1, 1, 0, 0, 0, 6}
	g := ConvGeom{N: 1, C: 2, H: 2, W: 3, KH: 2, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, OH: 1, OW: 1}
	dst := make([]float32, 2)
	AvgPool2D(dst, src, g, false, 0, 0)
	if dst[0] != 3.5 || dst[1] != 1 {
		t.Errorf("global average = %v, want [3.5 1]", dst)
	}
}
