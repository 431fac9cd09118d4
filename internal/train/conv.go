package train

import "github.com/convscope/convscope/internal/tensor"

// convLayer is a grouped 2-D convolution computed as Im2Col + Gemm per image
// and group.
type convLayer struct {
	nt     *Net
	x, y   *value
	w, b   *Param
	geo    tensor.ConvGeom
	groups int
	cg     int // input channels per group
	ocg    int // output channels per group
	k      int // cg·KH·KW
	ohw    int
	plane  int // input H·W
	direct bool
	// cache keeps every image's column matrices from the forward pass for
	// the backward pass (when they fit in colsCacheBytes), instead of
	// computing them twice.
	cache []float32
}

// colsCacheBytes bounds the column matrices a Net keeps between the forward
// and the backward pass.
const colsCacheBytes = 1 << 30

func (l *convLayer) init() {
	g := l.geo
	l.cg, l.ocg = g.C/l.groups, g.OC/l.groups
	l.k = l.cg * g.KH * g.KW
	l.ohw = g.OH * g.OW
	l.plane = g.H * g.W
	// A 1×1 convolution with unit stride and no padding needs no Im2Col:
	// the input planes are the columns.
	l.direct = g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadT == 0 && g.PadL == 0 && g.OH == g.H && g.OW == g.W
	l.nt.dwLen = max(l.nt.dwLen, l.k*l.ocg)
	if !l.direct {
		l.nt.colsLen = max(l.nt.colsLen, l.k*l.ohw)
		if n := l.nt.max * l.groups * l.k * l.ohw; l.nt.cacheUsed+4*n <= colsCacheBytes {
			l.cache = make([]float32, n)
			l.nt.cacheUsed += 4 * n
		}
	}
}

// cols returns the column matrix [k, ohw] of group grp of image i. In the
// backward pass (fresh = false) it reuses the forward pass's matrix when
// cached.
func (l *convLayer) cols(ws *workspace, i, grp int, fresh bool) []float32 {
	src := l.x.img(i)[grp*l.cg*l.plane : (grp+1)*l.cg*l.plane]
	if l.direct {
		return src
	}
	size := l.k * l.ohw
	if l.cache != nil {
		c := l.cache[(i*l.groups+grp)*size : (i*l.groups+grp+1)*size]
		if fresh {
			tensor.Im2Col(c, src, l.cg, l.geo.H, l.geo.W, l.geo)
		}
		return c
	}
	c := ws.cols[:size]
	tensor.Im2Col(c, src, l.cg, l.geo.H, l.geo.W, l.geo)
	return c
}

func (l *convLayer) forward() {
	w := l.w.T.Data
	var b []float32
	if l.b != nil {
		b = l.b.T.Data
	}
	l.nt.images(func(ws *workspace, _, i int) {
		yi := l.y.img(i)
		for grp := 0; grp < l.groups; grp++ {
			yg := yi[grp*l.ocg*l.ohw : (grp+1)*l.ocg*l.ohw]
			beta := float32(0)
			if b != nil {
				// The bias first, then the products, as the engine's direct
				// convolution accumulates.
				for o := 0; o < l.ocg; o++ {
					bv := b[grp*l.ocg+o]
					row := yg[o*l.ohw : (o+1)*l.ohw]
					for j := range row {
						row[j] = bv
					}
				}
				beta = 1
			}
			tensor.Gemm(false, false, l.ocg, l.ohw, l.k, 1, w[grp*l.ocg*l.k:], l.k, l.cols(ws, i, grp, true), l.ohw, beta, yg, l.ohw)
		}
	})
}

func (l *convLayer) backward() {
	w := l.w.T.Data
	l.nt.images(func(ws *workspace, s, i int) {
		dyi := l.y.gimg(i)
		if l.b != nil {
			db := l.b.shard[s]
			for o := range db {
				var sum float32
				for _, v := range dyi[o*l.ohw : (o+1)*l.ohw] {
					sum += v
				}
				db[o] += sum
			}
		}
		dw := l.w.shard[s]
		for grp := 0; grp < l.groups; grp++ {
			dyg := dyi[grp*l.ocg*l.ohw : (grp+1)*l.ocg*l.ohw]
			cols := l.cols(ws, i, grp, false)
			// dW_gᵀ = cols · dY_gᵀ: with the long column matrix as the A
			// operand the product packs it row by row, which is much cheaper
			// than packing it transposed as dY_g·colsᵀ would.
			t := ws.dwT[:l.k*l.ocg]
			tensor.Gemm(false, true, l.k, l.ocg, l.ohw, 1, cols, l.ohw, dyg, l.ohw, 0, t, l.ocg)
			dwg := dw[grp*l.ocg*l.k : (grp+1)*l.ocg*l.k]
			for o := 0; o < l.ocg; o++ {
				row := dwg[o*l.k : (o+1)*l.k]
				for p := range row {
					row[p] += t[p*l.ocg+o]
				}
			}
			if !l.x.needGrad {
				continue
			}
			wg := w[grp*l.ocg*l.k:]
			dxg := l.x.gimg(i)[grp*l.cg*l.plane : (grp+1)*l.cg*l.plane]
			if l.direct {
				// dX_g += W_gᵀ · dY_g
				tensor.Gemm(true, false, l.k, l.ohw, l.ocg, 1, wg, l.k, dyg, l.ohw, 1, dxg, l.ohw)
				continue
			}
			dcols := ws.dcols[:l.k*l.ohw]
			tensor.Gemm(true, false, l.k, l.ohw, l.ocg, 1, wg, l.k, dyg, l.ohw, 0, dcols, l.ohw)
			tensor.Col2Im(dxg, dcols, l.cg, l.geo.H, l.geo.W, l.geo)
		}
	})
}

// denseLayer is y = x·Wᵀ + b, one Gemm per shard.
type denseLayer struct {
	nt    *Net
	x, y  *value
	w, b  *Param
	units int
}

func (l *denseLayer) forward() {
	in, out := l.x.per, l.units
	w := l.w.T.Data
	l.nt.parallel(func(_ *workspace, s int) {
		lo, hi := l.nt.span(s)
		xs, ys := l.x.data[lo*in:hi*in], l.y.data[lo*out:hi*out]
		beta := float32(0)
		if l.b != nil {
			for i := 0; i < hi-lo; i++ {
				copy(ys[i*out:(i+1)*out], l.b.T.Data)
			}
			beta = 1
		}
		tensor.Gemm(false, true, hi-lo, out, in, 1, xs, in, w, in, beta, ys, out)
	})
}

func (l *denseLayer) backward() {
	in, out := l.x.per, l.units
	w := l.w.T.Data
	l.nt.parallel(func(_ *workspace, s int) {
		lo, hi := l.nt.span(s)
		xs, dys := l.x.data[lo*in:hi*in], l.y.grad[lo*out:hi*out]
		if l.b != nil {
			db := l.b.shard[s]
			for i := 0; i < hi-lo; i++ {
				for o, v := range dys[i*out : (i+1)*out] {
					db[o] += v
				}
			}
		}
		// dW += dYᵀ · X
		tensor.Gemm(true, false, out, in, hi-lo, 1, dys, out, xs, in, 1, l.w.shard[s], in)
		if l.x.needGrad {
			// dX += dY · W
			tensor.Gemm(false, false, hi-lo, in, out, 1, dys, out, w, in, 1, l.x.grad[lo*in:hi*in], in)
		}
	})
}
