package train

import (
	"math"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// bnLayer is batch normalisation over axis 1. In training mode it
// normalises with the batch's mean and (biased) variance, computed over all
// images of the batch, and updates the running statistics; in inference
// mode it applies the running statistics exactly as the engine does.
type bnLayer struct {
	nt             *Net
	x, y           *value
	c, plane       int
	eps            float32
	scale, bias    *Param // nil without the affine part (scale 1, bias 0)
	mean, variance []float32
	ones, zeros    []float32

	xhat       []float32
	bmean, inv []float64
	part       [][]float64 // per shard: 2·c partial sums
	sum        []float64
}

func (l *bnLayer) init() {
	l.ones, l.zeros = make([]float32, l.c), make([]float32, l.c)
	for i := range l.ones {
		l.ones[i] = 1
	}
	l.xhat = make([]float32, len(l.x.data))
	l.bmean, l.inv = make([]float64, l.c), make([]float64, l.c)
	l.part = make([][]float64, l.nt.opt.Shards)
	for s := range l.part {
		l.part[s] = make([]float64, 2*l.c)
	}
	l.sum = make([]float64, 2*l.c)
}

func (l *bnLayer) affine() (scale, bias []float32) {
	scale, bias = l.ones, l.zeros
	if l.scale != nil {
		scale = l.scale.T.Data
	}
	if l.bias != nil {
		bias = l.bias.T.Data
	}
	return scale, bias
}

// combine sums the shards' partials in shard order into l.sum.
func (l *bnLayer) combine() {
	clear(l.sum)
	for s := 0; s < l.nt.shards(); s++ {
		for j, v := range l.part[s] {
			l.sum[j] += v
		}
	}
}

func (l *bnLayer) forward() {
	scale, bias := l.affine()
	if !l.nt.training {
		l.nt.images(func(_ *workspace, _, i int) {
			tensor.BatchNorm(l.y.img(i), l.x.img(i), scale, bias, l.mean, l.variance, 1, l.c, l.plane, l.eps)
		})
		return
	}
	nt, C, P := l.nt, l.c, l.plane
	m := float64(nt.n * P)
	// Mean, then variance around it (two passes for accuracy).
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		p := l.part[s]
		clear(p)
		for i := lo; i < hi; i++ {
			x := l.x.img(i)
			for c := 0; c < C; c++ {
				var t float64
				for _, v := range x[c*P : (c+1)*P] {
					t += float64(v)
				}
				p[c] += t
			}
		}
	})
	l.combine()
	for c := 0; c < C; c++ {
		l.bmean[c] = l.sum[c] / m
	}
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		p := l.part[s]
		clear(p)
		for i := lo; i < hi; i++ {
			x := l.x.img(i)
			for c := 0; c < C; c++ {
				var t float64
				mu := l.bmean[c]
				for _, v := range x[c*P : (c+1)*P] {
					d := float64(v) - mu
					t += d * d
				}
				p[c] += t
			}
		}
	})
	l.combine()
	mom := nt.opt.BNMomentum
	for c := 0; c < C; c++ {
		v := l.sum[c] / m
		l.inv[c] = 1 / math.Sqrt(v+float64(l.eps))
		unbiased := v
		if m > 1 {
			unbiased = v * m / (m - 1)
		}
		l.mean[c] = float32(mom*float64(l.mean[c]) + (1-mom)*l.bmean[c])
		l.variance[c] = float32(mom*float64(l.variance[c]) + (1-mom)*unbiased)
	}
	nt.images(func(_ *workspace, _, i int) {
		x, y, xh := l.x.img(i), l.y.img(i), l.xhat[i*l.x.per:(i+1)*l.x.per]
		for c := 0; c < C; c++ {
			mu, inv := float32(l.bmean[c]), float32(l.inv[c])
			sc, b := scale[c], bias[c]
			for j := c * P; j < (c+1)*P; j++ {
				h := (x[j] - mu) * inv
				xh[j] = h
				y[j] = sc*h + b
			}
		}
	})
}

