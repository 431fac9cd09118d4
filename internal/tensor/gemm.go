package tensor

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or Xᵀ. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb
// and ldc are the row strides of A, B and C as stored. beta = 0 overwrites
// C without reading it (NaNs in C do not propagate).
//
// This is the one matrix-multiply entry point of the project: convolutions
// (via im2col), dense layers and their gradients all call it, so a faster
// implementation here speeds up everything.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	if transB && !transA && m <= 4 {
		// Matrix-vector shaped (a dense layer at small batch): rows of B are
		// contiguous, so dot products beat packing B.
		split(gemmTask{kind: taskGemv, m: m, k: k, alpha: alpha, a: a, lda: lda, bs: bSource{b: b, ldb: ldb}, c: c, ldc: ldc},
			n, 8, int64(m)*int64(n)*int64(k))
		return
	}
	gemmParallel(transA, m, n, k, alpha, a, lda, bSource{b: b, ldb: ldb, trans: transB}, c, ldc)
}

// gemmRef is the straightforward kernel, kept as the reference the packed
// kernels are tested against: C += alpha·op(A)·op(B).
func gemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	// Make B row-accessible: with transB, pack Bᵀ into a k×n buffer.
	if transB {
		bt := make([]float32, k*n)
		for j := 0; j < n; j++ {
			for p := 0; p < k; p++ {
				bt[p*n+j] = b[j*ldb+p]
			}
		}
		b, ldb = bt, n
	}
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		for p := 0; p < k; p++ {
			var av float32
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			if av == 0 {
				continue
			}
			av *= alpha
			brow := b[p*ldb : p*ldb+n]
			for j, bv := range brow {
				crow[j] += av * bv
			}
		}
	}
}

// Im2Col unrolls one image's [C, H, W] input into a [C·KH·KW, OH·OW] matrix
// (row (c, kh, kw), column (oy, ox)); padded cells are zero. With it a
// convolution of one group is Gemm(weight [OC, C·KH·KW], cols).
func Im2Col(cols, src []float32, c, h, w int, g ConvGeom) {
	oplane := g.OH * g.OW
	for ci := 0; ci < c; ci++ {
		in := src[ci*h*w : (ci+1)*h*w]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				row := cols[((ci*g.KH+kh)*g.KW+kw)*oplane:][:oplane]
				dx := kw*g.DW - g.PadL
				lo, hi := validRange(dx, g.SW, w, g.OW)
				for oy := 0; oy < g.OH; oy++ {
					out := row[oy*g.OW : (oy+1)*g.OW]
					iy := oy*g.SH + kh*g.DH - g.PadT
					if iy < 0 || iy >= h {
						clear(out)
						continue
					}
					clear(out[:lo])
					clear(out[hi:])
					irow := in[iy*w : (iy+1)*w]
					if g.SW == 1 {
						if lo < hi {
							copy(out[lo:hi], irow[lo+dx:hi+dx])
						}
						continue
					}
					for ox := lo; ox < hi; ox++ {
						out[ox] = irow[ox*g.SW+dx]
					}
				}
			}
		}
	}
}

// Col2Im is the adjoint of Im2Col: it accumulates a [C·KH·KW, OH·OW] matrix
// back into a [C, H, W] image (dst += …), as the gradient of a convolution
// with respect to its input needs.
func Col2Im(dst, cols []float32, c, h, w int, g ConvGeom) {
	oplane := g.OH * g.OW
	for ci := 0; ci < c; ci++ {
		out := dst[ci*h*w : (ci+1)*h*w]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				row := cols[((ci*g.KH+kh)*g.KW+kw)*oplane:][:oplane]
				dx := kw*g.DW - g.PadL
				lo, hi := validRange(dx, g.SW, w, g.OW)
				for oy := 0; oy < g.OH; oy++ {
					iy := oy*g.SH + kh*g.DH - g.PadT
					if iy < 0 || iy >= h {
						continue
					}
					orow := out[iy*w : (iy+1)*w]
					in := row[oy*g.OW : (oy+1)*g.OW]
					if g.SW == 1 && lo < hi {
						dst, src := orow[lo+dx:hi+dx], in[lo:hi]
						for j, v := range src {
							dst[j] += v
						}
						continue
					}
					for ox := lo; ox < hi; ox++ {
						orow[ox*g.SW+dx] += in[ox]
					}
				}
			}
		}
	}
}
