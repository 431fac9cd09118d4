package tensor

// pointwise reports a 1×1 convolution with stride 1 and no padding, whose
// column matrix is the input itself.
func pointwise(g ConvGeom) bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadT == 0 && g.PadL == 0 && g.OH == g.H && g.OW == g.W
}

// Conv2DGemm computes the same result as Conv2D as a matrix product per
// image and group: weights [OC/G, C/G·KH·KW] times the image's im2col
// matrix, which the packed GEMM reads straight from the image (nothing is
// unrolled in memory).
func Conv2DGemm(dst, src, w, b []float32, g ConvGeom) {
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	plane, oplane := g.H*g.W, g.OH*g.OW
	kk := cg * g.KH * g.KW
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < groups; grp++ {
			out := dst[(n*g.OC+grp*ocg)*oplane : (n*g.OC+(grp+1)*ocg)*oplane]
			beta := float32(0)
			if b != nil {
				for o := 0; o < ocg; o++ {
					v := b[grp*ocg+o]
					row := out[o*oplane : (o+1)*oplane]
					for i := range row {
						row[i] = v
					}
				}
				beta = 1
			}
			in := src[(n*g.C+grp*cg)*plane : (n*g.C+(grp+1)*cg)*plane]
			wg := w[grp*ocg*kk : (grp+1)*ocg*kk]
			if pointwise(g) {
				Gemm(false, false, ocg, oplane, kk, 1, wg, kk, in, oplane, beta, out, oplane)
				continue
			}
			if beta == 0 {
				clear(out)
			}
			gc := g
			gc.C = cg
			gemmParallel(false, ocg, oplane, kk, 1, wg, kk, bSource{b: in, conv: true, g: gc}, out, oplane)
		}
	}
}
