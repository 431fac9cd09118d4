package analyze

import (
	"math"
	"slices"
	"testing"
)

// Hand values: x = -2, 0, 0, 1e-7, 2, 4 (and a NaN and an Inf left out).
// mean = (−2 + 1e-7 + 2 + 4)/6 = 4.0000001/6; zeros 2 of 8, tiny 3 of 8.
func TestWeightsHand(t *testing.T) {
	x := []float32{-2, 0, 0, 1e-7, 2, 4, float32(math.NaN()), float32(math.Inf(1))}
	s := Weights(x)
	mean := (-2 + float64(float32(1e-7)) + 2 + 4) / 6
	var ss float64
	for _, v := range []float64{-2, 0, 0, float64(float32(1e-7)), 2, 4} {
		ss += (v - mean) * (v - mean)
	}
	std := math.Sqrt(ss / 6) // = √(64/18) = 1.8856… by hand: squares 64/9+3·4/9+16/9+100/9 over 6
	if s.Count != 8 || s.NonFinite != 2 || s.Min != -2 || s.Max != 4 {
		t.Errorf("count %d non-finite %d min %g max %g", s.Count, s.NonFinite, s.Min, s.Max)
	}
	if math.Abs(s.Mean-mean) > 1e-15 || math.Abs(s.Std-std) > 1e-12 || math.Abs(std-math.Sqrt(64.0/18)) > 1e-6 {
		t.Errorf("mean %g std %g, want %g %g", s.Mean, s.Std, mean, std)
	}
	if s.Zeros != 2.0/8 || s.Tiny != 3.0/8 {
		t.Errorf("zeros %g tiny %g, want 0.25 0.375", s.Zeros, s.Tiny)
	}
	// 32 bins of width 6/32 = 0.1875 from −2: −2 → bin 0; 0 and 1e-7 →
	// bin ⌊2/0.1875⌋ = 10; 2 → bin ⌊4/0.1875⌋ = 21; 4 (the max) → bin 31.
	want := make([]int, 32)
	want[0], want[10], want[21], want[31] = 1, 3, 1, 1
	if !slices.Equal(s.Counts, want) {
		t.Errorf("counts %v\nwant   %v", s.Counts, want)
	}
	if len(s.Edges) != 33 || s.Edges[0] != -2 || s.Edges[32] != 4 || s.Edges[1] != -2+0.1875 {
		t.Errorf("edges %v", s.Edges)
	}
}

func TestWeightsDegenerate(t *testing.T) {
	s := Weights([]float32{3, 3, 3})
	if s.Mean != 3 || s.Std != 0 || !slices.Equal(s.Counts, []int{3}) || !slices.Equal(s.Edges, []float64{3, 3}) {
		t.Errorf("constant tensor: %+v", s)
	}
	s = Weights([]float32{float32(math.NaN())})
	if s.Count != 1 || s.NonFinite != 1 || len(s.Counts) != 0 || s.Mean != 0 {
		t.Errorf("all NaN: %+v", s)
	}
	s = Weights(nil)
	if s.Count != 0 || len(s.Counts) != 0 || s.Edges == nil {
		t.Errorf("empty: %+v", s)
	}
}
