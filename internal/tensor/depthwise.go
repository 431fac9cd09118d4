package tensor

import "unsafe"

// Depthwise convolution (one input and one output channel per group): each
// plane is computed at stride 1 from a zero-bordered copy of its channel's
// plane by one call of dwPlane (eight or 32 pixels at a time, row after
// row); strided planes are computed at stride 1 along rows and subsampled.
// With AVX-512, dwPlaneZ reads each plane in place instead (dwTables).

// dwGeom is the zero-bordered copy of one plane a depthwise kernel reads:
// hp rows of wp values, and n stride-1 outputs computed per output row.
type dwGeom struct{ hp, wp, n int }

func depthwiseGeom(g *ConvGeom) (d dwGeom, ok bool) {
	if g.DH != 1 || g.DW != 1 {
		return d, false
	}
	d.n = roundUp((g.OW-1)*g.SW+1, 8)
	d.wp = d.n + g.KW - 1
	d.hp = (g.OH-1)*g.SH + g.KH
	// The copy and a plane of results live in a worker's packing buffer.
	return d, d.hp*d.wp+g.OH*d.n <= kc*nc
}

// dwArgs is the geometry dwPlaneZ reads (the assembly knows its layout:
// ten ints, then three float32 and a flag). With nt the output's whole,
// aligned blocks are written past the caches (an output nothing reads in
// the run: keeping every activation, MobileNet v2's depthwise outputs are
// 8 MB a pass).
type dwArgs struct {
	H, W, OH, OW, KH, KW, padT, padL, S, nblk int
	bias, lo, hi                              float32
	nt                                        uint32
}

// The assembly's offsets: a compile error here if the layout moves.
var _ = [1]struct{}{}[unsafe.Offsetof(dwArgs{}.bias)-80+unsafe.Offsetof(dwArgs{}.hi)-88+unsafe.Offsetof(dwArgs{}.nt)-92]

// dwTables drive dwPlaneZ over planes of one geometry: per tap
// (row-major) its offset from a row's base; per tap and block of 16
// outputs (masks[t·nblk + b]) the mask of the input columns it loads that
// are within the plane (32 bits, two 16-bit halves, at stride 2); then per
// block the mask of its outputs within the row; then per block whether it
// and the next three load only columns within the plane (1) or not (0).
type dwTables struct {
	args  dwArgs
	offs  []int32
	masks []uint32
}

// newDWTables plans g for dwPlaneZ, or returns nil where it does not apply
// (no AVX-512, dilation, strides other than 1 and 2 or unequal).
func newDWTables(g ConvGeom) *dwTables {
	s := g.SH
	if !hasAVX512 || g.DH != 1 || g.DW != 1 || g.SW != s || s != 1 && s != 2 || g.H*g.W == 0 || g.OH*g.OW == 0 {
		return nil
	}
	kk := g.KH * g.KW
	if s == 1 && g.OW == g.W {
		return newDWTablesFlat(g)
	}
	nblk := (g.OW + 15) / 16
	t := &dwTables{
		args:  dwArgs{H: g.H, W: g.W, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, padT: g.PadT, padL: g.PadL, S: s, nblk: nblk},
		offs:  make([]int32, kk),
		masks: make([]uint32, (kk+2)*nblk),
	}
	for dy := 0; dy < g.KH; dy++ {
		for dx := 0; dx < g.KW; dx++ {
			t.offs[dy*g.KW+dx] = int32(dy*g.W + dx)
		}
	}
	for b := 0; b < nblk; b++ {
		for tap := 0; tap < kk; tap++ {
			dx := tap % g.KW
			var m uint32
			for i := 0; i < 16*s; i++ { // the lanes a tap loads
				if col := 16*b*s + i + dx - g.PadL; col >= 0 && col < g.W {
					m |= 1 << i
				}
			}
			t.masks[tap*nblk+b] = m
		}
	}
	t.finish(uint32(1<<(16*s) - 1))
	return t
}

// finish sets what follows the taps' masks: each block's store mask (its
// outputs within the row of args.OW) and the flags that blocks b … b+3
// load only columns within the plane (every tap's mask is all).
func (t *dwTables) finish(all uint32) {
	kk, nblk := t.args.KH*t.args.KW, t.args.nblk
	for b := 0; b < nblk; b++ {
		t.masks[kk*nblk+b] = 1<<min(16, t.args.OW-16*b) - 1
	}
	for b := 0; b+4 <= nblk; b++ {
		full := uint32(1)
		for tap := 0; tap < kk; tap++ {
			for j := b; j < b+4; j++ {
				if t.masks[tap*nblk+j] != all {
					full = 0
				}
			}
		}
		t.masks[(kk+1)*nblk+b] = full
	}
}

