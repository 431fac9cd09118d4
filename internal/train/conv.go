package train

import (
	"sync"

	"github.com/convscope/convscope/internal/tensor"
)

// convLayer is a grouped 2-D convolution. The forward pass is a direct
// convolution per image and group (tensor.ConvAddSerial: the im2col matrix
// is read straight from the image, never stored). In the backward pass
// dW += dY·colsᵀ packs the columns from the image too
// (tensor.ConvWeightGradSerial) and, for stride-1 convolutions,
// computes dX as the full correlation of dY with the flipped kernels, again
// a direct convolution; other geometries use dCols = Wᵀ·dY and Col2Im.
type convLayer struct {
	nt     *Net
	x, y   *value
	w, b   *Param
	geo    tensor.ConvGeom // one image and group (N = 1, Groups = 1)
	groups int
	cg     int // input channels per group
	ocg    int // output channels per group
	k      int // cg·KH·KW
	ohw    int
	plane  int // input H·W
	direct bool
	// With transposed: dX of one group is the convolution of dY (geometry
	// tgeo) with wT, the kernels flipped and transposed per group
	// ([cg, ocg·KH·KW]), refreshed at each backward pass.
	transposed bool
	tgeo       tensor.ConvGeom
	wT         []float32
}

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
	// The per-group geometry the direct convolution runs on.
	l.geo.N, l.geo.C, l.geo.OC, l.geo.Groups = 1, l.cg, l.ocg, 1
	g = l.geo
	l.nt.colsLen = max(l.nt.colsLen, tensor.ConvScratch(g))
	if !l.direct {
		pt, pl := (g.KH-1)*g.DH-g.PadT, (g.KW-1)*g.DW-g.PadL
		if g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && pt >= 0 && pl >= 0 &&
			g.OH+pt <= g.H+g.KH-1 && g.OW+pl <= g.W+g.KW-1 {
			l.transposed = true
			l.tgeo = tensor.ConvGeom{N: 1, C: l.ocg, H: g.OH, W: g.OW, OC: l.cg, OH: g.H, OW: g.W,
				KH: g.KH, KW: g.KW, SH: 1, SW: 1, DH: 1, DW: 1, PadT: pt, PadL: pl, Groups: 1}
			l.wT = make([]float32, l.groups*l.cg*l.ocg*g.KH*g.KW)
			l.nt.colsLen = max(l.nt.colsLen, tensor.ConvScratch(l.tgeo))
		} else {
			l.nt.colsLen = max(l.nt.colsLen, l.k*l.ohw) // dCols
		}
	}
}

func (l *convLayer) forward() {
	w := l.w.T.Data
	var b []float32
	if l.b != nil {
		b = l.b.T.Data
	}
	l.nt.images(func(ws *workspace, _, i int) {
		yi := l.y.img(i)
		xi := l.x.img(i)
		for grp := 0; grp < l.groups; grp++ {
			yg := yi[grp*l.ocg*l.ohw : (grp+1)*l.ocg*l.ohw]
			// The bias first, then the products, as the engine's direct
			// convolution accumulates.
			for o := 0; o < l.ocg; o++ {
				bv := float32(0)
				if b != nil {
					bv = b[grp*l.ocg+o]
				}
				row := yg[o*l.ohw : (o+1)*l.ohw]
				for j := range row {
					row[j] = bv
				}
			}
			xg := xi[grp*l.cg*l.plane : (grp+1)*l.cg*l.plane]
			wg := w[grp*l.ocg*l.k : (grp+1)*l.ocg*l.k]
			l.nt.channels(ws, l.ocg, func(ws *workspace, lo, hi int) {
				g := l.geo
				g.OC = hi - lo
				tensor.ConvAddSerial(yg[lo*l.ohw:hi*l.ohw], xg, wg[lo*l.k:hi*l.k], ws.dcols, g)
			})
		}
	})
}

// flipWeights fills wT: wT[g][c][o][kh][kw] = W[g·ocg+o][c][KH−1−kh][KW−1−kw].
func (l *convLayer) flipWeights() {
	w := l.w.T.Data
	kh, kw := l.geo.KH, l.geo.KW
	kk := kh * kw
	for grp := 0; grp < l.groups; grp++ {
		wg := w[grp*l.ocg*l.k:]
		tg := l.wT[grp*l.cg*l.ocg*kk:]
		for c := 0; c < l.cg; c++ {
			for o := 0; o < l.ocg; o++ {
				src := wg[o*l.k+c*kk:][:kk]
				dst := tg[(c*l.ocg+o)*kk:][:kk]
				for t := range dst {
					dst[t] = src[kk-1-t]
				}
			}
		}
	}
}

