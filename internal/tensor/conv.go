package tensor

// ConvGeom is the geometry of a 2-D convolution or pooling window over an
// NCHW input.
type ConvGeom struct {
	N, C, H, W int // input
	OC, OH, OW int // output channels and size
	KH, KW     int
	SH, SW     int // strides
	DH, DW     int // dilations
	PadT, PadL int
	Groups     int
}

// Conv2D computes dst = conv(src, w) + b. dst is [N, OC, OH, OW], src
// [N, C, H, W], w [OC, C/Groups, KH, KW], b [OC] or nil.
func Conv2D(dst, src, w, b []float32, g ConvGeom) {
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	plane, oplane := g.H*g.W, g.OH*g.OW
	for n := 0; n < g.N; n++ {
		for oc := 0; oc < g.OC; oc++ {
			out := dst[(n*g.OC+oc)*oplane : (n*g.OC+oc+1)*oplane]
			bias := float32(0)
			if b != nil {
				bias = b[oc]
			}
			for i := range out {
				out[i] = bias
			}
			grp := oc / ocg
			for ic := 0; ic < cg; ic++ {
				c := grp*cg + ic
				in := src[(n*g.C+c)*plane : (n*g.C+c+1)*plane]
				kern := w[(oc*cg+ic)*g.KH*g.KW : (oc*cg+ic+1)*g.KH*g.KW]
				convPlane(out, in, kern, g)
			}
		}
	}
}

// convPlane accumulates one input plane convolved with one kernel into out.
func convPlane(out, in, kern []float32, g ConvGeom) {
	for kh := 0; kh < g.KH; kh++ {
		for kw := 0; kw < g.KW; kw++ {
			wv := kern[kh*g.KW+kw]
			if wv == 0 {
				continue
			}
			dx := kw*g.DW - g.PadL
			// Output columns whose input column ox*SW+dx lies inside [0, W).
			lo, hi := validRange(dx, g.SW, g.W, g.OW)
			if lo >= hi {
				continue // the tap misses every input column
			}
			for oy := 0; oy < g.OH; oy++ {
				iy := oy*g.SH + kh*g.DH - g.PadT
				if iy < 0 || iy >= g.H {
					continue
				}
				row := in[iy*g.W : (iy+1)*g.W]
				o := out[oy*g.OW : (oy+1)*g.OW]
				if g.SW == 1 {
					src := row[lo+dx : hi+dx]
					dst := o[lo:hi]
					for i, v := range src {
						dst[i] += wv * v
					}
					continue
				}
				for ox := lo; ox < hi; ox++ {
					o[ox] += wv * row[ox*g.SW+dx]
				}
			}
		}
	}
}

// validRange returns the output indices [lo, hi) for which o*stride+off is
// in [0, size).
func validRange(off, stride, size, outSize int) (lo, hi int) {
	lo = 0
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	hi = outSize
	if last := (size - 1 - off); last < 0 {
		hi = 0
	} else if h := last/stride + 1; h < hi {
		hi = h
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}
