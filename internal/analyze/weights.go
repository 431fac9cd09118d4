package analyze

import "math"

// TinyWeight is the magnitude below which a weight counts as tiny in
// WeightStats.Tiny: float32 weights this small change a layer's output by
// less than its rounding in practice (pruned weights stored as denormals or
// quantisation leftovers), so they are as good as zero.
const TinyWeight = 1e-6

// HistogramBins is the number of bins of WeightStats' histogram.
const HistogramBins = 32

// WeightStats describes the values of one parameter tensor.
type WeightStats struct {
	Count int `json:"count"` // values
	// NonFinite counts NaN and ±Inf values; every other figure leaves
	// them out.
	NonFinite int     `json:"non_finite"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Mean      float64 `json:"mean"`
	Std       float64 `json:"std"` // population standard deviation (divides by the count)
	// Zeros is the share (0..1) of values exactly 0 (the sparsity); Tiny
	// the share with |w| < TinyWeight, zeros included.
	Zeros float64 `json:"zeros"`
	Tiny  float64 `json:"tiny"`
	// Histogram counts the finite values in HistogramBins equal bins from
	// Min to Max (Edges has one more entry than Counts; a value equal to an
	// inner edge falls in the bin above it, Max in the last bin). A tensor
	// whose finite values are all equal has one bin [Min, Max].
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
}

// Weights computes the statistics of a parameter tensor's values (sums in
// float64).
func Weights(x []float32) WeightStats {
	s := WeightStats{Count: len(x), Edges: []float64{}, Counts: []int{}}
	n := 0
	var sum float64
	zeros, tiny := 0, 0
	for _, v := range x {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			s.NonFinite++
			continue
		}
		if n == 0 || f < s.Min {
			s.Min = f
		}
		if n == 0 || f > s.Max {
			s.Max = f
		}
		n++
		sum += f
		if v == 0 {
			zeros++
		}
		if math.Abs(f) < TinyWeight {
			tiny++
		}
	}
	if n == 0 {
		return s
	}
	s.Mean = sum / float64(n)
	var ss float64
	for _, v := range x {
		if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
			ss += (f - s.Mean) * (f - s.Mean)
		}
	}
	s.Std = math.Sqrt(ss / float64(n))
	s.Zeros = float64(zeros) / float64(len(x))
	s.Tiny = float64(tiny) / float64(len(x))
	bins := HistogramBins
	if s.Max == s.Min {
		bins = 1
	}
	s.Counts = make([]int, bins)
	s.Edges = make([]float64, bins+1)
	width := (s.Max - s.Min) / float64(bins)
	for i := range s.Edges {
		s.Edges[i] = s.Min + float64(i)*width
	}
	s.Edges[bins] = s.Max
	for _, v := range x {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		b := 0
		if width > 0 {
			b = min(bins-1, int((f-s.Min)/width))
		}
		s.Counts[b]++
	}
	return s
}
