package tensor

import (
	"slices"
	"unsafe"
)

// Channel-vector convolutions. With AVX-512 a convolution whose output
// channels are a multiple of 16 (see channelVec for which) is computed in
// tiles of six output pixels by 64 output channels (12 by 32, 24 by 16 for
// a last narrower block), a ZMM accumulator holding 16 channels of one
// pixel (cvKernel6x64): each step loads the step's weights for the tile's
// channels, packed contiguously (packCV), and broadcasts one input value
// per pixel. The pixel-vector kernels (convDirect, convDirectFlat,
// pointwiseRange) load 32 or 64 consecutive input pixels per step at the
// tap's offset, which for most taps straddles cache lines, and fill their
// 32-pixel tiles poorly on small maps; here no load straddles, a step does
// 24 FMAs for ten loads instead of 12 for eight, and a 7×7 map takes nine
// 6-pixel tiles. This is the arrangement of onnxruntime's NCHWc kernels,
// kept inside the convolution: input and output stay [C, H, W].
//
// The pixels are those of the flat formulation (flatTiles): the input is
// zero-bordered (stride 1) or split into phases (stride 2, phased), and
// flat pixel f = y·Wp + x reads it at f plus each tap's offset, the Wp − OW
// pixels past each row's end being computed and dropped; a 1×1
// convolution reads its input as it is. A worker takes a group of cvGroup
// flat pixels at a time through every depth block, keeping the tiles' sums
// in its buffer (gemmBuf.cv), and then writes them to the output's channel
// planes with the bias and a clamp activation, transposing 16 × 16 blocks
// in registers (cvStore); other epilogues are applied there while the
// group is in cache.

// subsampled reports a strided 1×1 convolution without padding: a 1×1
// convolution over the input's every SH-th row and SW-th column.
func subsampled(g ConvGeom) bool {
	return g.KH == 1 && g.KW == 1 && g.PadT == 0 && g.PadL == 0 && !pointwise(g) &&
		(g.OH-1)*g.SH < g.H && (g.OW-1)*g.SW < g.W
}

// channelVec reports whether NewConv plans g as a channel-vector
// convolution. Its tiles pay a fixed cost per output value — the sums
// pass through the worker's buffer and are transposed into the channel
// planes — which the depth of the sums must repay: 27 steps (a 3-channel
// 3×3 stem) do (VGG16's first layer in the engine's benchmark: 2.4 ms row
// by row, 1.3 ms this way). A 1×1 convolution over a large map whose
// planes are whole 64-byte lines (56×56, 28×28) keeps pointwiseRange,
// whose loads are then aligned and its 32-pixel tiles full
// (BenchmarkPointwise 64-256x56x56: 310 GFLOP/s there, 290 here); at
// 14×14 and 7×7 this path gained 10–40 %.
func channelVec(g ConvGeom) bool {
	if !hasAVX512 || max(1, g.Groups) != 1 || g.OC < 16 || g.OC%16 != 0 || g.C < 1 {
		return false
	}
	kk, ohw := g.C*g.KH*g.KW, g.OH*g.OW
	switch {
	case pointwise(g) || subsampled(g):
		if kk < 64 || ohw%16 == 0 && ohw >= 512 {
			return false
		}
	case g.KH*g.KW < 2:
		return false
	case g.SH == 1 && g.SW == 1:
		if kk < cvMinDepth {
			return false
		}
	case g.SH == 2 && g.SW == 2 && g.DH == 1 && g.DW == 1:
		// Stride 2: the alternative is the flat phased path, which pays
		// a compaction of its output as this one pays the transposition.
	default:
		return false
	}
	gp := cvGeom(g)
	return g.OH*gp.W >= cvTile && g.OW > 0
}

// cvMinDepth is the least depth (input channels × taps) a stride-1
// channel-vector convolution larger than 1×1 takes (1×1 ones: 64).
const cvMinDepth = 27

// cvTile is a channel-vector tile's pixels with 64 channels (12 with 32,
// 24 with 16: 24 accumulators each).
const cvTile = 6

// cvGroup is how many flat pixels a worker completes over all depth blocks
// at a time: their sums for 64 channels take 168 KiB (cvAcc), in L2.
const cvGroup = 672

