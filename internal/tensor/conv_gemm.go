package tensor

import "unsafe"

// pointwise reports a 1×1 convolution with stride 1 and no padding, whose
// column matrix is the input itself.
func pointwise(g ConvGeom) bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadT == 0 && g.PadL == 0 && g.OH == g.H && g.OW == g.W
}

// padded returns the geometry of the zero-bordered copy of one group's
// input that lets every tile of a stride-1 convolution read its taps
// directly: the padding becomes real zeros and rows are widened so that
// whole 16-pixel tiles fit (or, with flatTiles, to exactly the width the
// taps reach). ok is false when no copy is needed or useful.
func padded(g ConvGeom) (gp ConvGeom, ok bool) {
	if g.SH == 2 && flatTiles(g) {
		return phased(g), true
	}
	if !hasAVX2 || g.SH != 1 || g.SW != 1 || pointwise(g) {
		return g, false
	}
	hp := g.OH + (g.KH-1)*g.DH
	wp := (g.OW+nr-1)/nr*nr + (g.KW-1)*g.DW
	flat := flatTiles(g)
	if flat {
		wp = g.OW + (g.KW-1)*g.DW
	} else if g.PadT == 0 && g.PadL == 0 && hp <= g.H && g.OW >= nr {
		return g, false // unpadded: tiles are interior, short ones overlap
	}
	gp = g
	gp.C = g.C / max(1, g.Groups)
	gp.H, gp.W, gp.PadT, gp.PadL = hp, wp, 0, 0
	return gp, true
}

// flatTiles reports whether the direct kernel computes a convolution over
// the zero-bordered input as one flat run of OH·Wp pixels (Wp the bordered
// width, OW + (KW−1)·DW) in 32-pixel tiles, rather than row by row. Output
// pixel (y, x) reads the bordered input at y·Wp + x plus the tap's offset,
// so a tile may run on into the next row: the Wp − OW pixels past each
// row's end are computed and dropped. Where rows are narrow (14 pixels: one
// 16-pixel tile of the AVX2 kernel per row, at half the 6×32 kernel's rate)
// this takes fewer tiles. The flat output goes to scratch and is compacted
// into the output at the end. Stride-2 convolutions larger than 1×1 are
// always tiled flat, over their input split into phases (see phased).
func flatTiles(g ConvGeom) bool {
	if !hasAVX512 || pointwise(g) || max(1, g.Groups) == g.C && g.C > 1 {
		return false
	}
	if g.SH == 2 && g.SW == 2 {
		// 1×1 ones are subsampled and read in place (pointwiseRange):
		// no flat output to compact.
		return g.DH == 1 && g.DW == 1 && g.KH*g.KW > 1
	}
	if g.SH != 1 || g.SW != 1 {
		return false
	}
	wp := g.OW + (g.KW-1)*g.DW
	perRow := g.OH * ((g.OW + 2*nr - 1) / (2 * nr)) // 32-pixel tiles row by row
	flat := (g.OH*wp + 2*nr - 1) / (2 * nr)
	return flat < perRow
}

// phased returns the geometry of a stride-2 convolution's input split into
// phases: the zero-bordered plane P of each channel becomes the planes
// Q_ab(y, x) = P(2y+a, 2x+b) for the row and column parities a, b that
// its taps use (both, or only 0 for a 1-tap side), each H' = OH + (KH−1)/2
// rows of W' = OW + (KW−1)/2. Tap (dy, dx) of output pixel (y, x) reads
// P(2y+dy, 2x+dx) = Q_(dy%2)(dx%2)(y + dy/2, x + dx/2): at flat position
// y·W' + x plus the tap's offset, as a stride-1 convolution over W'-wide
// planes — every tap of the original kernel, once (convOffsets.setFlat).
// The result has C = the group's channels, H = H', W = W' and keeps the
// strides (2) that mark it.
func phased(g ConvGeom) ConvGeom {
	gp := g
	gp.C = g.C / max(1, g.Groups)
	gp.H, gp.W = g.OH+(g.KH-1)/2, g.OW+(g.KW-1)/2
	gp.PadT, gp.PadL = 0, 0
	return gp
}

// phases is the number of row and column parities of a phased geometry.
func phases(gp *ConvGeom) (py, px int) { return min(2, gp.KH), min(2, gp.KW) }

// borderedLen is the length of the bordered (or phased) copy of one
// group's input.
func borderedLen(gp *ConvGeom) int {
	if gp.SH == 2 {
		py, px := phases(gp)
		return gp.C * py * px * gp.H * gp.W
	}
	return gp.C * gp.H * gp.W
}

