package tensor

// pointwise reports a 1×1 convolution with stride 1 and no padding, whose
// column matrix is the input itself.
func pointwise(g ConvGeom) bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadT == 0 && g.PadL == 0 && g.OH == g.H && g.OW == g.W
}

// padded returns the geometry of the zero-bordered copy of one group's
// input that lets every tile of a stride-1 convolution read its taps
// directly: the padding becomes real zeros and rows are widened so that
// whole 16-pixel tiles fit. ok is false when no copy is needed or useful.
func padded(g ConvGeom) (gp ConvGeom, ok bool) {
	if !hasAVX2 || g.SH != 1 || g.SW != 1 || pointwise(g) {
		return g, false
	}
	hp := g.OH + (g.KH-1)*g.DH
	wp := (g.OW+nr-1)/nr*nr + (g.KW-1)*g.DW
	if g.PadT == 0 && g.PadL == 0 && hp <= g.H && g.OW >= nr {
		return g, false // unpadded: tiles are interior, short ones overlap
	}
	gp = g
	gp.C = g.C / max(1, g.Groups)
	gp.H, gp.W, gp.PadT, gp.PadL = hp, wp, 0, 0
	return gp, true
}

// ConvScratch is the scratch length Conv2DGemm needs for g.
func ConvScratch(g ConvGeom) int {
	gp, ok := padded(g)
	if !ok {
		return 0
	}
	return gp.C * gp.H * gp.W
}

// padInto copies one group's input [C, H, W] into the zero-bordered
// [C, gp.H, gp.W] buffer at offset (PadT, PadL).
func padInto(dst, src []float32, g, gp ConvGeom) {
	clear(dst)
	for c := 0; c < gp.C; c++ {
		for y := 0; y < g.H; y++ {
			py := y + g.PadT
			if py >= gp.H {
				break
			}
			n := min(g.W, gp.W-g.PadL)
			copy(dst[(c*gp.H+py)*gp.W+g.PadL:][:n], src[(c*g.H+y)*g.W:][:n])
		}
	}
}

// Conv2DGemm computes the same result as Conv2D as a matrix product per
// image and group: weights [OC/G, C/G·KH·KW] times the image's im2col
// matrix, read straight from the image (nothing is unrolled in memory).
// scratch holds at least ConvScratch(g) elements.
func Conv2DGemm(dst, src, w, b, scratch []float32, g ConvGeom) {
	gp, usePad := padded(g)
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
					fill(out[o*oplane:(o+1)*oplane], b[grp*ocg+o])
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
			if usePad {
				buf := scratch[:gp.C*gp.H*gp.W]
				padInto(buf, in, g, gp)
				convParallel(out, buf, wg, gp, ocg)
				continue
			}
			gc := g
			gc.C = cg
			convParallel(out, in, wg, gc, ocg)
		}
	}
}

// convOffsets describes the rows [pc, pc+kb) of a convolution's im2col
// matrix: for row p, the input plane offset and the kernel tap offsets.
type convOffsets struct {
	rel          [kc]int32 // base + dy·W + dx: the tap relative to the output pixel's input position
	base, dy, dx [kc]int32
	dyMin, dyMax int
	dxMin, dxMax int
}

func (o *convOffsets) set(g *ConvGeom, pc, kb int) {
	khw, plane := g.KH*g.KW, g.H*g.W
	o.dyMin, o.dxMin = 1<<30, 1<<30
	o.dyMax, o.dxMax = -1<<30, -1<<30
	for p := 0; p < kb; p++ {
		r := pc + p
		ci, rem := r/khw, r%khw
		dy := (rem/g.KW)*g.DH - g.PadT
		dx := (rem%g.KW)*g.DW - g.PadL
		o.base[p], o.dy[p], o.dx[p] = int32(ci*plane), int32(dy), int32(dx)
		o.rel[p] = int32(ci*plane + dy*g.W + dx)
		o.dyMin, o.dyMax = min(o.dyMin, dy), max(o.dyMax, dy)
		o.dxMin, o.dxMax = min(o.dxMin, dx), max(o.dxMax, dx)
	}
}

