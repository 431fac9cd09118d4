package tensor

import "math"

// DynamicQuantize quantizes x to uint8 values (held in y as float32) with
// the scale and zero point of ONNX DynamicQuantizeLinear, computed in
// float32 as onnxruntime does: the range [min(x, 0), max(x, 0)] over 255
// steps (scale 1 for an all-zero input), the zero point −min/scale
// clamped to [0, 255], and y = clamp(round(x/scale) + zero, 0, 255),
// rounding half to even. It returns the scale and the zero point.
func DynamicQuantize(y, x []float32) (scale, zero float32) {
	var lo, hi float32
	for _, v := range x {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	scale = 1
	if hi != lo {
		scale = (hi - lo) / 255
	}
	zero = roundEven(min(max(0-lo/scale, 0), 255))
	QuantizeLinear(y, x, scale, zero, 0, 255)
	return scale, zero
}

// QuantizeLinear writes clamp(round(x/scale) + zero, lo, hi) to y, in
// float32 and rounding half to even (ONNX QuantizeLinear, per tensor, as
// onnxruntime computes it: a division, not a product by 1/scale).
func QuantizeLinear(y, x []float32, scale, zero, lo, hi float32) {
	for i, v := range x {
		y[i] = min(max(roundEven(v/scale)+zero, lo), hi)
	}
}

func roundEven(v float32) float32 { return float32(math.RoundToEven(float64(v))) }