// cvGeom is the geometry of the bordered or phased input a channel-vector
// convolution reads: W is the flat width Wp. A 1×1 convolution reads its
// input as it is, a strided one its subsampled copy (a 1×1 convolution
// over it).
func cvGeom(g ConvGeom) ConvGeom {
	if pointwise(g) {
		return g
	}
	if subsampled(g) {
		gp := g
		gp.H, gp.W, gp.SH, gp.SW = g.OH, g.OW, 1, 1
		return gp
	}
	if g.SH == 2 {
		return phased(g)
	}
	gp := g
	gp.H = g.OH + (g.KH-1)*g.DH
	gp.W = g.OW + (g.KW-1)*g.DW
	gp.PadT, gp.PadL = 0, 0
	return gp
}

// cvScratch is the scratch a channel-vector convolution takes: its
// bordered, phased or subsampled input and the slack the last tiles read
// past it (none for a 1×1 convolution, which reads its input in place).
func cvScratch(g ConvGeom) int {
	if pointwise(g) {
		return 0
	}
	gp := cvGeom(g)
	return borderedLen(&gp) + flatSlack(g)
}

// cvWidth is the width of the channel block that starts at channel cb of
// oc: 64 while 64 remain, then 32, then 16 (oc is a multiple of 16).
func cvWidth(cb, oc int) int {
	switch r := oc - cb; {
	case r >= 64:
		return 64
	case r >= 32:
		return 32
	}
	return 16
}

// packCV packs w [oc, k] into channel blocks (cvWidth): block cb holds, at
// cb·k, the k steps' nb weights each — w[cb+c][p] at cb·k + p·nb + c.
func packCV(dst, w []float32, oc, k int) {
	for cb := 0; cb < oc; {
		nb := cvWidth(cb, oc)
		blk := dst[cb*k : (cb+nb)*k]
		for c := 0; c < nb; c++ {
			row := w[(cb+c)*k : (cb+c+1)*k]
			for p, v := range row {
				blk[p*nb+c] = v
			}
		}
		cb += nb
	}
}

// cvRun is Conv.gemm for a channel-vector convolution of one image: in is
// [C, H, W], out [OC, OH, OW], t the task with its weights (ap.p), bias
// and epilogue set. It prepares the input the tiles read (cvGeom) and
// spreads the tiles over the cores, by output rows or channels.
func (c *Conv) cvRun(t gemmTask, out, in, scratch []float32) {
	g := c.g
	gp := cvGeom(g)
	t.kind, t.c, t.n = taskConvCV, out, g.OH
	t.bs = bSource{b: in, g: gp} // a 1×1 convolution reads its input in place
	if !pointwise(g) {
		buf := scratch[:borderedLen(&gp)+flatSlack(g)]
		// The copy is split over the cores by channels (VGG16's 224×224
		// ones are 13 MB; a copied float counted as 8 multiply-adds).
		split(gemmTask{kind: taskCVBorder, bs: bSource{b: in, g: g}, c: buf}, g.C, 1, 8*int64(borderedLen(&gp)))
		clear(buf[borderedLen(&gp):])
		t.bs.b = buf
	}
	splitConv(t, g.OC, g.OH, t.k*g.OH*g.OW)
}