// convParallel splits a direct convolution's output rows across the
// worker pool when it is large enough.
func convParallel(out, in, w []float32, g ConvGeom, ocg int) {
	macs := int64(ocg) * int64(g.OH*g.OW) * int64(g.C*g.KH*g.KW)
	split(gemmTask{kind: taskConv, m: ocg, a: w, bs: bSource{b: in, g: g}, c: out}, g.OH, 1, macs)
}

// convDirect adds the convolution of one image and group (in [C, H, W],
// weights w [ocg, C·KH·KW]) to output rows [r0, r1) of out [ocg, OH, OW].
// The output is tiled 6 channels × 16 pixels of one row. Interior tiles of
// a stride-1 convolution read their im2col rows straight from the image
// (sgemmKernel6x16Gather); border tiles are packed with zero padding.
func convDirect(out, in, w []float32, g *ConvGeom, ocg, r0, r1 int) {
	buf := getBuf()
	defer putBuf(buf)
	kk := g.C * g.KH * g.KW
	ohw := g.OH * g.OW
	o := &buf.offs
	for pc := 0; pc < kk; pc += kc {
		kb := min(kc, kk-pc)
		o.set(g, pc, kb)
		for ic := 0; ic < ocg; ic += mc {
			mb := min(mc, ocg-ic)
			packA(buf.a, false, w, kk, ic, mb, pc, kb, 1)
			for oy := r0; oy < r1; oy++ {
				iy0 := oy * g.SH
				rowsIn := iy0+o.dyMin >= 0 && iy0+o.dyMax < g.H
				for ox := 0; ox < g.OW; ox += nr {
					cols := min(nr, g.OW-ox)
					// A short last tile is computed as the full tile ending at
					// the row's end (overlapping its neighbour); only its last
					// cols columns are kept.
					tx, skip := ox, 0
					if cols < nr && g.OW >= nr {
						tx, skip = g.OW-nr, nr-cols
					}
					s := iy0*g.W + tx
					gather := hasAVX2 && g.SW == 1 && rowsIn &&
						tx+o.dxMin >= 0 && tx+nr-1+o.dxMax < g.W && s < len(in)
					if !gather {
						tx, skip = ox, 0
						packConvTile(buf.tb[:kb*nr], in, g, o, kb, iy0, ox, cols)
					}
					for ir := 0; ir < mb; ir += mr {
						ap := buf.a[ir*kb : (ir+mr)*kb]
						rows := min(mr, mb-ir)
						ci := (ic+ir)*ohw + oy*g.OW + ox
						dst, ldc := out[ci:], ohw
						partial := rows < mr || cols < nr
						if partial {
							clear(buf.tile[:])
							dst, ldc = buf.tile[:], nr
						}
						if gather {
							sgemmKernel6x16Gather(kb, &ap[0], &in[s], &o.rel[0], &dst[0], ldc)
						} else {
							kernel(kb, ap, buf.tb[:kb*nr], dst, ldc)
						}
						if partial {
							for i := 0; i < rows; i++ {
								crow := out[ci+i*ohw : ci+i*ohw+cols]
								for j, v := range buf.tile[i*nr+skip : i*nr+skip+cols] {
									crow[j] += v
								}
							}
						}
					}
				}
			}
		}
	}
}

// packConvTile packs the im2col rows of o for the output pixels
// (oy, ox … ox+cols−1) into dst (kb × nr, zero-padded).
func packConvTile(dst, in []float32, g *ConvGeom, o *convOffsets, kb, iy0, ox, cols int) {
	for p := 0; p < kb; p++ {
		seg := dst[p*nr : p*nr+nr]
		iy := iy0 + int(o.dy[p])
		if iy < 0 || iy >= g.H {
			clear(seg)
			continue
		}
		row := in[int(o.base[p])+iy*g.W : int(o.base[p])+(iy+1)*g.W]
		ix := ox*g.SW + int(o.dx[p])
		if g.SW == 1 && ix >= 0 && ix+cols <= g.W {
			copy(seg, row[ix:ix+cols])
			clear(seg[cols:])
			continue
		}
		for j := 0; j < cols; j++ {
			if ix >= 0 && ix < g.W {
				seg[j] = row[ix]
			} else {
				seg[j] = 0
			}
			ix += g.SW
		}
		clear(seg[cols:])
	}
}
