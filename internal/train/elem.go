package train

import (
	"math"

	"github.com/convscope/convscope/internal/tensor"
)

// poolLayer is max or average pooling (global pooling is a pool whose
// window is the whole map).
type poolLayer struct {
	nt         *Net
	x, y       *value
	geo        tensor.ConvGeom
	max        bool
	inclPad    bool
	padB, padR int
	arg        []int32 // max: flat index into the image's input of each output
}

func (l *poolLayer) forward() {
	l.nt.images(func(_ *workspace, _, i int) {
		if l.max {
			tensor.MaxPool2D(l.y.img(i), l.x.img(i), l.arg[i*l.y.per:(i+1)*l.y.per], l.geo)
			return
		}
		tensor.AvgPool2D(l.y.img(i), l.x.img(i), l.geo, l.inclPad, l.padB, l.padR)
	})
}

func (l *poolLayer) backward() {
	if !l.x.needGrad {
		return
	}
	g := l.geo
	l.nt.images(func(_ *workspace, _, i int) {
		dx, dy := l.x.gimg(i), l.y.gimg(i)
		if l.max {
			for j, a := range l.arg[i*l.y.per : (i+1)*l.y.per] {
				if a >= 0 {
					dx[a] += dy[j]
				}
			}
			return
		}
		// The adjoint of tensor.AvgPool2D: each real cell of a window
		// receives the window's gradient over the same divisor.
		plane, oplane := g.H*g.W, g.OH*g.OW
		for c := 0; c < g.C; c++ {
			d := dx[c*plane : (c+1)*plane]
			for oy := 0; oy < g.OH; oy++ {
				for ox := 0; ox < g.OW; ox++ {
					count, padded := 0, 0
					for kh := 0; kh < g.KH; kh++ {
						iy := oy*g.SH + kh*g.DH - g.PadT
						if iy >= g.H+l.padB {
							continue
						}
						for kw := 0; kw < g.KW; kw++ {
							ix := ox*g.SW + kw*g.DW - g.PadL
							if ix >= g.W+l.padR {
								continue
							}
							padded++
							if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
								count++
							}
						}
					}
					div := count
					if l.inclPad {
						div = padded
					}
					if div == 0 {
						continue
					}
					v := dy[c*oplane+oy*g.OW+ox] / float32(div)
					for kh := 0; kh < g.KH; kh++ {
						iy := oy*g.SH + kh*g.DH - g.PadT
						if iy < 0 || iy >= g.H {
							continue
						}
						for kw := 0; kw < g.KW; kw++ {
							ix := ox*g.SW + kw*g.DW - g.PadL
							if ix >= 0 && ix < g.W {
								d[iy*g.W+ix] += v
							}
						}
					}
				}
			}
		}
	})
}

// actLayer is an element-wise activation.
type actLayer struct {
	nt          *Net
	x, y        *value
	f           tensor.Activation
	alpha, beta float32
}

// elems runs fn over the elements of each shard.
func (nt *Net) elems(v *value, fn func(lo, hi int)) {
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		fn(lo*v.per, hi*v.per)
	})
}

func (l *actLayer) forward() {
	l.nt.elems(l.x, func(lo, hi int) {
		tensor.Apply(l.y.data[lo:hi], l.x.data[lo:hi], l.f, l.alpha, l.beta)
	})
}

func (l *actLayer) backward() {
	if !l.x.needGrad {
		return
	}
	a, b := l.alpha, l.beta
	l.nt.elems(l.x, func(lo, hi int) {
		x, y, dy, dx := l.x.data[lo:hi], l.y.data[lo:hi], l.y.grad[lo:hi], l.x.grad[lo:hi]
		switch l.f {
		case tensor.ActRelu:
			reluBackward(dx, dy, x)
		case tensor.ActLeakyRelu:
			for i, v := range x {
				if v < 0 {
					dx[i] += a * dy[i]
				} else {
					dx[i] += dy[i]
				}
			}
		case tensor.ActSigmoid:
			for i, v := range y {
				dx[i] += dy[i] * v * (1 - v)
			}
		case tensor.ActTanh:
			for i, v := range y {
				dx[i] += dy[i] * (1 - v*v)
			}
		case tensor.ActElu:
			for i, v := range x {
				if v < 0 {
					dx[i] += dy[i] * (y[i] + a)
				} else {
					dx[i] += dy[i]
				}
			}
		case tensor.ActSelu:
			for i, v := range x {
				if v <= 0 {
					dx[i] += dy[i] * b * a * float32(math.Exp(float64(v)))
				} else {
					dx[i] += dy[i] * b
				}
			}
		case tensor.ActClip:
			for i, v := range x {
				if v > a && v < b {
					dx[i] += dy[i]
				}
			}
		case tensor.ActSoftplus:
			for i, v := range x {
				dx[i] += dy[i] * float32(1/(1+math.Exp(-float64(v))))
			}
		case tensor.ActHardSigmoid:
			for i, v := range x {
				if t := a*v + b; t > 0 && t < 1 {
					dx[i] += dy[i] * a
				}
			}
		default:
			actBackwardExt(l.f, dx, dy, x)
		}
	})
}

