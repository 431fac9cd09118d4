package train

import (
	"math"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// powerLayer is y = (shift + scale·x)^exponent (Caffe Power; ONNX Neg,
// Sqrt, Reciprocal, Pow by a constant and an operation with a constant
// scalar operand).
type powerLayer struct {
	nt   *Net
	x, y *value
	op   graph.Power
}

var _ = register(func(s *site, op *graph.Power) (layer, error) {
	return &powerLayer{nt: s.nt, x: s.x, y: s.out(0), op: *op}, nil
})

func (l *powerLayer) forward() {
	l.nt.elems(l.x, func(lo, hi int) {
		tensor.Power(l.y.data[lo:hi], l.x.data[lo:hi], l.op.Exponent, l.op.Scale, l.op.Shift)
	})
}

// backward: dy/dx = exponent·scale·(shift + scale·x)^(exponent−1).
func (l *powerLayer) backward() {
	if !l.x.needGrad {
		return
	}
	e, a, b := float64(l.op.Exponent), float64(l.op.Scale), float64(l.op.Shift)
	l.nt.elems(l.x, func(lo, hi int) {
		x, dy, dx := l.x.data[lo:hi], l.y.grad[lo:hi], l.x.grad[lo:hi]
		for i, v := range x {
			d := a
			if e != 1 {
				d = e * a * math.Pow(b+a*float64(v), e-1)
			}
			dx[i] += float32(d * float64(dy[i]))
		}
	})
}