// cvRange computes output channels [c0, c1) (c0 a multiple of 64, c1 a
// block's end) at output rows [r0, r1) of a channel-vector task.
func cvRange(t *gemmTask, c0, c1, r0, r1 int) {
	buf := getBuf()
	defer putBuf(buf)
	if t.ep.unread {
		defer sfence() // non-temporal stores (cvStore)
	}
	if buf.cv == nil {
		buf.cv = make([]float32, cvAccLen)
	}
	acc := buf.cv
	g := &t.bs.g // the bordered or phased geometry; OH, OW are the output's
	in, out, w := t.bs.b, t.c, t.ap.p
	kk, wp, ow, ohw := t.k, g.W, g.OW, g.OH*g.OW
	rel := cvOffsets(buf, g, kk)
	f0, f1 := r0*wp, r1*wp
	for cb := c0; cb < c1; {
		nb := cvWidth(cb, t.m)
		kern, tw := cvKernel6x64, cvTile
		switch nb {
		case 32:
			kern, tw = cvKernel12x32, 2*cvTile
		case 16:
			kern, tw = cvKernel24x16, 4*cvTile
		}
		wb := w[cb*kk : (cb+nb)*kk]
		if nb == 64 && wp != ow {
			cvPositions(t, buf, in, g, rel, wb, cb, r0*ow, r1*ow)
			cb += nb
			continue
		}
		for jg := f0; jg < f1; jg += cvGroup {
			je := min(f1, jg+cvGroup)
			tiles := (je - jg + tw - 1) / tw
			for pc, step := 0, depthStep(kk); pc < kk; pc += step {
				kb := min(step, kk-pc)
				wk, rk := wb[pc*nb:(pc+kb)*nb], rel[pc:pc+kb]
				for i := 0; i < tiles; i++ {
					s, ti := jg+i*tw, acc[i*tw*nb:]
					// Steps whose reads stay within the input run in
					// place. A 1×1 convolution's last tile reads past the
					// input's end in its last steps (a bordered input has
					// slack; a 1×1 one's offsets grow with the step): those
					// are packed, zero past the end.
					safe := kb
					for safe > 0 && s+tw-1+int(rk[safe-1]) >= len(in) {
						safe--
					}
					if safe > 0 {
						kern(safe, &wk[0], &in[s], &rk[0], &ti[0], pc > 0)
					}
					if safe == kb {
						continue
					}
					n := kb - safe
					tail := buf.tail[:n*tw]
					for p := 0; p < n; p++ {
						for q := 0; q < tw; q++ {
							v := float32(0)
							if x := s + q + int(rk[safe+p]); x < len(in) {
								v = in[x]
							}
							tail[p*tw+q] = v
						}
						buf.tailRel[p] = int32(p * tw)
					}
					kern(n, &wk[safe*nb], &tail[0], &buf.tailRel[0], &ti[0], pc > 0 || safe > 0)
				}
			}
			cvStore(out, acc, t.bias, &t.ep, cb, nb, jg, je, wp, ow, ohw)
		}
		cb += nb
	}
}

// cvAccLen is the length of a worker's tile sums: a group's tiles (of up
// to 24 pixels; 64 channels at most), and the 16 pixels' slack
// cvTranspose16 may read past them.
const cvAccLen = (cvGroup + 4*cvTile + 16) * 64

// cvGroupTiles is how many 6-pixel tiles a group has (cvPositions).
const cvGroupTiles = (cvGroup + cvTile - 1) / cvTile

// cvStore writes the sums of flat pixels [jg, je) for channels
// [cb, cb+nb) (acc: the group's tiles, pixel-major, nb channels a pixel)
// to their output planes with the bias and a clamp epilogue's activation:
// blocks of 16 pixels of an output row by 16 channels, transposed in
// registers (cvTranspose16). Other epilogues are applied to the group's
// part of the planes after, while it is in cache.
func cvStore(out, acc, bias []float32, ep *epilogue, cb, nb, jg, je, wp, ow, ohw int) {
	lo, hi, clamps := ep.clampOf()
	// An output only the fused activation reads is streamed past the
	// caches in whole aligned blocks: chunks then start at multiples of
	// 16 pixels of the plane.
	nt := clamps && ep.unread && ohw%16 == 0 && uintptr(unsafe.Pointer(&out[0]))%64 == 0
	for f := jg; f < je; {
		y, x0 := f/wp, f%wp
		n := min(ow-x0, je-f) // the row's computed pixels in the group
		if wp == ow {
			// No dropped pixels (1×1): the group is one run of the
			// planes, taken in full 16-pixel blocks across rows.
			n = je - f
		}
		for x := 0; x < n; {
			pos := y*ow + x0 + x
			cols := min(16, n-x)
			if nt && pos%16 != 0 {
				cols = min(cols, 16-pos%16)
			}
			mask := uint32(1)<<cols - 1
			src := acc[(f-jg+x)*nb:]
			_ = src[15*nb+nb-1]
			for v := 0; v < nb; v += 16 {
				c := cb + v
				_ = out[(c+15)*ohw+pos+cols-1]
				var pb, act *float32
				if bias != nil {
					pb = &bias[c]
				}
				if clamps {
					_ = ep.dst[(c+15)*ohw+pos+cols-1]
					act = &ep.dst[c*ohw+pos]
				}
				cvTranspose16(&src[v], 4*nb, &out[c*ohw+pos], ohw, pb, act, lo, hi, mask, nt && cols == 16)
			}
			x += cols
		}
		f += max(n, wp-x0)
	}
	if !clamps {
		lo, hi := (jg/wp)*ow+min(jg%wp, ow), (je/wp)*ow+min(je%wp, ow)
		for ch := cb; ch < cb+nb; ch++ {
			ep.apply(out, ch*ohw+lo, ch*ohw+hi)
		}
	}
}

