package tensor

import "math"

// PRelu computes dst = x ≥ 0 ? x : slope·x over an [N, C, plane] tensor,
// with one slope per channel, or one for all when len(slope) == 1. dst and
// src may be the same slice.
func PRelu(dst, src, slope []float32, n, c, plane int) {
	for ni := 0; ni < n; ni++ {
		for ci := 0; ci < c; ci++ {
			s := slope[0]
			if len(slope) > 1 {
				s = slope[ci]
			}
			base := (ni*c + ci) * plane
			for i := base; i < base+plane; i++ {
				v := src[i]
				if v < 0 {
					v *= s
				}
				dst[i] = v
			}
		}
	}
}

// Affine computes dst = scale[c]·x + bias[c] over an [N, C, plane] tensor.
// A nil scale means 1 and a nil bias 0.
func Affine(dst, src, scale, bias []float32, n, c, plane int) {
	for ni := 0; ni < n; ni++ {
		for ci := 0; ci < c; ci++ {
			k, off := float32(1), float32(0)
			if scale != nil {
				k = scale[ci]
			}
			if bias != nil {
				off = bias[ci]
			}
			base := (ni*c + ci) * plane
			for i := base; i < base+plane; i++ {
				dst[i] = src[i]*k + off
			}
		}
	}
}

// Power computes dst = (shift + scale·x)^exponent (Caffe Power). Exponents
// 1 and 2 are computed exactly; others with math.Pow, so a negative base
// with a fractional exponent gives NaN.
func Power(dst, src []float32, exponent, scale, shift float32) {
	switch exponent {
	case 1:
		axpb(dst, src, scale, shift)
	case 2:
		axpb(dst, src, scale, shift)
		binarySame(dst, dst, dst, BinMul)
	default:
		e := float64(exponent)
		for i, v := range src {
			dst[i] = float32(math.Pow(float64(shift+scale*v), e))
		}
	}
}
