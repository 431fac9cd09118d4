package tensor

import "math"

// MaxPool2D writes the maximum of each window; padding cells are ignored. A
// window that covers no input cell yields 0. argmax, when not nil, receives
// the flat index into src of each chosen element (for backpropagation).
func MaxPool2D(dst, src []float32, argmax []int32, g ConvGeom) {
	if g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.DH == 1 && g.DW == 1 &&
		g.PadT == 0 && g.PadL == 0 && 2*g.OH <= g.H && 2*g.OW <= g.W {
		if argmax == nil {
			maxPool2x2(dst, src, g)
		} else {
			maxPool2x2Arg(dst, src, argmax, g)
		}
		return
	}
	maxPoolGeneral(dst, src, argmax, g)
}

// maxPoolGeneral is MaxPool2D for any window (the reference of the fast
// paths).
func maxPoolGeneral(dst, src []float32, argmax []int32, g ConvGeom) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for nc := 0; nc < g.N*g.C; nc++ {
		in := src[nc*plane : (nc+1)*plane]
		out := dst[nc*oplane : (nc+1)*oplane]
		for oy := 0; oy < g.OH; oy++ {
			for ox := 0; ox < g.OW; ox++ {
				best := float32(math.Inf(-1))
				arg := -1
				for kh := 0; kh < g.KH; kh++ {
					iy := oy*g.SH + kh*g.DH - g.PadT
					if iy < 0 || iy >= g.H {
						continue
					}
					for kw := 0; kw < g.KW; kw++ {
						ix := ox*g.SW + kw*g.DW - g.PadL
						if ix < 0 || ix >= g.W {
							continue
						}
						if v := in[iy*g.W+ix]; v > best || arg < 0 {
							best, arg = v, iy*g.W+ix
						}
					}
				}
				if arg < 0 {
					best = 0
				}
				out[oy*g.OW+ox] = best
				if argmax != nil {
					if arg >= 0 {
						arg += nc * plane
					}
					argmax[nc*oplane+oy*g.OW+ox] = int32(arg)
				}
			}
		}
	}
}

// AvgPool2D writes the mean of each window. With includePad the divisor is
// the window clipped to the padded input (Caffe, ONNX count_include_pad);
// otherwise it is the number of real input cells in the window.
func AvgPool2D(dst, src []float32, g ConvGeom, includePad bool, padB, padR int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	if oplane == 1 && g.KH == g.H && g.KW == g.W && g.PadT == 0 && g.PadL == 0 && padB == 0 && padR == 0 && g.DH == 1 && g.DW == 1 {
		// Global average pooling (the squeeze of squeeze-and-excitation
		// blocks): the same sums, in the same order, without the window
		// bookkeeping.
		for nc := 0; nc < g.N*g.C; nc++ {
			var sum float32
			for _, v := range src[nc*plane : (nc+1)*plane] {
				sum += v
			}
			dst[nc] = sum / float32(plane)
		}
		return
	}
	for nc := 0; nc < g.N*g.C; nc++ {
		in := src[nc*plane : (nc+1)*plane]
		out := dst[nc*oplane : (nc+1)*oplane]
		for oy := 0; oy < g.OH; oy++ {
			for ox := 0; ox < g.OW; ox++ {
				var sum float32
				count, padded := 0, 0
				for kh := 0; kh < g.KH; kh++ {
					iy := oy*g.SH + kh*g.DH - g.PadT
					if iy >= g.H+padB {
						continue
					}
					for kw := 0; kw < g.KW; kw++ {
						ix := ox*g.SW + kw*g.DW - g.PadL
						if ix >= g.W+padR {
							continue
						}
						padded++
						if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
							continue
						}
						sum += in[iy*g.W+ix]
						count++
					}
				}
				div := count
				if includePad {
					div = padded
				}
				if div > 0 {
					sum /= float32(div)
				}
				out[oy*g.OW+ox] = sum
			}
		}
	}
}

// maxPool2x2 is MaxPool2D for the common 2×2, stride 2, unpadded window
// lying wholly inside the input.
func maxPool2x2(dst, src []float32, g ConvGeom) {
	planes := g.N * g.C
	t := gemmTask{kind: taskPool, bs: bSource{b: src, g: g}, c: dst}
	// Memory-bound: an output counted as 64 multiply-adds.
	split(t, planes, 1, 64*int64(planes)*int64(g.OH*g.OW))
}

// maxPool2x2Range computes planes [p0, p1) of maxPool2x2.
func maxPool2x2Range(dst, src []float32, g *ConvGeom, p0, p1 int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for nc := p0; nc < p1; nc++ {
		in := src[nc*plane : (nc+1)*plane]
		out := dst[nc*oplane : (nc+1)*oplane]
		for oy := 0; oy < g.OH; oy++ {
			r0 := in[2*oy*g.W : 2*oy*g.W+2*g.OW]
			r1 := in[(2*oy+1)*g.W : (2*oy+1)*g.W+2*g.OW]
			o := out[oy*g.OW : (oy+1)*g.OW]
			r0, r1 = r0[:2*len(o)], r1[:2*len(o)]
			head := 0
			if hasAVX2 && len(o) >= 8 {
				head = len(o) &^ 7
				maxPool2Row(&o[0], &r0[0], &r1[0], head)
			}
			for ox := head; ox < len(o); ox++ {
				// Plain comparisons, cheaper than the NaN-aware max builtin,
				// with the general kernel's semantics (first maximum wins).
				a, b := r0[2*ox], r0[2*ox+1]
				if b > a {
					a = b
				}
				c, d := r1[2*ox], r1[2*ox+1]
				if d > c {
					c = d
				}
				if c > a {
					a = c
				}
				o[ox] = a
			}
		}
	}
}

// maxPool2x2Arg is maxPool2x2 with argmax. It compares the window's cells in
// the general kernel's order (row by row; the first maximum wins, a NaN is
// kept only when it comes first), so it chooses the same cells.
func maxPool2x2Arg(dst, src []float32, argmax []int32, g ConvGeom) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for nc := 0; nc < g.N*g.C; nc++ {
		in := src[nc*plane : (nc+1)*plane]
		out := dst[nc*oplane : (nc+1)*oplane]
		arg := argmax[nc*oplane : (nc+1)*oplane]
		for oy := 0; oy < g.OH; oy++ {
			i0 := 2 * oy * g.W
			r0 := in[i0 : i0+2*g.OW]
			r1 := in[i0+g.W : i0+g.W+2*g.OW]
			o := out[oy*g.OW : (oy+1)*g.OW]
			ar := arg[oy*g.OW : (oy+1)*g.OW]
			r0, r1 = r0[:2*len(o)], r1[:2*len(o)]
			base := nc*plane + i0
			w := int32(g.W)
			for ox := range o {
				// Branch-free selects (conditional moves): which cell wins is
				// as unpredictable as the data.
				a, b, c, d := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
				best, at := a, int32(0)
				if b > best {
					at = 1
				}
				best = max32sel(best, b)
				if c > best {
					at = w
				}
				best = max32sel(best, c)
				if d > best {
					at = w + 1
				}
				best = max32sel(best, d)
				o[ox] = best
				ar[ox] = int32(base+2*ox) + at
			}
		}
	}
}

// max32sel returns v when v > best, else best (best wins ties and NaNs in
// v; a NaN best stays), as a conditional move on the bits.
func max32sel(best, v float32) float32 {
	bb, vb := math.Float32bits(best), math.Float32bits(v)
	if v > best {
		bb = vb
	}
	return math.Float32frombits(bb)
}
