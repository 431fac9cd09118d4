package tensor

// Numel is the product of dims.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// MinMaxMean returns the range and mean of data (zeros for empty data).
func MinMaxMean(data []float32) (lo, hi float32, mean float64) {
	if len(data) == 0 {
		return 0, 0, 0
	}
	lo, hi = data[0], data[0]
	var sum float64
	for _, v := range data {
		lo = min(lo, v)
		hi = max(hi, v)
		sum += float64(v)
	}
	return lo, hi, sum / float64(len(data))
}