func (l *convLayer) backward() {
	w := l.w.T.Data
	if l.transposed && l.x.needGrad {
		l.flipWeights()
	}
	l.nt.images(func(ws *workspace, s, i int) {
		dyi := l.y.gimg(i)
		frozen := l.nt.opt.Frozen
		if l.b != nil && !frozen {
			db := l.b.shard[s]
			for o := range db {
				var sum float32
				for _, v := range dyi[o*l.ohw : (o+1)*l.ohw] {
					sum += v
				}
				db[o] += sum
			}
		}
		for grp := 0; grp < l.groups; grp++ {
			dyg := dyi[grp*l.ocg*l.ohw : (grp+1)*l.ocg*l.ohw]
			if !frozen {
				l.weightGrad(ws, l.w.shard[s], dyg, i, grp)
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
			if l.transposed {
				// dX_g += dY_g ⋆ flip(W_g): a stride-1 convolution of the
				// zero-bordered output gradient.
				kk := l.cg * l.ocg * l.geo.KH * l.geo.KW
				wT, rk := l.wT[grp*kk:(grp+1)*kk], l.ocg*l.geo.KH*l.geo.KW
				l.nt.channels(ws, l.cg, func(ws *workspace, lo, hi int) {
					g := l.tgeo
					g.OC = hi - lo
					tensor.ConvAddSerial(dxg[lo*l.plane:hi*l.plane], dyg, wT[lo*rk:hi*rk], ws.dcols, g)
				})
				continue
			}
			dcols := ws.cols[:l.k*l.ohw]
			tensor.Gemm(true, false, l.k, l.ohw, l.ocg, 1, wg, l.k, dyg, l.ohw, 0, dcols, l.ohw)
			tensor.Col2Im(dxg, dcols, l.cg, l.geo.H, l.geo.W, l.geo)
		}
	})
}

// weightGrad adds group grp's dW of image i (output gradient dyg) to dw.
func (l *convLayer) weightGrad(ws *workspace, dw, dyg []float32, i, grp int) {
	// dW_gᵀ = cols · dY_gᵀ: with the long column matrix as the A
	// operand the product packs it row by row, which is much cheaper
	// than packing it transposed as dY_g·colsᵀ would. Unless the
	// input is its own column matrix, the packing reads it straight
	// from the image.
	t := ws.dwT[:l.k*l.ocg]
	if l.direct {
		cols := l.x.img(i)[grp*l.cg*l.plane : (grp+1)*l.cg*l.plane]
		tensor.Gemm(false, true, l.k, l.ocg, l.ohw, 1, cols, l.ohw, dyg, l.ohw, 0, t, l.ocg)
	} else {
		tensor.ConvWeightGradSerial(t, l.x.img(i)[grp*l.cg*l.plane:(grp+1)*l.cg*l.plane], dyg, l.geo)
	}
	dwg := dw[grp*l.ocg*l.k : (grp+1)*l.ocg*l.k]
	for o := 0; o < l.ocg; o++ {
		row := dwg[o*l.k : (o+1)*l.k]
		for p := range row {
			row[p] += t[p*l.ocg+o]
		}
	}
}

// channels runs fn over [0, n) output channels: in one call on ws when
// the batch has several images (the parallelism is over images), split
// over every worker's workspace for a single image (an attribution map),
// which runs on worker 0's workspace.
func (nt *Net) channels(ws *workspace, n int, fn func(ws *workspace, lo, hi int)) {
	W := min(len(nt.ws), n)
	if nt.n != 1 || W <= 1 {
		fn(ws, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < W; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			fn(nt.ws[w], w*n/W, (w+1)*n/W)
		}(w)
	}
	wg.Wait()
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
		if l.nt.opt.Frozen {
			if l.x.needGrad {
				tensor.Gemm(false, false, hi-lo, in, out, 1, dys, out, w, in, 1, l.x.grad[lo*in:hi*in], in)
			}
			return
		}
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
