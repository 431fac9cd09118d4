package tensor

import "fmt"

// Tensor is a dense float32 array with a shape.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Numel(shape))}
}

// FromData wraps data (not copied) with a shape; it panics if the sizes
// disagree, which is a programming error.
func FromData(data []float32, shape ...int) *Tensor {
	if Numel(shape) != len(data) {
		panic(fmt.Sprintf("tensor: %d values for shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Numel is the product of dims.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

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