// phaseInto writes one group's input [C, H, W] into the phase planes of gp
// (see phased), zero where the bordered input is, and zeroes the rest of
// dst.
func phaseInto(dst, src []float32, g, gp ConvGeom) {
	phaseRange(dst, src, g, gp, 0, gp.C)
	clear(dst[borderedLen(&gp):])
}

// phaseRange writes channels [c0, c1) of phaseInto's copy.
func phaseRange(dst, src []float32, g, gp ConvGeom, c0, c1 int) {
	npy, npx := phases(&gp)
	q := gp.H * gp.W
	clear(dst[c0*npy*npx*q : c1*npy*npx*q])
	for c := c0; c < c1; c++ {
		for y := 0; y < g.H; y++ {
			py := y + g.PadT // row in the bordered plane
			a, yq := py%2, py/2
			if a >= npy || yq >= gp.H {
				continue
			}
			row := src[(c*g.H+y)*g.W:][:g.W]
			for b := 0; b < npx; b++ {
				// Columns x with (x + PadL) % 2 == b go to column
				// (x + PadL) / 2 of phase b.
				x0 := (b - g.PadL%2 + 2) % 2 // the first such x
				xq := (x0 + g.PadL) / 2
				if x0 >= g.W || xq >= gp.W {
					continue
				}
				n := min((g.W-x0+1)/2, gp.W-xq)
				out := dst[((c*npy+a)*npx+b)*q+yq*gp.W:][:gp.W]
				subsample(out[xq:xq+n], row[x0:], 2)
			}
		}
	}
}

// flatSlack is how far past the bordered input a flat tile may read: the
// last tile's 32 pixels and the widest tap.
func flatSlack(g ConvGeom) int { return 2*nr + (g.KW-1)*g.DW }

// ConvScratch is the scratch length Conv2DGemm needs for g.
func ConvScratch(g ConvGeom) int {
	gp, ok := padded(g)
	if !ok {
		return 0
	}
	n := borderedLen(&gp)
	if flatTiles(g) {
		n += flatSlack(g) + g.OC/max(1, g.Groups)*g.OH*gp.W
	}
	return n
}

// border writes one group's input into the front of scratch as gp lays it
// out (padded) — zero-bordered, or split into phases at stride 2 — followed
// by a flat convolution's slack, and returns that copy and the scratch
// after it (room for a flat output).
func border(scratch, in []float32, g, gp ConvGeom) (buf, rest []float32) {
	n := borderedLen(&gp)
	if flatTiles(g) {
		n += flatSlack(g)
	}
	buf = scratch[:n]
	if gp.SH == 2 {
		phaseInto(buf, in, g, gp)
	} else {
		padInto(buf, in, g, gp)
	}
	return buf, scratch[n:]
}

// padInto copies one group's input [C, H, W] into the zero-bordered
// [C, gp.H, gp.W] buffer at offset (PadT, PadL), and zeroes the rest of
// dst.
func padInto(dst, src []float32, g, gp ConvGeom) {
	padRange(dst, src, g, gp, 0, gp.C)
	clear(dst[borderedLen(&gp):])
}

