package tensor

import (
	"math"
	"testing"
)

// TestHalfToFloat: binary16 bit patterns against their values by hand
// (sign · 2^(e−15) · (1 + f/1024), subnormals f · 2^−24).
func TestHalfToFloat(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x3555, 0.333251953125}, {0x7bff, 65504},
		{0x0001, 1.0 / (1 << 24)}, {0x83ff, -1023.0 / (1 << 24)}, {0x0400, 1.0 / (1 << 14)},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	} {
		if got := HalfToFloat(c.h); got != c.want {
			t.Errorf("HalfToFloat(%#04x) = %v, want %v", c.h, got, c.want)
		}
	}
	if got := HalfToFloat(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("HalfToFloat(0x7e00) = %v, want NaN", got)
	}
	if got := HalfToFloat(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("HalfToFloat(0x8000) = %v, want -0", got)
	}
}
