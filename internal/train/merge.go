package train

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// eltwiseLayer combines its inputs element by element with broadcasting
// inside each image: y = op(c₀·a₀, c₁·a₁), then y = op(y, cᵢ·aᵢ), as the
// engine computes it.
type eltwiseLayer struct {
	nt      *Net
	xs      []*value
	y       *value
	kind    graph.EltwiseKind
	coef    []float32
	strides [][]int // per input, per output dimension (0 where broadcast)
	same    bool    // no broadcasting
}

func newEltwise(nt *Net, op *graph.Eltwise, ins []*value, y *value, shapes map[string]graph.Shape, n *graph.Node) (layer, error) {
	switch op.Type {
	case graph.EltAdd, graph.EltSub, graph.EltMul, graph.EltDiv, graph.EltMax, graph.EltMin:
	default:
		return nil, fmt.Errorf("%w: element-wise %q", errUnsupported, op.Type)
	}
	l := &eltwiseLayer{nt: nt, xs: ins, y: y, kind: op.Type, same: true}
	for i := range ins {
		c := float32(1)
		if len(op.Coeffs) > 0 {
			c = op.Coeffs[i]
		}
		l.coef = append(l.coef, c)
	}
	out := y.shape
	for _, name := range n.Inputs {
		s := shapes[name]
		if len(s) != len(out)+1 {
			return nil, fmt.Errorf("%w: broadcasting %v to %v across ranks", errUnsupported, s, shapes[n.Outputs[0]])
		}
		per := s.PerImage()
		st := make([]int, len(out))
		step := 1
		for d := len(out) - 1; d >= 0; d-- {
			if per[d] != 1 || out[d] == 1 {
				st[d] = step
			}
			step *= per[d]
		}
		if !per.Equal(out) {
			l.same = false
		}
		l.strides = append(l.strides, st)
	}
	return l, nil
}

func apply(k graph.EltwiseKind, a, b float32) float32 {
	switch k {
	case graph.EltAdd:
		return a + b
	case graph.EltSub:
		return a - b
	case graph.EltMul:
		return a * b
	case graph.EltDiv:
		return a / b
	case graph.EltMax:
		return max(a, b)
	default:
		return min(a, b)
	}
}

// walk calls fn(j, idx) for every output element j of an image, idx[i]
// being the matching element of input i.
func (l *eltwiseLayer) walk(fn func(j int, idx []int)) {
	out := l.y.shape
	idx := make([]int, len(l.xs))
	if l.same {
		for j := 0; j < l.y.per; j++ {
			for i := range idx {
				idx[i] = j
			}
			fn(j, idx)
		}
		return
	}
	pos := make([]int, len(out))
	for j := 0; j < l.y.per; j++ {
		for i, st := range l.strides {
			o := 0
			for d, p := range pos {
				o += p * st[d]
			}
			idx[i] = o
		}
		fn(j, idx)
		for d := len(pos) - 1; d >= 0; d-- {
			pos[d]++
			if pos[d] < out[d] {
				break
			}
			pos[d] = 0
		}
	}
}

func (l *eltwiseLayer) forward() {
	l.nt.images(func(_ *workspace, _, i int) {
		y := l.y.img(i)
		ins := make([][]float32, len(l.xs))
		for k, x := range l.xs {
			ins[k] = x.img(i)
		}
		l.walk(func(j int, idx []int) {
			if len(ins) == 1 {
				y[j] = l.coef[0] * ins[0][idx[0]]
				return
			}
			r := apply(l.kind, l.coef[0]*ins[0][idx[0]], l.coef[1]*ins[1][idx[1]])
			for k := 2; k < len(ins); k++ {
				r = apply(l.kind, r, l.coef[k]*ins[k][idx[k]])
			}
			y[j] = r
		})
	})
}

func (l *eltwiseLayer) backward() {
	l.nt.images(func(_ *workspace, _, i int) {
		y, dy := l.y.img(i), l.y.gimg(i)
		ins := make([][]float32, len(l.xs))
		dxs := make([][]float32, len(l.xs))
		for k, x := range l.xs {
			ins[k] = x.img(i)
			if x.needGrad {
				dxs[k] = x.gimg(i)
			}
		}
		v := make([]float32, len(ins))
		l.walk(func(j int, idx []int) {
			g := dy[j]
			for k := range ins {
				v[k] = l.coef[k] * ins[k][idx[k]]
			}
			add := func(k int, d float32) {
				if dxs[k] != nil {
					dxs[k][idx[k]] += l.coef[k] * d
				}
			}
			switch l.kind {
			case graph.EltAdd:
				for k := range ins {
					add(k, g)
				}
			case graph.EltSub:
				add(0, g)
				for k := 1; k < len(ins); k++ {
					add(k, -g)
				}
			case graph.EltMul:
				for k := range ins {
					p := g
					for m := range v {
						if m != k {
							p *= v[m]
						}
					}
					add(k, p)
				}
			case graph.EltDiv:
				den := float32(1)
				for k := 1; k < len(v); k++ {
					den *= v[k]
				}
				add(0, g/den)
				for k := 1; k < len(ins); k++ {
					add(k, -g*y[j]/v[k])
				}
			case graph.EltMax, graph.EltMin:
				// The gradient goes to the first input holding the result.
				who := 0
				for k := 1; k < len(v); k++ {
					if (l.kind == graph.EltMax && v[k] > v[who]) || (l.kind == graph.EltMin && v[k] < v[who]) {
						who = k
					}
				}
				add(who, g)
			}
		})
	})
}

// concatLayer joins its inputs along a per-image axis, viewed as
// [outer, sizes[i]] for input i.
type concatLayer struct {
	nt    *Net
	xs    []*value
	y     *value
	outer int
	sizes []int
}

func (l *concatLayer) forward() {
	total := l.y.per / l.outer
	l.nt.images(func(_ *workspace, _, i int) {
		y := l.y.img(i)
		off := 0
		for k, x := range l.xs {
			src, n := x.img(i), l.sizes[k]
			for o := 0; o < l.outer; o++ {
				copy(y[o*total+off:o*total+off+n], src[o*n:(o+1)*n])
			}
			off += n
		}
	})
}

func (l *concatLayer) backward() {
	total := l.y.per / l.outer
	l.nt.images(func(_ *workspace, _, i int) {
		dy := l.y.gimg(i)
		off := 0
		for k, x := range l.xs {
			n := l.sizes[k]
			if x.needGrad {
				dx := x.gimg(i)
				for o := 0; o < l.outer; o++ {
					for j, v := range dy[o*total+off : o*total+off+n] {
						dx[o*n+j] += v
					}
				}
			}
			off += n
		}
	})
}
