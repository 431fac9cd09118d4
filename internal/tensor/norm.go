package tensor

import "math"

// LayerNorm normalises src (of shape shape) over the axes marked in red
// with each remaining index's mean and biased variance, then multiplies by
// scale and adds bias (both indexed by the normalised axes in order; nil:
// 1 and 0). Statistics accumulate in float64.
func LayerNorm(dst, src []float32, shape []int, red []bool, scale, bias []float32, eps float32) {
	r := len(shape)
	keep, par := make([]int, r), make([]int, r)
	ks, ps := 1, 1
	for d := r - 1; d >= 0; d-- {
		if red[d] {
			par[d] = ps
			ps *= shape[d]
		} else {
			keep[d] = ks
			ks *= shape[d]
		}
	}
	sum, sq := make([]float64, ks), make([]float64, ks)
	walk(src, shape, keep, func(o int, v float64) { sum[o] += v })
	n := float64(ps)
	for i := range sum {
		sum[i] /= n
	}
	walk(src, shape, keep, func(o int, v float64) { d := v - sum[o]; sq[o] += d * d })
	for i := range sq {
		sq[i] = 1 / math.Sqrt(sq[i]/n+float64(eps))
	}
	// One pass over the elements with both indices.
	strided(shape, keep, par, func(i, o, p int) {
		y := (float64(src[i]) - sum[o]) * sq[o]
		if scale != nil {
			y *= float64(scale[p])
		}
		if bias != nil {
			y += float64(bias[p])
		}
		dst[i] = float32(y)
	})
}

// GroupNorm normalises an [n, c, plane] tensor per sample and group of
// c/groups consecutive channels, then scales and shifts each channel.
func GroupNorm(dst, src []float32, n, c, plane, groups int, scale, bias []float32, eps float32) {
	per := c / groups * plane
	for s := 0; s < n; s++ {
		for g := 0; g < groups; g++ {
			off := (s*groups + g) * per
			x := src[off : off+per]
			var mean, v float64
			for _, e := range x {
				mean += float64(e)
			}
			mean /= float64(per)
			for _, e := range x {
				d := float64(e) - mean
				v += d * d
			}
			inv := 1 / math.Sqrt(v/float64(per)+float64(eps))
			for k := 0; k < c/groups; k++ {
				ch := g*(c/groups) + k
				sc, b := float64(scale[ch]), float64(bias[ch])
				for j := k * plane; j < (k+1)*plane; j++ {
					dst[off+j] = float32((float64(x[j])-mean)*inv*sc + b)
				}
			}
		}
	}
}

// L2Norm divides an [n, c, plane] tensor by the L2 norm over the channels
// of each position (acrossSpatial: over each image's c·plane values), with
// eps added under the root, and multiplies channel k by scale[k] (scale[0]
// for all when it has one value) — SSD's Normalize.
func L2Norm(dst, src []float32, n, c, plane int, acrossSpatial bool, eps float32, scale []float32) {
	sc := func(k int) float64 {
		if len(scale) == 1 {
			return float64(scale[0])
		}
		return float64(scale[k])
	}
	per := c * plane
	for s := 0; s < n; s++ {
		x, y := src[s*per:(s+1)*per], dst[s*per:(s+1)*per]
		if acrossSpatial {
			var sum float64
			for _, v := range x {
				sum += float64(v) * float64(v)
			}
			inv := 1 / math.Sqrt(sum+float64(eps))
			for k := 0; k < c; k++ {
				f := inv * sc(k)
				for j := k * plane; j < (k+1)*plane; j++ {
					y[j] = float32(float64(x[j]) * f)
				}
			}
			continue
		}
		for j := 0; j < plane; j++ {
			var sum float64
			for k := 0; k < c; k++ {
				v := float64(x[k*plane+j])
				sum += v * v
			}
			inv := 1 / math.Sqrt(sum+float64(eps))
			for k := 0; k < c; k++ {
				y[k*plane+j] = float32(float64(x[k*plane+j]) * inv * sc(k))
			}
		}
	}
}