// newDWTablesFlat plans a stride-1 depthwise convolution whose output rows
// are as wide as its input's (OW = W, narrow maps) as one row of OH·OW
// outputs: output j = y·W + x reads the input at j + (dy−PadT)·W +
// (dx−PadL) for tap (dy, dx), and the tap's mask drops the lanes whose
// (y+dy−PadT, x+dx−PadL) falls outside the plane (a neighbouring row's
// value, or none). A 7×7 plane is then four blocks of 16 with every tap
// once, where row by row it was seven rows of one short block
// (BenchmarkDepthwise 960×7×7 68 → 27 µs, 576×14×14 103 → 44 µs; 56- and
// 112-pixel planes 5–20 % faster).
func newDWTablesFlat(g ConvGeom) *dwTables {
	kk, n := g.KH*g.KW, g.OH*g.OW
	nblk := (n + 15) / 16
	t := &dwTables{
		// One row (H = KH = OH = 1) of n outputs and KH·KW taps.
		args:  dwArgs{H: 1, W: n, OH: 1, OW: n, KH: 1, KW: kk, S: 1, nblk: nblk},
		offs:  make([]int32, kk),
		masks: make([]uint32, (kk+2)*nblk),
	}
	for tap := 0; tap < kk; tap++ {
		dy, dx := tap/g.KW-g.PadT, tap%g.KW-g.PadL
		t.offs[tap] = int32(dy*g.W + dx)
		for b := 0; b < nblk; b++ {
			var m uint32
			for i := 0; i < 16; i++ {
				j := 16*b + i
				y, x := j/g.OW+dy, j%g.OW+dx
				if j < n && y >= 0 && y < g.H && x >= 0 && x < g.W {
					m |= 1 << i
				}
			}
			t.masks[tap*nblk+b] = m
		}
	}
	t.finish(1<<16 - 1)
	return t
}

func (c *Conv) runDepthwise(dst, src []float32) {
	g := c.g
	t := gemmTask{kind: taskDepthwise, a: c.w, bias: c.b, bs: bSource{b: src, g: g}, c: dst, ep: c.ep, dw: c.dw}
	macs := int64(g.N*g.C) * int64(g.OH*g.OW) * int64(g.KH*g.KW)
	split(t, g.N*g.C, 1, 4*macs) // memory-bound: split sooner than a GEMM
}