// cvBorder writes channels [c0, c1) of the bordered, phased or subsampled
// input of a channel-vector task (taskCVBorder: bs the input and its
// geometry, c the copy).
func cvBorder(t *gemmTask, c0, c1 int) {
	g := t.bs.g
	gp := cvGeom(g)
	if subsampled(g) {
		for c := c0; c < c1; c++ {
			for y := 0; y < g.OH; y++ {
				subsample(t.c[(c*g.OH+y)*g.OW:][:g.OW], t.bs.b[(c*g.H+y*g.SH)*g.W:], g.SW)
			}
		}
		return
	}
	if gp.SH == 2 {
		phaseRange(t.c, t.bs.b, g, gp, c0, c1)
	} else {
		padRange(t.c, t.bs.b, g, gp, c0, c1)
	}
}

// cvOffsets returns the input offsets of the kk steps of a channel-vector
// convolution over g (convOffsets.setFlat), computed once per call into
// buf. Only trailing steps may reach past the input (see cvRange): the
// offsets of a bordered input are within it and its slack, and a 1×1
// convolution's grow with the step.
func cvOffsets(buf *gemmBuf, g *ConvGeom, kk int) []int32 {
	if cap(buf.cvRel) < kk {
		buf.cvRel = make([]int32, kk)
	}
	rel := buf.cvRel[:kk]
	o := &buf.offs
	for pc := 0; pc < kk; pc += kc {
		kb := min(kc, kk-pc)
		o.setFlat(g, pc, kb)
		copy(rel[pc:pc+kb], o.rel[:kb])
	}
	return rel
}

// cvPositions computes the 64 output channels from cb at output positions
// [p0, p1) of a bordered or phased channel-vector task: as cvRange does
// over flat pixels, but each tile's six pixels are the next six output
// positions, wherever their rows put them in the bordered input
// (cvKernel6x64P), so no tile computes a pixel that is dropped — flat
// tiles over 14×14 and 7×7 maps compute 16 and 9 pixels a row, 14 and 7
// of them kept. The sums come out in output order.
func cvPositions(t *gemmTask, buf *gemmBuf, in []float32, g *ConvGeom, rel []int32, wb []float32, cb, p0, p1 int) {
	const nb = 64
	acc, pix, base := buf.cv, &buf.cvPix, &buf.cvBase
	kk, wp, ow, ohw := t.k, g.W, g.OW, g.OH*g.OW
	out := t.c
	for pg := p0; pg < p1; pg += cvGroup {
		pe := min(p1, pg+cvGroup)
		tiles := (pe - pg + cvTile - 1) / cvTile
		for i := 0; i < tiles; i++ {
			// A last tile's positions past pe repeat the last one.
			p := pg + i*cvTile
			f0 := p/ow*wp + p%ow
			base[i] = f0
			for q := 0; q < cvTile; q++ {
				pq := min(p+q, pe-1)
				pix[i*cvTile+q] = int32(pq/ow*wp + pq%ow - f0)
			}
		}
		for pc, step := 0, depthStep(kk); pc < kk; pc += step {
			kb := min(step, kk-pc)
			wk, rk := wb[pc*nb:(pc+kb)*nb], rel[pc:pc+kb]
			rmax := int(slices.Max(rk))
			for i := 0; i < tiles; i++ {
				_ = in[base[i]+int(pix[i*cvTile+cvTile-1])+rmax] // the bordered input holds every tap
				cvKernel6x64P(kb, &wk[0], &in[base[i]], &rk[0], &acc[i*cvTile*nb], &pix[i*cvTile], pc > 0)
			}
		}
		cvStore(out, acc, t.bias, &t.ep, cb, nb, pg, pe, ow, ow, ohw)
	}
}
