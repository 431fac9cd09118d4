package tensor

// Depthwise convolution (one input and one output channel per group): each
// output row is computed at stride 1 from a zero-bordered copy of its
// channel's plane, eight or 32 pixels at a time (dwRow); strided rows are
// computed at stride 1 and subsampled.

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
	// The copy and one row of results live in a worker's packing buffer.
	return d, d.hp*d.wp+d.n <= kc*nc
}

func (c *Conv) runDepthwise(dst, src []float32) {
	g := c.g
	t := gemmTask{kind: taskDepthwise, a: c.w, bias: c.b, bs: bSource{b: src, g: g}, c: dst, ep: c.ep}
	macs := int64(g.N*g.C) * int64(g.OH*g.OW) * int64(g.KH*g.KW)
	split(t, g.N*g.C, 1, 4*macs) // memory-bound: split sooner than a GEMM
}

// depthwiseRange computes planes [p0, p1) (image·C + channel) of t's
// depthwise convolution.
func depthwiseRange(t *gemmTask, p0, p1 int) {
	g := &t.bs.g
	plane, oplane, khw := g.H*g.W, g.OH*g.OW, g.KH*g.KW
	d, fast := depthwiseGeom(g)
	var buf *gemmBuf
	if fast {
		buf = getBuf()
		defer putBuf(buf)
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
		if !fast {
			fill(out, bias)
			convPlane(out, in, w, *g)
		} else {
			pad := buf.b[:d.hp*d.wp]
			row := buf.b[d.hp*d.wp:][:d.n]
			padPlane(pad, in, g, d)
			for oy := 0; oy < g.OH; oy++ {
				o := out[oy*g.OW : (oy+1)*g.OW]
				if g.SW == 1 && d.n == g.OW {
					dwRowAny(o, pad[oy*g.SH*d.wp:], w, d.wp, g.KH, g.KW, d.n, bias)
					continue
				}
				dwRowAny(row, pad[oy*g.SH*d.wp:], w, d.wp, g.KH, g.KW, d.n, bias)
				if g.SW == 1 {
					copy(o, row)
					continue
				}
				for x := range o {
					o[x] = row[x*g.SW]
				}
			}
		}
		t.ep.apply(t.c, p*oplane, (p+1)*oplane)
	}
}

// padPlane copies one plane into the hp×wp zero-bordered buffer at
// (PadT, PadL), dropping what no output reads.
func padPlane(dst, in []float32, g *ConvGeom, d dwGeom) {
	n := max(0, min(g.W, d.wp-g.PadL)) // input columns that are read
	for py := 0; py < d.hp; py++ {
		row := dst[py*d.wp : (py+1)*d.wp]
		y := py - g.PadT
		if y < 0 || y >= g.H || n == 0 {
			clear(row)
			continue
		}
		clear(row[:g.PadL])
		copy(row[g.PadL:g.PadL+n], in[y*g.W:])
		clear(row[g.PadL+n:])
	}
}

// dwRowAny writes out[x] = bias + Σ w[dy·kw+dx]·in[dy·ld+x+dx] for
// x < n (n a multiple of 8).
func dwRowAny(out, in, w []float32, ld, kh, kw, n int, bias float32) {
	_ = in[(kh-1)*ld+n+kw-2]
	_ = out[n-1]
	_ = w[kh*kw-1]
	if hasAVX2 {
		dwRow(&out[0], &in[0], &w[0], ld, kh, kw, n, bias)
		return
	}
	dwRowGo(out, in, w, ld, kh, kw, n, bias)
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
