package tensor

// ConvTranspose2D computes the transposed convolution dst = deconv(src, w) +
// b: every input cell scatters its value times a kernel into the output.
// src is [N, C, H, W]; w is [C, OC/Groups, KH, KW] (input-major, as in ONNX
// and Caffe); b is [OC] or nil; dst is [N, OC, OH, OW]. g.PadT and g.PadL
// are the padding removed from the top and left of the full output (the
// bottom and right padding follow from OH and OW).
func ConvTranspose2D(dst, src, w, b []float32, g ConvGeom) {
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
		}
		for c := 0; c < g.C; c++ {
			grp := c / cg
			in := src[(n*g.C+c)*plane : (n*g.C+c+1)*plane]
			for j := 0; j < ocg; j++ {
				oc := grp*ocg + j
				out := dst[(n*g.OC+oc)*oplane : (n*g.OC+oc+1)*oplane]
				kern := w[(c*ocg+j)*g.KH*g.KW : (c*ocg+j+1)*g.KH*g.KW]
				deconvPlane(out, in, kern, g)
			}
		}
	}
}

// deconvPlane scatters one input plane through one kernel into out.
func deconvPlane(out, in, kern []float32, g ConvGeom) {
	for kh := 0; kh < g.KH; kh++ {
		for kw := 0; kw < g.KW; kw++ {
			wv := kern[kh*g.KW+kw]
			if wv == 0 {
				continue
			}
			for iy := 0; iy < g.H; iy++ {
				oy := iy*g.SH + kh*g.DH - g.PadT
				if oy < 0 || oy >= g.OH {
					continue
				}
				row := in[iy*g.W : (iy+1)*g.W]
				o := out[oy*g.OW : (oy+1)*g.OW]
				for ix, v := range row {
					ox := ix*g.SW + kw*g.DW - g.PadL
					if ox >= 0 && ox < g.OW {
						o[ox] += wv * v
					}
				}
			}
		}
	}
}

// ConvTransposeScratch is the scratch length ConvTranspose2DGemm needs for
// g: one group's column matrix [OC/Groups·KH·KW, H·W].
func ConvTransposeScratch(g ConvGeom) int {
	return g.OC / max(1, g.Groups) * g.KH * g.KW * g.H * g.W
}

// ConvTranspose2DGemm computes the same result as ConvTranspose2D as a
// matrix product per image and group, weightsᵀ [OC/G·KH·KW, C/G] times the
// input [C/G, H·W], whose columns Col2Im then adds into the output (a
// transposed convolution is the adjoint of the convolution that maps its
// output back to its input). scratch holds at least
// ConvTransposeScratch(g) elements.
func ConvTranspose2DGemm(dst, src, w, b, scratch []float32, g ConvGeom) {
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	plane, oplane := g.H*g.W, g.OH*g.OW
	rows := ocg * g.KH * g.KW
	cols := scratch[:rows*plane]
	// The convolution this is the adjoint of: from the OH×OW output to the
	// H×W input.
	adj := ConvGeom{KH: g.KH, KW: g.KW, SH: g.SH, SW: g.SW, DH: g.DH, DW: g.DW, PadT: g.PadT, PadL: g.PadL, OH: g.H, OW: g.W}
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < groups; grp++ {
			out := dst[(n*g.OC+grp*ocg)*oplane : (n*g.OC+(grp+1)*ocg)*oplane]
			for j := 0; j < ocg; j++ {
				bias := float32(0)
				if b != nil {
					bias = b[grp*ocg+j]
				}
				o := out[j*oplane : (j+1)*oplane]
				for i := range o {
					o[i] = bias
				}
			}
			x := src[(n*g.C+grp*cg)*plane : (n*g.C+(grp+1)*cg)*plane]
			wg := w[grp*cg*rows : (grp+1)*cg*rows]
			Gemm(true, false, rows, plane, cg, 1, wg, rows, x, plane, 0, cols, plane)
			Col2Im(out, cols, ocg, g.OH, g.OW, adj)
		}
	}
}