// softmaxLayer is (log-)softmax along one axis of each image, viewed as
// [outer, size, inner]. When it is the model's output over the classes it is
// fused with the loss and its own backward is skipped.
type softmaxLayer struct {
	nt                 *Net
	x, y               *value
	log                bool
	axis               int // per-image axis
	outer, size, inner int
	fused              bool
}

func (l *softmaxLayer) forward() {
	l.nt.images(func(_ *workspace, _, i int) {
		tensor.Softmax(l.y.img(i), l.x.img(i), l.outer, l.size, l.inner, l.log)
	})
}

func (l *softmaxLayer) backward() {
	if l.fused || !l.x.needGrad {
		return
	}
	l.nt.images(func(_ *workspace, _, i int) {
		y, dy, dx := l.y.img(i), l.y.gimg(i), l.x.gimg(i)
		for o := 0; o < l.outer; o++ {
			for in := 0; in < l.inner; in++ {
				base := o*l.size*l.inner + in
				var s float64
				for a := 0; a < l.size; a++ {
					j := base + a*l.inner
					if l.log {
						s += float64(dy[j])
					} else {
						s += float64(dy[j]) * float64(y[j])
					}
				}
				for a := 0; a < l.size; a++ {
					j := base + a*l.inner
					if l.log {
						dx[j] += dy[j] - float32(math.Exp(float64(y[j]))*s)
					} else {
						dx[j] += y[j] * (dy[j] - float32(s))
					}
				}
			}
		}
	})
}

// flattenCLLayer flattens an NCHW map in (row, column, channel) order.
type flattenCLLayer struct {
	nt       *Net
	x, y     *value
	c, plane int
}

func (l *flattenCLLayer) forward() {
	l.nt.images(func(_ *workspace, _, i int) {
		tensor.ToChannelsLast(l.y.img(i), l.x.img(i), 1, l.c, l.plane, 1)
	})
}

func (l *flattenCLLayer) backward() {
	if !l.x.needGrad {
		return
	}
	l.nt.images(func(_ *workspace, _, i int) {
		dx, dy := l.x.gimg(i), l.y.gimg(i)
		for c := 0; c < l.c; c++ {
			d := dx[c*l.plane : (c+1)*l.plane]
			for p := range d {
				d[p] += dy[p*l.c+c]
			}
		}
	})
}

// dropoutLayer is inverted dropout in training mode and the identity in
// inference mode.
type dropoutLayer struct {
	nt    *Net
	x, y  *value
	ratio float32
	id    uint64
	mask  []float32
}

func (l *dropoutLayer) forward() {
	if !l.nt.training || l.ratio == 0 {
		l.nt.elems(l.x, func(lo, hi int) { copy(l.y.data[lo:hi], l.x.data[lo:hi]) })
		return
	}
	keep := 1 / (1 - l.ratio)
	l.nt.images(func(ws *workspace, _, i int) {
		// The mask depends on the seed, the layer, the step and the image
		// only, not on how the batch is split.
		ws.pcg.Seed(l.nt.opt.Seed^(l.id*0x9e3779b97f4a7c15), l.nt.step<<24^uint64(i))
		m, x, y := l.mask[i*l.x.per:(i+1)*l.x.per], l.x.img(i), l.y.img(i)
		for j := range m {
			if ws.rng.Float32() < l.ratio {
				m[j] = 0
			} else {
				m[j] = keep
			}
			y[j] = x[j] * m[j]
		}
	})
}

func (l *dropoutLayer) backward() {
	if !l.x.needGrad {
		return
	}
	masked := l.nt.training && l.ratio != 0
	l.nt.elems(l.x, func(lo, hi int) {
		dx, dy := l.x.grad[lo:hi], l.y.grad[lo:hi]
		if !masked {
			for i, v := range dy {
				dx[i] += v
			}
			return
		}
		for i, v := range dy {
			dx[i] += v * l.mask[lo+i]
		}
	})
}

// reluBackward adds dy to dx where x > 0. It is branch-free — the signs of
// activations are as unpredictable as coin flips — and adds +0 elsewhere
// (which turns a −0 of dx into +0; nothing else changes).
func reluBackward(dx, dy, x []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		// x > 0 ⇔ its bits, minus one, lie below those of +Inf (excludes
		// ±0, negatives and NaNs): the mask is all ones then, zero otherwise.
		u := uint64(math.Float32bits(v) - 1)
		m := uint32(int64(u-0x7f800000) >> 63)
		dx[i] += math.Float32frombits(math.Float32bits(dy[i]) & m)
	}
}