func (l *bnLayer) backward() {
	nt, C, P := l.nt, l.c, l.plane
	scale, _ := l.affine()
	training := nt.training
	if !nt.opt.Frozen || training {
		l.paramGrads(scale)
	}
	if !l.x.needGrad {
		return
	}
	if !training {
		nt.images(func(_ *workspace, _, i int) {
			dx, dy := l.x.gimg(i), l.y.gimg(i)
			for c := 0; c < C; c++ {
				k := scale[c] / float32(math.Sqrt(float64(l.variance[c]+l.eps)))
				for j := c * P; j < (c+1)*P; j++ {
					dx[j] += dy[j] * k
				}
			}
		})
		return
	}
	l.combine()
	m := float64(nt.n * P)
	nt.images(func(_ *workspace, _, i int) {
		dx, dy, xh := l.x.gimg(i), l.y.gimg(i), l.xhat[i*l.x.per:(i+1)*l.x.per]
		for c := 0; c < C; c++ {
			k := float32(float64(scale[c]) * l.inv[c])
			md, mdx := float32(l.sum[c]/m), float32(l.sum[C+c]/m)
			for j := c * P; j < (c+1)*P; j++ {
				dx[j] += k * (dy[j] - md - xh[j]*mdx)
			}
		}
	})
}

// paramGrads accumulates the partial sums of dy and dy·x̂ per channel (the
// statistics the training-mode dx needs) and, unless frozen, the parameter
// gradients.
func (l *bnLayer) paramGrads(scale []float32) {
	nt, C, P := l.nt, l.c, l.plane
	training := nt.training
	// Partial sums of dy and dy·x̂ per channel; the parameter gradients are
	// these sums, accumulated per shard.
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		p := l.part[s]
		clear(p)
		for i := lo; i < hi; i++ {
			x, dy, xh := l.x.img(i), l.y.gimg(i), l.xhat[i*l.x.per:(i+1)*l.x.per]
			for c := 0; c < C; c++ {
				var sd, sdx float64
				if training {
					for j := c * P; j < (c+1)*P; j++ {
						sd += float64(dy[j])
						sdx += float64(dy[j]) * float64(xh[j])
					}
				} else {
					k := 1 / math.Sqrt(float64(l.variance[c])+float64(l.eps))
					for j := c * P; j < (c+1)*P; j++ {
						sd += float64(dy[j])
						sdx += float64(dy[j]) * (float64(x[j]) - float64(l.mean[c])) * k
					}
				}
				p[c] += sd
				p[C+c] += sdx
			}
		}
		if nt.opt.Frozen {
			return
		}
		if l.bias != nil {
			for c := 0; c < C; c++ {
				l.bias.shard[s][c] += float32(p[c])
			}
		}
		if l.scale != nil {
			for c := 0; c < C; c++ {
				l.scale.shard[s][c] += float32(p[C+c])
			}
		}
	})
}

// lrnLayer is local response normalisation across channels.
type lrnLayer struct {
	nt       *Net
	x, y     *value
	c, plane int
	op       graph.LRN
}

func (l *lrnLayer) forward() {
	l.nt.images(func(_ *workspace, _, i int) {
		tensor.LRN(l.y.img(i), l.x.img(i), 1, l.c, l.plane, l.op.Size, l.op.Alpha, l.op.Beta, l.op.Bias)
	})
}

// backward: with d_c = bias + α/size·Σ_{j∈win(c)} x_j² and y_c = x_c·d_c^−β,
// dx_j = dy_j·d_j^−β − 2αβ/size · x_j · Σ_{c: j∈win(c)} dy_c·x_c·d_c^(−β−1).
func (l *lrnLayer) backward() {
	if !l.x.needGrad {
		return
	}
	C, P := l.c, l.plane
	size := l.op.Size
	lo, hi := (size-1)/2, size/2
	alpha, beta, bias := float64(l.op.Alpha), float64(l.op.Beta), float64(l.op.Bias)
	l.nt.images(func(ws *workspace, _, i int) {
		x, dy, dx := l.x.img(i), l.y.gimg(i), l.x.gimg(i)
		d, t := ws.f64[:C], ws.f64[C:2*C]
		for p := 0; p < P; p++ {
			for c := 0; c < C; c++ {
				var sq float64
				for j := max(0, c-lo); j <= min(C-1, c+hi); j++ {
					v := float64(x[j*P+p])
					sq += v * v
				}
				d[c] = bias + alpha/float64(size)*sq
				t[c] = float64(dy[c*P+p]) * float64(x[c*P+p]) * math.Pow(d[c], -beta-1)
			}
			for j := 0; j < C; j++ {
				var s float64
				for c := max(0, j-hi); c <= min(C-1, j+lo); c++ {
					s += t[c]
				}
				g := float64(dy[j*P+p])*math.Pow(d[j], -beta) - 2*alpha*beta/float64(size)*float64(x[j*P+p])*s
				dx[j*P+p] += float32(g)
			}
		}
	})
}