// padRange writes channels [c0, c1) of padInto's copy.
func padRange(dst, src []float32, g, gp ConvGeom, c0, c1 int) {
	clear(dst[c0*gp.H*gp.W : c1*gp.H*gp.W])
	for c := c0; c < c1; c++ {
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
// scratch holds at least ConvScratch(g) elements. It packs the weights as
// it goes; a Conv (NewConv) packs them once.
func Conv2DGemm(dst, src, w, b, scratch []float32, g ConvGeom) {
	c := Conv{g: g, w: w, b: b}
	c.gemm(dst, src, scratch)
}

// gemm runs the convolution as Conv2DGemm describes, with c's packed
// weights (if any) and epilogue.
func (c *Conv) gemm(dst, src, scratch []float32) {
	g := c.g
	gp, usePad := padded(g)
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	plane, oplane := g.H*g.W, g.OH*g.OW
	kk := cg * g.KH * g.KW
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < groups; grp++ {
			o0, o1 := (n*g.OC+grp*ocg)*oplane, (n*g.OC+(grp+1)*ocg)*oplane
			out := dst[o0:o1]
			in := src[(n*g.C+grp*cg)*plane : (n*g.C+(grp+1)*cg)*plane]
			t := gemmTask{m: ocg, k: kk, alpha: 1, a: c.w[grp*ocg*kk : (grp+1)*ocg*kk], lda: kk, c: out, ldc: oplane, n: oplane}
			if c.packed != nil {
				t.ap = aPacked{p: c.packed[grp*c.mpad*kk : (grp+1)*c.mpad*kk], mpad: c.mpad}
			}
			if c.ep.active() {
				t.ep = c.ep.at(o0)
			}
			if c.b != nil {
				t.bias = c.b[grp*ocg : (grp+1)*ocg]
			}
			if c.cv {
				t.ap = aPacked{p: c.packed}
				c.cvRun(t, out, in, scratch)
				continue
			}
			if pointwise(g) && hasAVX512 && kk > 0 {
				// The product read straight from the input (pointwiseRange).
				t.kind, t.bs = taskPointwise, bSource{b: in, ldb: oplane}
				splitConv(t, ocg, oplane, kk*oplane)
				continue
			}
			if pointwise(g) {
				// One packed product; each block of the output starts as
				// the bias and gets the activation while it is in cache.
				t.kind, t.init, t.bs = taskGemm, true, bSource{b: in, ldb: oplane}
				splitConv(t, ocg, oplane, kk*oplane)
				continue
			}
			if c.im2col {
				// The same over the column matrix, unrolled band by band of
				// output rows (bounded scratch); with AVX-512 read where it
				// is, as a 1×1 convolution's input (pointwiseRange).
				t.kind, t.init = taskGemm, true
				if hasAVX512 {
					t.kind = taskPointwise
				}
				for r0 := 0; r0 < g.OH; r0 += c.band {
					rows := min(c.band, g.OH-r0)
					gb := g
					gb.OH, gb.PadT = rows, g.PadT-r0*g.SH
					cols := scratch[:kk*rows*g.OW]
					Im2Col(cols, in, cg, g.H, g.W, gb)
					u := t
					u.bs = bSource{b: cols, ldb: rows * g.OW}
					u.c, u.n = out[r0*g.OW:], rows*g.OW
					if u.ep.active() {
						u.ep = t.ep.at(r0 * g.OW)
					}
					splitConv(u, ocg, u.n, kk*u.n)
				}
				continue
			}
			t.kind = taskConv
			if usePad && flatTiles(g) {
				buf, rest := border(scratch, in, g, gp)
				t.bs = bSource{b: buf, g: gp}
				t.flat = rest[:ocg*gp.OH*gp.W]
				splitConv(t, ocg, g.OH, kk*oplane)
				continue
			}
			if kk > 0 {
				t.init = true // each tile starts as the bias (directIO)
			} else if t.bias != nil {
				for o := 0; o < ocg; o++ {
					fill(out[o*oplane:(o+1)*oplane], t.bias[o])
				}
			} else {
				clear(out)
			}
			if usePad {
				buf, _ := border(scratch, in, g, gp)
				t.bs = bSource{b: buf, g: gp}
			} else {
				gc := g
				gc.C = cg
				t.bs = bSource{b: in, g: gc}
			}
			splitConv(t, ocg, g.OH, kk*oplane)
		}
	}
}

// splitConv spreads a convolution of one image and group over the cores:
// by output channels when the weights outweigh the image's columns (small
// late layers: each core then reads only its share of the weights and the
// parts are even), else by output columns (products) or rows (direct).
// cols is the number of such columns or rows, colWork the multiply-adds
// per output channel. A channel-vector task's channels go in whole
// 64-channel blocks, and only when there are two of them.
func splitConv(t gemmTask, ocg, cols, colWork int) {
	macs := int64(ocg) * int64(colWork)
	kk := t.k
	chAlign, chMin := mr, 4*mr
	if t.kind == taskConvCV {
		chAlign, chMin = 64, 128
	}
	if ocg*kk >= colWork && ocg >= chMin {
		t.rows = true
		split(t, ocg, chAlign, macs)
		return
	}
	align := 1
	switch t.kind {
	case taskGemm:
		align = nr
	case taskPointwise:
		align = 2 * nr
	}
	split(t, cols, align, macs)
}

// convOffsets describes the rows [pc, pc+kb) of a convolution's im2col
// matrix: for row p, the input plane offset and the kernel tap offsets.
type convOffsets struct {
	rel          [kc]int32 // base + dy·W + dx: the tap relative to the output pixel's input position
	base, dy, dx [kc]int32
	dyMin, dyMax int
	dxMin, dxMax int
	relMax       int32
}

func (o *convOffsets) set(g *ConvGeom, pc, kb int) {
	khw, plane := g.KH*g.KW, g.H*g.W
	o.dyMin, o.dxMin = 1<<30, 1<<30
	o.dyMax, o.dxMax = -1<<30, -1<<30
	o.relMax = 0
	for p := 0; p < kb; p++ {
		r := pc + p
		ci, rem := r/khw, r%khw
		dy := (rem/g.KW)*g.DH - g.PadT
		dx := (rem%g.KW)*g.DW - g.PadL
		o.base[p], o.dy[p], o.dx[p] = int32(ci*plane), int32(dy), int32(dx)
		o.rel[p] = int32(ci*plane + dy*g.W + dx)
		o.relMax = max(o.relMax, o.rel[p])
		o.dyMin, o.dyMax = min(o.dyMin, dy), max(o.dyMax, dy)
		o.dxMin, o.dxMax = min(o.dxMin, dx), max(o.dxMax, dx)
	}
}

// setFlat is set for the bordered (stride 1) or phased (stride 2, see
// phased) input of a flat convolution: only rel and relMax are used.
func (o *convOffsets) setFlat(g *ConvGeom, pc, kb int) {
	if g.SH != 2 {
		o.set(g, pc, kb)
		return
	}
	khw, q := g.KH*g.KW, g.H*g.W
	npy, npx := phases(g)
	o.relMax = 0
	for p := 0; p < kb; p++ {
		r := pc + p
		ci, rem := r/khw, r%khw
		dy, dx := rem/g.KW, rem%g.KW
		o.rel[p] = int32(((ci*npy+dy%2)*npx+dx%2)*q + dy/2*g.W + dx/2)
		o.relMax = max(o.relMax, o.rel[p])
	}
}

// convDirect adds the convolution of one image and group (in [C, H, W],
// weights w [ocg, C·KH·KW], or pre-packed in ap) to output channels
// [c0, c1) (c0 a multiple of mr) and rows [r0, r1) of out [ocg, OH, OW].
// The output is tiled 6 channels × 16 pixels of one row (32 where the 6×32
// kernels run and more than 16 pixels of the row remain). Interior tiles
// of a stride-1 convolution read their im2col rows straight from the image
// (sgemmKernel6x16Gather, 6x32Gather, short ones the masked 6x32GatherEdge);
// border tiles are packed with zero padding. With io, tiles start as the
// bias and end with the epilogue (directIO).
func convDirect(out, in, w []float32, ap aPacked, g *ConvGeom, c0, c1, r0, r1 int, io *directIO) {
	buf := getBuf()
	defer putBuf(buf)
	if io != nil && io.ep.unread {
		defer sfence() // non-temporal stores (convTile)
	}
	kk := g.C * g.KH * g.KW
	o := &buf.offs
	// Rows are taken in groups whose output block (mc channels) stays in
	// L2 while every depth block adds to it (see convGroup).
	rows := max(1, convGroup/max(1, g.OW))
	for ic := c0; ic < c1; ic += mc {
		mb := min(mc, c1-ic)
		for rg := r0; rg < r1; rg += rows {
			re := min(r1, rg+rows)
			for pc, step := 0, depthStep(kk); pc < kk; pc += step {
				kb := min(step, kk-pc)
				o.set(g, pc, kb)
				pa := ap.block(buf, false, w, kk, ic, mb, pc, kb, 1)
				for oy := rg; oy < re; oy++ {
					for ox := 0; ox < g.OW; {
						tw := nr
						if hasAVX512 && g.OW-ox > nr {
							tw = 2 * nr
						}
						convTile(buf, out, in, pa, g, kb, ic, mb, oy, ox, tw, io, pc == 0, pc+kb == kk)
						ox += tw
					}
				}
			}
		}
	}
}

// convGroup is how many output pixels of mc channels the direct kernels
// complete over all depth blocks before moving on: 672 pixels × 96
// channels are 252 KiB, which stay in L2 between depth blocks (taking
// depth blocks outermost sent VGG16's 224×224 outputs, 12.8 MB, through
// memory three times).
const convGroup = 672

// convTile adds the depth block of buf.offs (kb rows of the im2col matrix)
// to output channels [ic, ic+mb) at pixels ox … ox+tw−1 of row oy (those
// within the row), tw being nr or 2nr.
func convTile(buf *gemmBuf, out, in, pa []float32, g *ConvGeom, kb, ic, mb, oy, ox, tw int, io *directIO, first, last bool) {
	o := &buf.offs
	ohw := g.OH * g.OW
	iy0 := oy * g.SH
	cols := min(tw, g.OW-ox)
	// A short last tile is computed as the full tile ending at the row's
	// end (overlapping its neighbour); only its last cols columns are kept.
	tx, skip := ox, 0
	if cols < tw && g.OW >= tw {
		tx, skip = g.OW-tw, tw-cols
	}
	s := iy0*g.W + tx
	gather := hasAVX2 && g.SW == 1 && iy0+o.dyMin >= 0 && iy0+o.dyMax < g.H &&
		tx+o.dxMin >= 0 && tx+tw-1+o.dxMax < g.W && s < len(in)
	if !gather {
		if tw > nr {
			// Pack the two halves.
			convTile(buf, out, in, pa, g, kb, ic, mb, oy, ox, nr, io, first, last)
			if ox+nr < g.OW {
				convTile(buf, out, in, pa, g, kb, ic, mb, oy, ox+nr, nr, io, first, last)
			}
			return
		}
		tx, skip = ox, 0
		packConvTile(buf.tb[:kb*nr], in, g, o, kb, iy0, ox, cols)
	}
	var lo, hi float32
	clamps := false
	if io != nil && last {
		lo, hi, clamps = io.ep.clampOf()
	}
	for ir := 0; ir < mb; ir += mr {
		ap := pa[ir*kb : (ir+mr)*kb]
		rows := min(mr, mb-ir)
		ci := (ic+ir)*ohw + oy*g.OW + ox
		dst, ldc := out[ci:], ohw
		partial := rows < mr || cols < tw
		var bias [mr]float32
		var pb *float32
		if io != nil && first {
			if io.bias != nil {
				copy(bias[:rows], io.bias[ic+ir:ic+ir+rows])
			}
			pb = &bias[0]
		}
		edge := gather && tw > nr && (partial || pb != nil || clamps)
		if edge {
			c := ci - skip                      // the tile's first pixel, tx
			_ = out[c+(rows-1)*ohw+skip+cols-1] // the last column written
			var act *float32
			if clamps {
				_ = io.ep.dst[c+(rows-1)*ohw+skip+cols-1]
				act = &io.ep.dst[c]
			}
			// An output only the fused activation reads is streamed past
			// the caches (whole aligned tiles; convDirect fences).
			nt := clamps && io.ep.unread && !partial && ohw%16 == 0 && uintptr(unsafe.Pointer(&out[c]))%64 == 0
			sgemmKernel6x32GatherEdge(kb, &ap[0], &in[s], &o.rel[0], &out[c], ohw, pb, act, lo, hi, rows, colMask(skip, cols), nt)
		} else {
			if pb != nil {
				for i := 0; i < rows; i++ {
					fill(out[ci+i*ohw:ci+i*ohw+cols], bias[i])
				}
			}
			if partial { // one panel wide (tw = nr): wider ones took the edge kernel
				clear(buf.tile[:])
				dst, ldc = buf.tile[:], nr
			}
			switch {
			case gather && tw > nr:
				_ = dst[(mr-1)*ldc+tw-1] // the assembly writes this far
				sgemmKernel6x32Gather(kb, &ap[0], &in[s], &o.rel[0], &dst[0], ldc)
			case gather:
				_ = dst[(mr-1)*ldc+tw-1]
				sgemmKernel6x16Gather(kb, &ap[0], &in[s], &o.rel[0], &dst[0], ldc)
			default:
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
		// The epilogue, unless the edge kernel clamped as it stored.
		if io != nil && last && !(edge && clamps) {
			for i := 0; i < rows; i++ {
				io.ep.apply(out, ci+i*ohw, ci+i*ohw+cols)
			}
		}
	}
}

// directIO makes convDirect set up and finish each tile itself, as gemmIO
// does for products: a tile starts as its channels' bias in the first
// depth block (the output is not initialised by the caller) and gets the
// epilogue in the last one — a clamp in the kernel, as it stores — instead
// of in passes over the whole output before and after.
type directIO struct {
	bias []float32 // per output channel, or nil for zero
	ep   *epilogue
}

// convDirectFlat adds the convolution of one image and group to output
// channels [c0, c1) (c0 a multiple of mr) and flat pixels [j0, j1) of the
// flat output [ocg, OH·Wp] (see flatTiles): in is the bordered input with
// flatSlack(g) readable floats after it, g its geometry (W = Wp). Tiles
// are 64 pixels (6×64 kernel) or 32 wide; those that would run past j1
// (another worker's pixels) or are short of rows take the masked edge
// kernel.
func convDirectFlat(out, in, w []float32, ap aPacked, g *ConvGeom, c0, c1, j0, j1 int) {
	buf := getBuf()
	defer putBuf(buf)
	kk := g.C * g.KH * g.KW
	fp := g.OH * g.W
	o := &buf.offs
	const tw = 2 * nr
	for ic := c0; ic < c1; ic += mc {
		mb := min(mc, c1-ic)
		for jg := j0; jg < j1; jg += convGroup {
			je := min(j1, jg+convGroup)
			for pc, step := 0, depthStep(kk); pc < kk; pc += step {
				kb := min(step, kk-pc)
				o.setFlat(g, pc, kb)
				pa := ap.block(buf, false, w, kk, ic, mb, pc, kb, 1)
				for j := jg; j < je; {
					w := tw // 64-pixel tiles (6×64 kernel) where they fit
					if j+2*tw <= je {
						w = 2 * tw
					}
					cols := min(w, je-j)
					_ = in[j+int(o.relMax)+w-1] // the bordered input's slack covers this
					for ir := 0; ir < mb; ir += mr {
						ap := pa[ir*kb : (ir+mr)*kb]
						rows := min(mr, mb-ir)
						ci := (ic+ir)*fp + j
						if rows == mr && cols == w {
							_ = out[ci+(mr-1)*fp+w-1] // the assembly writes this far
							if w == 2*tw {
								sgemmKernel6x64Gather(kb, &ap[0], &in[j], &o.rel[0], &out[ci], fp)
							} else {
								sgemmKernel6x32Gather(kb, &ap[0], &in[j], &o.rel[0], &out[ci], fp)
							}
							continue
						}
						for h := 0; h < cols; h += tw {
							hc := min(tw, cols-h)
							_ = out[ci+h+(rows-1)*fp+hc-1]
							sgemmKernel6x32GatherEdge(kb, &ap[0], &in[j+h], &o.rel[0], &out[ci+h], fp, nil, nil, 0, 0, rows, colMask(0, hc), false)
						}
					}
					j += w
				}
			}
		}
	}
}

// pointwiseRange computes output channels [i0, i1) (i0 a multiple of mr)
// and pixels [j0, j1) of a 1×1 convolution with the 6×32 kernels, reading
// the input [k, ldb] where it is (input channel p of pixel j at
// p·ldb + j) instead of packing it, as convDirect does for larger kernels:
// for the 16–32 input channels of MobileNet v2's expansions the packing
// copied as much as the product computed. Each tile starts as the bias in
// the first depth block and gets a clamp activation in the last; other
// epilogues are applied to each 6-channel panel of a group of pixels after
// its last depth block. Output blocks of mc channels × a group of pixels
// are completed over all depth blocks in turn.
func pointwiseRange(t *gemmTask, i0, i1, j0, j1 int) {
	buf := getBuf()
	defer putBuf(buf)
	if t.ep.unread {
		defer sfence() // non-temporal stores
	}
	k, ldb, in := t.k, t.bs.ldb, t.bs.b
	lo, hi, clamps := t.ep.clampOf()
	rel := &buf.offs.rel
	const tw = 2 * nr
	// A group's input block (kc channels × width pixels) stays in L2 while
	// each 6-channel panel of the output walks along it.
	width := max(tw, pointwiseGroup/depthStep(k)/tw*tw)
	for ic := i0; ic < i1; ic += mc {
		mb := min(mc, i1-ic)
		for jg := j0; jg < j1; jg += width {
			je := min(j1, jg+width)
			for pc, step := 0, depthStep(k); pc < k; pc += step {
				kb := min(step, k-pc)
				for p := 0; p < kb; p++ {
					rel[p] = int32((pc + p) * ldb)
				}
				pa := t.ap.block(buf, false, t.a, t.lda, ic, mb, pc, kb, 1)
				first, last := pc == 0, pc+kb == k
				// The kernel reads 32 pixels of each input channel,
				// masked-off ones too: a last tile that would read past
				// the input's end (only the last can) is packed instead.
				inPlace := je
				if jl := jg + (je-jg-1)/tw*tw; (pc+kb-1)*ldb+jl+tw > len(in) {
					inPlace = jl
					packB(buf.b, false, in, ldb, pc, kb, jl, je-jl)
					if je-jl <= nr {
						clear(buf.b[nr*kb : 2*nr*kb])
					}
				}
				for ir := 0; ir < mb; ir += mr {
					ap := pa[ir*kb : (ir+mr)*kb]
					rows, row := min(mr, mb-ir), ic+ir
					var bias [mr]float32
					var pb *float32
					if first {
						if t.bias != nil {
							copy(bias[:rows], t.bias[row:row+rows])
						}
						pb = &bias[0]
					}
					for j := jg; j < je; j += tw {
						cols := min(tw, je-j)
						ci := row*t.ldc + j
						var act *float32
						_ = t.c[ci+(rows-1)*t.ldc+cols-1] // the assembly writes this far
						if last && clamps {
							_ = t.ep.dst[ci+(rows-1)*t.ldc+cols-1]
							act = &t.ep.dst[ci]
						}
						if j < inPlace {
							nt := act != nil && t.ep.unread && rows == mr && cols == tw && t.ldc%16 == 0 &&
								uintptr(unsafe.Pointer(&t.c[ci]))%64 == 0 // as in convTile
							sgemmKernel6x32GatherEdge(kb, &ap[0], &in[j], &rel[0], &t.c[ci], t.ldc, pb, act, lo, hi, rows, colMask(0, cols), nt)
						} else {
							sgemmKernel6x32Edge(kb, &ap[0], &buf.b[0], &t.c[ci], t.ldc, pb, act, lo, hi, rows, colMask(0, cols), false)
						}
					}
					if last && !clamps {
						// Other epilogues (a residual) while the panel's
						// rows are in cache.
						for i := row; i < row+rows; i++ {
							t.ep.apply(t.c, i*t.ldc+jg, i*t.ldc+je)
						}
					}
				}
			}
		}
	}
}

// pointwiseGroup is the input block (in floats) pointwiseRange keeps in L2
// while the output panels walk along it: 256 KiB.
const pointwiseGroup = 1 << 16

// runFlat is a taskConv over a flat output (t.flat, see flatTiles): it
// sets its part to the bias, adds the convolution, then copies the
// computed rows into the output and applies the epilogue there.
func (t *gemmTask) runFlat() {
	g := &t.bs.g
	c0, c1, r0, r1 := 0, t.m, t.j0, t.j1
	if t.rows {
		c0, c1, r0, r1 = t.j0, t.j1, 0, g.OH
	}
	fp, ohw := g.OH*g.W, g.OH*g.OW
	for o := c0; o < c1; o++ {
		seg := t.flat[o*fp+r0*g.W : o*fp+r1*g.W]
		if t.bias != nil {
			fill(seg, t.bias[o])
		} else {
			clear(seg)
		}
	}
	convDirectFlat(t.flat, t.bs.b, t.a, t.ap, g, c0, c1, r0*g.W, r1*g.W)
	for o := c0; o < c1; o++ {
		for y := r0; y < r1; y++ {
			copy(t.c[o*ohw+y*g.OW:][:g.OW], t.flat[o*fp+y*g.W:][:g.OW])
		}
		t.ep.apply(t.c, o*ohw+r0*g.OW, o*ohw+r1*g.OW)
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

// ConvAddSerial adds the convolution of one image and group to dst:
// dst [OC', OH, OW] += conv(src [C', H, W], w [OC', C'·KH·KW]), where C' and
// OC' are g.C and g.OC divided by g.Groups (g.N is ignored). It computes what
// Conv2DGemm computes for one image and group, tile by tile in the same
// order, but entirely on the calling goroutine — for callers that already
// spread images over cores (the trainer), where splitting again would only
// queue behind busy workers. scratch holds at least ConvScratch(g) elements.
func ConvAddSerial(dst, src, w, scratch []float32, g ConvGeom) {
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	if pointwise(g) {
		oplane := g.OH * g.OW
		gemmPacked(false, cg, 1, w, cg, aPacked{}, &bSource{b: src, ldb: oplane}, dst, oplane, 0, ocg, 0, oplane, nil)
		return
	}
	if gp, ok := padded(g); ok {
		buf, rest := border(scratch, src, g, gp)
		if flatTiles(g) {
			fp := gp.OH * gp.W
			flat := rest[:ocg*fp]
			clear(flat)
			convDirectFlat(flat, buf, w, aPacked{}, &gp, 0, ocg, 0, fp)
			ohw := g.OH * g.OW
			for o := 0; o < ocg; o++ {
				for y := 0; y < g.OH; y++ {
					seg := dst[o*ohw+y*g.OW:][:g.OW]
					binarySame(seg, seg, flat[o*fp+y*gp.W:][:g.OW], BinAdd)
				}
			}
			return
		}
		convDirect(dst, buf, w, aPacked{}, &gp, 0, ocg, 0, gp.OH, nil)
		return
	}
	gc := g
	gc.C = cg
	convDirect(dst, src, w, aPacked{}, &gc, 0, ocg, 0, gc.OH, nil)
}

// ConvWeightGradSerial computes, for one image and group, the transposed
// weight gradient of a convolution: dwT [C'·KH·KW, OC'] = cols · dyᵀ, where
// cols is the im2col matrix of src [C', H, W] (as Im2Col writes it) and dy
// [OC', OH·OW] the output gradient; C' and OC' are g.C and g.OC divided by
// g.Groups (g.N is ignored). dwT is overwritten. It computes what
// Im2Col + Gemm(false, true, …) compute, but packs the column matrix
// straight from the image and runs on the calling goroutine.
func ConvWeightGradSerial(dwT, src, dy []float32, g ConvGeom) {
	groups := max(1, g.Groups)
	cg, ocg := g.C/groups, g.OC/groups
	kk := cg * g.KH * g.KW
	ohw := g.OH * g.OW
	clear(dwT[:kk*ocg])
	if kk == 0 || ocg == 0 || ohw == 0 {
		return
	}
	gc := g
	gc.C = cg
	bs := bSource{b: dy, ldb: ohw, trans: true}
	buf := getBuf()
	defer putBuf(buf)
	c, ldc := dwT, ocg
	for jc := 0; jc < ocg; jc += nc {
		nb := min(nc, ocg-jc)
		for pc := 0; pc < ohw; pc += kc {
			kb := min(kc, ohw-pc)
			bs.pack(buf.b, pc, kb, jc, nb)
			for ic := 0; ic < kk; ic += mc {
				mb := min(mc, kk-ic)
				packAConv(buf.a, src, &gc, ic, mb, pc, kb)
				macroKernel(buf, buf.a, mb, nb, kb, c, ic*ldc+jc, ldc)
			}
		}
	}
}

// packAConv packs rows [ic, ic+mb) (taps (c, kh, kw)) and columns
// [pc, pc+kb) (output pixels) of the im2col matrix of img [C, H, W] into
// panels of mr rows as packA lays them out, zero-padding the last panel.
func packAConv(dst, img []float32, g *ConvGeom, ic, mb, pc, kb int) {
	khw, plane := g.KH*g.KW, g.H*g.W
	type tap struct{ base, dy, dx, lo, hi int }
	var taps [mr]tap
	for ir := 0; ir < mb; ir += mr {
		panel := dst[ir*kb : (ir+mr)*kb]
		rows := min(mr, mb-ir)
		for i := 0; i < rows; i++ {
			r := ic + ir + i
			ci, rem := r/khw, r%khw
			dx := (rem%g.KW)*g.DW - g.PadL
			lo, hi := validRange(dx, g.SW, g.W, g.OW)
			taps[i] = tap{ci * plane, (rem/g.KW)*g.DH - g.PadT, dx, lo, hi}
		}
		// Walk the pixels run by run along output rows.
		for p := 0; p < kb; {
			oy, ox := (pc+p)/g.OW, (pc+p)%g.OW
			n := min(kb-p, g.OW-ox)
			out := panel[p*mr : (p+n)*mr]
			inside := rows == mr && g.SW == 1
			for i := 0; i < rows && inside; i++ {
				t := &taps[i]
				iy := oy*g.SH + t.dy
				inside = iy >= 0 && iy < g.H && ox >= t.lo && ox+n <= t.hi
			}
			if inside {
				// Six contiguous input segments, interleaved.
				var s [mr][]float32
				for i := range s {
					t := &taps[i]
					s[i] = img[t.base+(oy*g.SH+t.dy)*g.W+ox+t.dx:][:n]
				}
				s0 := s[0]
				s1, s2, s3, s4, s5 := s[1][:len(s0)], s[2][:len(s0)], s[3][:len(s0)], s[4][:len(s0)], s[5][:len(s0)]
				for j, v := range s0 {
					o := (*[mr]float32)(out)
					out = out[mr:]
					o[0], o[1], o[2] = v, s1[j], s2[j]
					o[3], o[4], o[5] = s3[j], s4[j], s5[j]
				}
				p += n
				continue
			}
			for i := 0; i < mr; i++ {
				if i >= rows {
					for j := 0; j < n; j++ {
						out[j*mr+i] = 0
					}
					continue
				}
				t := &taps[i]
				iy := oy*g.SH + t.dy
				if iy < 0 || iy >= g.H {
					for j := 0; j < n; j++ {
						out[j*mr+i] = 0
					}
					continue
				}
				row := img[t.base+iy*g.W : t.base+(iy+1)*g.W]
				for j := 0; j < n; j++ {
					x := ox + j
					v := float32(0)
					if x >= t.lo && x < t.hi {
						v = row[x*g.SW+t.dx]
					}
					out[j*mr+i] = v
				}
			}
			p += n
		}
	}
}
