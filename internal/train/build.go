package train

import (
	"fmt"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// build creates the layer of node n and its output values.
func (nt *Net) build(n *graph.Node, shapes map[string]graph.Shape) (layer, error) {
	if len(n.Inputs) == 0 {
		return nil, errUnsupported
	}
	ins := make([]*value, len(n.Inputs))
	for i, name := range n.Inputs {
		ins[i] = nt.vals[name]
	}
	x := ins[0]
	xs := shapes[n.Inputs[0]]
	idx := len(nt.layers)
	out := func(i int) *value { return nt.newValue(n.Outputs[i], shapes[n.Outputs[i]], idx) }
	if len(n.Outputs) != 1 {
		return nil, fmt.Errorf("%w (%d outputs)", errUnsupported, len(n.Outputs))
	}
	switch op := n.Op.(type) {
	case *graph.Conv:
		if len(xs) != 4 {
			return nil, fmt.Errorf("Conv needs an NCHW input, got %v", xs)
		}
		win, oh, ow, err := op.Window.Resolve(xs[2], xs[3], false)
		if err != nil {
			return nil, err
		}
		l := &convLayer{nt: nt, x: x, y: out(0), geo: geom(xs, win, op.OutChannels, oh, ow)}
		l.groups = max(1, op.Groups)
		l.geo.Groups = l.groups
		l.w = nt.newParam(n, "weight", true)
		l.b = nt.newParam(n, "bias", false)
		l.init()
		return l, nil
	case *graph.Dense:
		return &denseLayer{nt: nt, x: x, y: out(0), w: nt.newParam(n, "weight", true), b: nt.newParam(n, "bias", false), units: op.Units}, nil
	case *graph.Pool:
		if len(xs) != 4 {
			return nil, fmt.Errorf("pooling needs an NCHW input, got %v", xs)
		}
		win, oh, ow, err := op.Resolve(xs[2], xs[3])
		if err != nil {
			return nil, err
		}
		l := &poolLayer{nt: nt, x: x, y: out(0), geo: geom(xs, win, xs[1], oh, ow), max: op.Type == graph.MaxPool,
			inclPad: op.CountIncludePad, padB: win.Pads[2], padR: win.Pads[3]}
		l.geo.N = 1
		if l.max {
			l.arg = make([]int32, nt.max*l.y.per)
		}
		return l, nil
	case *graph.Activation:
		f, alpha, beta, ok := engine.Activation(op)
		if !ok {
			return nil, fmt.Errorf("%w: activation %q", errUnsupported, op.Func)
		}
		return &actLayer{nt: nt, x: x, y: out(0), f: f, alpha: alpha, beta: beta}, nil
	case *graph.Softmax:
		axis, err := graph.NormAxis(op.Axis, len(xs))
		if err != nil {
			return nil, err
		}
		if axis == 0 {
			return nil, fmt.Errorf("%w: softmax over the batch axis", errUnsupported)
		}
		return &softmaxLayer{nt: nt, x: x, y: out(0), log: op.Log, axis: axis - 1,
			outer: tensor.Numel(xs[1:axis]), size: xs[axis], inner: tensor.Numel(xs[axis+1:])}, nil
	case *graph.Flatten:
		if !op.ChannelsLast {
			if xs.Elems() != shapes[n.Outputs[0]].Elems() || shapes[n.Outputs[0]][0] != xs[0] {
				return nil, fmt.Errorf("%w: flatten across the batch", errUnsupported)
			}
			nt.aliasValue(n.Outputs[0], shapes[n.Outputs[0]], x)
			return nopLayer{}, nil
		}
		return &flattenCLLayer{nt: nt, x: x, y: out(0), c: xs[1], plane: xs[2] * xs[3]}, nil
	case *graph.Reshape:
		nt.aliasValue(n.Outputs[0], shapes[n.Outputs[0]], x)
		return nopLayer{}, nil
	case *graph.Identity:
		nt.aliasValue(n.Outputs[0], shapes[n.Outputs[0]], x)
		return nopLayer{}, nil
	case *graph.Dropout:
		if op.Ratio < 0 || op.Ratio >= 1 {
			return nil, fmt.Errorf("dropout ratio %v is outside [0, 1)", op.Ratio)
		}
		y := out(0)
		return &dropoutLayer{nt: nt, x: x, y: y, ratio: op.Ratio, id: uint64(idx), mask: make([]float32, len(y.data))}, nil
	case *graph.BatchNorm:
		if len(xs) < 2 {
			return nil, fmt.Errorf("BatchNorm needs channels, got %v", xs)
		}
		mean, variance := n.Param("mean"), n.Param("var")
		l := &bnLayer{nt: nt, x: x, y: out(0), c: xs[1], plane: tensor.Numel(xs[2:]), eps: op.Epsilon,
			scale: nt.newParam(n, "scale", false), bias: nt.newParam(n, "bias", false), mean: mean.Data, variance: variance.Data}
		l.init()
		return l, nil
	case *graph.LRN:
		if len(xs) != 4 {
			return nil, fmt.Errorf("LRN needs an NCHW input, got %v", xs)
		}
		nt.f64Len = max(nt.f64Len, 2*xs[1])
		return &lrnLayer{nt: nt, x: x, y: out(0), c: xs[1], plane: xs[2] * xs[3], op: *op}, nil
	case *graph.Eltwise:
		return newEltwise(nt, op, ins, out(0), shapes, n)
	case *graph.Concat:
		axis, err := graph.NormAxis(op.Axis, len(xs))
		if err != nil {
			return nil, err
		}
		if axis == 0 {
			return nil, fmt.Errorf("%w: concatenation along the batch axis", errUnsupported)
		}
		l := &concatLayer{nt: nt, xs: ins, y: out(0), outer: tensor.Numel(xs[1:axis])}
		inner := tensor.Numel(xs[axis+1:])
		for _, name := range n.Inputs {
			l.sizes = append(l.sizes, shapes[name][axis]*inner)
		}
		return l, nil
	}
	return nil, fmt.Errorf("%w %s", errUnsupported, n.Op.Kind())
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
