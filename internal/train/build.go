package train

import (
	"fmt"
	"reflect"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// site is what a layer's builder gets: the node, its input values and
// their shapes.
type site struct {
	nt     *Net
	n      *graph.Node
	ins    []*value
	x      *value      // ins[0]
	xs     graph.Shape // the shape of x (batch first)
	shapes map[string]graph.Shape
	idx    int // the layer's index
}

// out creates the node's i-th output value.
func (s *site) out(i int) *value {
	return s.nt.newValue(s.n.Outputs[i], s.shapes[s.n.Outputs[i]], s.idx)
}

// alias makes the node's output share its input's data (a view).
func (s *site) alias() (layer, error) {
	s.nt.aliasValue(s.n.Outputs[0], s.shapes[s.n.Outputs[0]], s.x)
	return nopLayer{}, nil
}

// builders holds the layer builder of every operator type training
// supports, filled by the register calls next to each builder (as the
// engine's planners).
var builders = map[reflect.Type]func(s *site) (layer, error){}

// register makes build the layer builder of op type T. It returns true so
// that it can stand as `var _ = register(...)`.
func register[T graph.Op](build func(s *site, op T) (layer, error)) bool {
	t := reflect.TypeFor[T]()
	if _, dup := builders[t]; dup {
		panic("train: two builders for " + t.String())
	}
	builders[t] = func(s *site) (layer, error) { return build(s, s.n.Op.(T)) }
	return true
}

// build creates the layer of node n and its output values.
func (nt *Net) build(n *graph.Node, shapes map[string]graph.Shape) (layer, error) {
	if len(n.Inputs) == 0 {
		return nil, errUnsupported
	}
	ins := make([]*value, len(n.Inputs))
	for i, name := range n.Inputs {
		ins[i] = nt.vals[name]
	}
	if len(n.Outputs) != 1 {
		return nil, fmt.Errorf("%w (%d outputs)", errUnsupported, len(n.Outputs))
	}
	b, ok := builders[reflect.TypeOf(n.Op)]
	if !ok {
		return nil, fmt.Errorf("%w %s", errUnsupported, n.Op.Kind())
	}
	return b(&site{nt: nt, n: n, ins: ins, x: ins[0], xs: shapes[n.Inputs[0]], shapes: shapes, idx: len(nt.layers)})
}

var _ = register(func(s *site, op *graph.Conv) (layer, error) {
	xs := s.xs
	if len(xs) != 4 {
		return nil, fmt.Errorf("Conv needs an NCHW input, got %v", xs)
	}
	win, oh, ow, err := op.Window.Resolve(xs[2], xs[3], false)
	if err != nil {
		return nil, err
	}
	l := &convLayer{nt: s.nt, x: s.x, y: s.out(0), geo: geom(xs, win, op.OutChannels, oh, ow)}
	l.groups = max(1, op.Groups)
	l.geo.Groups = l.groups
	l.w = s.nt.newParam(s.n, "weight", true)
	l.b = s.nt.newParam(s.n, "bias", false)
	l.init()
	return l, nil
})

var _ = register(func(s *site, op *graph.Dense) (layer, error) {
	return &denseLayer{nt: s.nt, x: s.x, y: s.out(0), w: s.nt.newParam(s.n, "weight", true), b: s.nt.newParam(s.n, "bias", false), units: op.Units}, nil
})

var _ = register(func(s *site, op *graph.Pool) (layer, error) {
	xs := s.xs
	if len(xs) != 4 {
		return nil, fmt.Errorf("pooling needs an NCHW input, got %v", xs)
	}
	win, oh, ow, err := op.Resolve(xs[2], xs[3])
	if err != nil {
		return nil, err
	}
	l := &poolLayer{nt: s.nt, x: s.x, y: s.out(0), geo: geom(xs, win, xs[1], oh, ow), max: op.Type == graph.MaxPool,
		inclPad: op.CountIncludePad, padB: win.Pads[2], padR: win.Pads[3]}
	l.geo.N = 1
	if l.max {
		l.arg = make([]int32, s.nt.max*l.y.per)
	}
	return l, nil
})

var _ = register(func(s *site, op *graph.Activation) (layer, error) {
	f, alpha, beta, ok := engine.Activation(op)
	if !ok {
		return nil, fmt.Errorf("%w: activation %q", errUnsupported, op.Func)
	}
	return &actLayer{nt: s.nt, x: s.x, y: s.out(0), f: f, alpha: alpha, beta: beta}, nil
})

var _ = register(func(s *site, op *graph.Softmax) (layer, error) {
	xs := s.xs
	axis, err := imageAxis(op.Axis, len(xs), "softmax over")
	if err != nil {
		return nil, err
	}
	return &softmaxLayer{nt: s.nt, x: s.x, y: s.out(0), log: op.Log, axis: axis - 1,
		outer: tensor.Numel(xs[1:axis]), size: xs[axis], inner: tensor.Numel(xs[axis+1:])}, nil
})

var _ = register(func(s *site, op *graph.Flatten) (layer, error) {
	xs := s.xs
	if !op.ChannelsLast {
		if ys := s.shapes[s.n.Outputs[0]]; xs.Elems() != ys.Elems() || ys[0] != xs[0] {
			return nil, fmt.Errorf("%w: flatten across the batch", errUnsupported)
		}
		return s.alias()
	}
	return &flattenCLLayer{nt: s.nt, x: s.x, y: s.out(0), c: xs[1], plane: xs[2] * xs[3]}, nil
})

var (
	_ = register(func(s *site, _ *graph.Reshape) (layer, error) { return s.alias() })
	_ = register(func(s *site, _ *graph.Identity) (layer, error) { return s.alias() })
)

var _ = register(func(s *site, op *graph.Dropout) (layer, error) {
	if op.Ratio < 0 || op.Ratio >= 1 {
		return nil, fmt.Errorf("dropout ratio %v is outside [0, 1)", op.Ratio)
	}
	y := s.out(0)
	return &dropoutLayer{nt: s.nt, x: s.x, y: y, ratio: op.Ratio, id: uint64(s.idx), mask: make([]float32, len(y.data))}, nil
})

var _ = register(func(s *site, op *graph.BatchNorm) (layer, error) {
	xs := s.xs
	if len(xs) < 2 {
		return nil, fmt.Errorf("BatchNorm needs channels, got %v", xs)
	}
	mean, variance := s.n.Param("mean"), s.n.Param("var")
	l := &bnLayer{nt: s.nt, x: s.x, y: s.out(0), c: xs[1], plane: tensor.Numel(xs[2:]), eps: op.Epsilon,
		scale: s.nt.newParam(s.n, "scale", false), bias: s.nt.newParam(s.n, "bias", false), mean: mean.Data, variance: variance.Data}
	l.init()
	return l, nil
})

var _ = register(func(s *site, op *graph.LRN) (layer, error) {
	xs := s.xs
	if len(xs) != 4 {
		return nil, fmt.Errorf("LRN needs an NCHW input, got %v", xs)
	}
	s.nt.f64Len = max(s.nt.f64Len, 2*xs[1])
	return &lrnLayer{nt: s.nt, x: s.x, y: s.out(0), c: xs[1], plane: xs[2] * xs[3], op: *op}, nil
})

var _ = register(func(s *site, op *graph.Eltwise) (layer, error) {
	return newEltwise(s.nt, op, s.ins, s.out(0), s.shapes, s.n)
})

var _ = register(func(s *site, op *graph.Concat) (layer, error) {
	xs := s.xs
	axis, err := imageAxis(op.Axis, len(xs), "concatenation along")
	if err != nil {
		return nil, err
	}
	l := &concatLayer{nt: s.nt, xs: s.ins, y: s.out(0), outer: tensor.Numel(xs[1:axis])}
	inner := tensor.Numel(xs[axis+1:])
	for _, name := range s.n.Inputs {
		l.sizes = append(l.sizes, s.shapes[name][axis]*inner)
	}
	return l, nil
})

// imageAxis resolves an axis of a batch-first shape of the given rank;
// training runs each image separately, so it cannot work along the batch
// axis ("softmax over", "concatenation along" the batch axis).
func imageAxis(axis, rank int, what string) (int, error) {
	a, err := graph.NormAxis(axis, rank)
	if err != nil {
		return 0, err
	}
	if a == 0 {
		return 0, fmt.Errorf("%w: %s the batch axis", errUnsupported, what)
	}
	return a, nil
}

// geom is the per-image geometry: the trainer runs each image separately.
func geom(xs []int, w graph.Window, oc, oh, ow int) tensor.ConvGeom {
	g := engine.Geom(xs, w, oc, oh, ow)
	g.N = 1
	return g
}

// nopLayer is an operator whose output aliases its input.
type nopLayer struct{}

func (nopLayer) forward()  {}
func (nopLayer) backward() {}