// depthwiseRange computes planes [p0, p1) (image·C + channel) of t's
// depthwise convolution.
func depthwiseRange(t *gemmTask, p0, p1 int) {
	g := &t.bs.g
	plane, oplane, khw := g.H*g.W, g.OH*g.OW, g.KH*g.KW
	if t.dw != nil {
		a := t.dw.args
		lo, hi, clamps := t.ep.clampOf()
		a.lo, a.hi = lo, hi
		if clamps && t.ep.unread && oplane%16 == 0 {
			// Planes of whole 64-byte lines (56×56, 28×28): their
			// aligned blocks streamed (dwArgs).
			a.nt = 1
			defer sfence()
		}
		for p := p0; p < p1; p++ {
			ch := p % g.C
			a.bias = 0
			if t.bias != nil {
				a.bias = t.bias[ch]
			}
			var act *float32
			if clamps {
				act = &t.ep.dst[p*oplane : (p+1)*oplane][0]
			}
			dwPlaneZ(&t.c[p*oplane : (p+1)*oplane][0], &t.bs.b[p*plane : (p+1)*plane][0], &t.a[ch*khw : (ch+1)*khw][0],
				act, &t.dw.offs[0], &t.dw.masks[0], &a)
			if !clamps {
				t.ep.apply(t.c, p*oplane, (p+1)*oplane)
			}
		}
		return
	}
	d, fast := depthwiseGeom(g)
	var pad, rows []float32
	if fast {
		buf := getBuf()
		defer putBuf(buf)
		pad = buf.b[:d.hp*d.wp]
		rows = buf.b[d.hp*d.wp:][:g.OH*d.n]
		// Every plane fills the same interior: the border stays zero.
		clear(pad)
	}
	// Stride 1: rows go straight to the output, each spilling into the
	// next (overwritten after); those that would spill past the plane
	// are computed in rows and copied.
	direct := 0
	if g.SW == 1 && oplane >= d.n {
		direct = min(g.OH, (oplane-d.n)/g.OW+1)
	}
	for p := p0; p < p1; p++ {
		ch := p % g.C
		in := t.bs.b[p*plane : (p+1)*plane]
		out := t.c[p*oplane : (p+1)*oplane]
		w := t.a[ch*khw : (ch+1)*khw]
		bias := float32(0)
		if t.bias != nil {
			bias = t.bias[ch]
		}
		switch {
		case !fast:
			fill(out, bias)
			convPlane(out, in, w, *g)
		case g.SW == 1:
			padPlane(pad, in, g, d)
			if direct > 0 {
				dwRows(out, pad, w, d, g, bias, 0, direct, g.OW)
			}
			if direct < g.OH {
				dwRows(rows, pad, w, d, g, bias, direct, g.OH, d.n)
				for oy := direct; oy < g.OH; oy++ {
					copy(out[oy*g.OW:(oy+1)*g.OW], rows[(oy-direct)*d.n:])
				}
			}
		default:
			padPlane(pad, in, g, d)
			dwRows(rows, pad, w, d, g, bias, 0, g.OH, d.n)
			for oy := 0; oy < g.OH; oy++ {
				subsample(out[oy*g.OW:(oy+1)*g.OW], rows[oy*d.n:(oy+1)*d.n], g.SW)
			}
		}
		t.ep.apply(t.c, p*oplane, (p+1)*oplane)
	}
}

// padPlane copies one plane into the interior of the hp×wp zero-bordered
// buffer at (PadT, PadL), dropping what no output reads; the border is
// left as it is (zero).
func padPlane(dst, in []float32, g *ConvGeom, d dwGeom) {
	n := max(0, min(g.W, d.wp-g.PadL)) // input columns that are read
	if n == 0 {
		return
	}
	for y := max(0, -g.PadT); y < g.H && y+g.PadT < d.hp; y++ {
		copy(dst[(y+g.PadT)*d.wp+g.PadL:][:n], in[y*g.W:][:n])
	}
}

// dwRows writes the stride-1 outputs of output rows [r0, r1) (n = d.n per
// row, the bias plus Σ w[dy·KW+dx]·pad[(oy·SH+dy)·wp+x+dx]) to out, row
// r0 first, ostride apart; the last row needs n values of room.
func dwRows(out, pad, w []float32, d dwGeom, g *ConvGeom, bias float32, r0, r1, ostride int) {
	rows := r1 - r0
	in := pad[r0*g.SH*d.wp:]
	_ = in[(rows-1)*g.SH*d.wp+(g.KH-1)*d.wp+d.n+g.KW-2]
	_ = out[(rows-1)*ostride+d.n-1]
	_ = w[g.KH*g.KW-1]
	if hasAVX2 {
		dwPlane(&out[0], &in[0], &w[0], d.wp, g.KH, g.KW, d.n, bias, rows, ostride, g.SH*d.wp)
		return
	}
	for r := 0; r < rows; r++ {
		dwRowGo(out[r*ostride:], in[r*g.SH*d.wp:], w, d.wp, g.KH, g.KW, d.n, bias)
	}
}

// subsample writes src[x·stride] to dst[x] for every x of dst.
func subsample(dst, src []float32, stride int) {
	head := 0
	if hasAVX2 && stride == 2 && len(dst) >= 8 {
		head = len(dst) &^ 7
		if 2*head > len(src) { // even8 reads the odd values too
			head -= 8
		}
		if head > 0 {
			even8(&dst[0], &src[:2*head][0], head)
		}
	}
	for x := head; x < len(dst); x++ {
		dst[x] = src[x*stride]
	}
}

func dwRowGo(out, in, w []float32, ld, kh, kw, n int, bias float32) {
	out = out[:n]
	for x := range out {
		out[x] = bias
	}
	for dy := 0; dy < kh; dy++ {
		for dx := 0; dx < kw; dx++ {
			wv := w[dy*kw+dx]
			src := in[dy*ld+dx:][:n]
			for x, v := range src {
				out[x] += wv * v
			}
		}
	}
}
