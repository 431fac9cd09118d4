package tfjs

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// foldable are the ops computed at import time when their inputs are
// constants (shape arithmetic: Shape → StridedSlice → Pack → Reshape).
var foldable = map[string]bool{
	"Shape": true, "Cast": true, "Pack": true, "ConcatV2": true, "StridedSlice": true,
	"ExpandDims": true, "Squeeze": true, "Reshape": true, "Add": true, "AddV2": true,
	"Sub": true, "Mul": true, "RealDiv": true, "Maximum": true, "Minimum": true,
	"FloorDiv": true, "Prod": true, "Fill": true, "Neg": true, "Floor": true,
}

// fold computes n when it is foldable and its inputs are constants (Shape:
// when its input's shape is known), and records the result as a constant.
func (b *gbuilder) fold(n *gNode) (bool, error) {
	if !foldable[n.Op] {
		return false, nil
	}
	ins := b.dataInputs(n)
	var cs []*graph.Tensor
	for i := range ins {
		v, err := b.in(n, i)
		if err != nil {
			return false, err
		}
		if n.Op == "Shape" && v.c == nil {
			s := make([]float32, len(v.shape))
			for k, d := range v.shape {
				s[k] = float32(d)
			}
			b.setConst(n.Name, &graph.Tensor{Shape: []int{len(s)}, Data: s})
			return true, nil
		}
		if v.c == nil {
			return false, nil
		}
		cs = append(cs, v.c)
	}
	if len(cs) == 0 {
		return false, nil
	}
	t, err := b.foldOp(n, cs)
	if err != nil {
		return false, err
	}
	if err := b.budget.Take(4*int64(len(t.Data)), fmt.Sprintf("the folded constant %q", n.Name)); err != nil {
		return false, err
	}
	b.setConst(n.Name, t)
	return true, nil
}

func scalarT(v float32) *graph.Tensor { return &graph.Tensor{Shape: []int{}, Data: []float32{v}} }

// checkedShape returns a shape from a constant's values, refusing
// negative, fractional or too large ones.
func checkedShape(vals []float32) (graph.Shape, error) {
	s := make(graph.Shape, len(vals))
	n := int64(1)
	for i, f := range vals {
		d := int64(f)
		if float32(d) != f || d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("shape %v", vals)
		}
		if d > 0 && n > graph.DefaultLimits.MaxTensorElems/d {
			return nil, fmt.Errorf("shape %v is too large", vals)
		}
		n *= d
		s[i] = int(d)
	}
	return s, nil
}

func (b *gbuilder) foldOp(n *gNode, cs []*graph.Tensor) (*graph.Tensor, error) {
	x := cs[0]
	switch n.Op {
	case "Cast":
		out := &graph.Tensor{Shape: x.Shape, Data: append([]float32(nil), x.Data...)}
		switch n.Attr["DstT"].Type {
		case "DT_INT32", "DT_INT64":
			for i, v := range out.Data {
				out.Data[i] = float32(math.Trunc(float64(v)))
			}
		case "DT_BOOL":
			for i, v := range out.Data {
				if v != 0 {
					out.Data[i] = 1
				}
			}
		}
		return out, nil
	case "Neg", "Floor":
		out := &graph.Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
		for i, v := range x.Data {
			if n.Op == "Neg" {
				out.Data[i] = -v
			} else {
				out.Data[i] = float32(math.Floor(float64(v)))
			}
		}
		return out, nil
	case "Pack":
		axis := int(n.integer("axis", 0))
		r := len(x.Shape)
		if axis < 0 {
			axis += r + 1
		}
		if axis < 0 || axis > r {
			return nil, fmt.Errorf("axis %d out of range", n.integer("axis", 0))
		}
		var parts []*graph.Tensor
		for _, c := range cs {
			if !graph.Shape(c.Shape).Equal(x.Shape) {
				return nil, fmt.Errorf("Pack of shapes %v and %v", graph.Shape(x.Shape), graph.Shape(c.Shape))
			}
			s := append(append(append([]int{}, c.Shape[:axis]...), 1), c.Shape[axis:]...)
			parts = append(parts, &graph.Tensor{Shape: s, Data: c.Data})
		}
		return concatConst(parts, axis)
	case "ConcatV2":
		at := cs[len(cs)-1]
		if len(at.Data) != 1 || len(cs) < 2 {
			return nil, fmt.Errorf("ConcatV2 axis %v", at.Data)
		}
		axis, err := graph.NormAxis(int(at.Data[0]), len(x.Shape))
		if err != nil {
			return nil, err
		}
		return concatConst(cs[:len(cs)-1], axis)
	case "ExpandDims", "Squeeze", "Reshape":
		var to graph.Shape
		var err error
		switch n.Op {
		case "Reshape":
			if len(cs) < 2 {
				return nil, fmt.Errorf("Reshape needs a shape")
			}
			to, err = reshapeTarget(x.Shape, cs[1].Data)
		case "Squeeze":
			if to = squeezed(x.Shape, n.ints("squeeze_dims")); to == nil && len(x.Shape) > 0 {
				err = fmt.Errorf("squeeze_dims %v of shape %v", n.ints("squeeze_dims"), graph.Shape(x.Shape))
			}
		default:
			if len(cs) < 2 || len(cs[1].Data) != 1 {
				return nil, fmt.Errorf("ExpandDims needs one axis")
			}
			a := int(cs[1].Data[0])
			if a < 0 {
				a += len(x.Shape) + 1
			}
			if a < 0 || a > len(x.Shape) {
				return nil, fmt.Errorf("axis %v out of range", cs[1].Data)
			}
			to = append(append(append(graph.Shape{}, x.Shape[:a]...), 1), x.Shape[a:]...)
		}
		if err != nil {
			return nil, err
		}
		return &graph.Tensor{Shape: to, Data: x.Data}, nil
	case "Prod":
		if len(cs) < 2 || len(x.Shape) != 1 || len(cs[1].Data) > 1 {
			return nil, unsupported("Prod of a constant of shape %v", graph.Shape(x.Shape))
		}
		p := float32(1)
		for _, v := range x.Data {
			p *= v
		}
		if n.boolean("keep_dims") {
			return &graph.Tensor{Shape: []int{1}, Data: []float32{p}}, nil
		}
		return scalarT(p), nil
	case "Fill":
		if len(cs) < 2 || len(cs[1].Data) != 1 {
			return nil, fmt.Errorf("Fill needs a shape and one value")
		}
		s, err := checkedShape(x.Data)
		if err != nil {
			return nil, err
		}
		if err := b.budget.Take(4*int64(s.Elems()), fmt.Sprintf("Fill %q", n.Name)); err != nil {
			return nil, err
		}
		d := make([]float32, s.Elems())
		for i := range d {
			d[i] = cs[1].Data[0]
		}
		return &graph.Tensor{Shape: s, Data: d}, nil
	case "StridedSlice":
		return stridedSlice(n, cs)
	}
	// Binary arithmetic.
	if len(cs) != 2 {
		return nil, fmt.Errorf("%s needs 2 inputs", n.Op)
	}
	y := cs[1]
	out, err := graph.Broadcast(x.Shape, y.Shape)
	if err != nil {
		return nil, err
	}
	if _, err := checkedShape(toFloats(out)); err != nil {
		return nil, err
	}
	if err := b.budget.Take(4*int64(out.Elems()), fmt.Sprintf("the folded constant %q", n.Name)); err != nil {
		return nil, err
	}
	d := make([]float32, out.Elems())
	ops := map[string]tensor.Binary{"Add": tensor.BinAdd, "AddV2": tensor.BinAdd, "Sub": tensor.BinSub,
		"Mul": tensor.BinMul, "RealDiv": tensor.BinDiv, "FloorDiv": tensor.BinDiv, "Maximum": tensor.BinMax, "Minimum": tensor.BinMin}
	tensor.Broadcast(d, x.Data, x.Shape, y.Data, y.Shape, out, ops[n.Op], 1, 1)
	if n.Op == "FloorDiv" {
		for i, v := range d {
			d[i] = float32(math.Floor(float64(v)))
		}
	}
	return &graph.Tensor{Shape: out, Data: d}, nil
}

func toFloats(s []int) []float32 {
	f := make([]float32, len(s))
	for i, d := range s {
		f[i] = float32(d)
	}
	return f
}

// concatConst joins constants along axis.
func concatConst(parts []*graph.Tensor, axis int) (*graph.Tensor, error) {
	first := parts[0].Shape
	out := append([]int(nil), first...)
	out[axis] = 0
	for _, p := range parts {
		if len(p.Shape) != len(first) {
			return nil, fmt.Errorf("concatenation of shapes %v and %v", graph.Shape(first), graph.Shape(p.Shape))
		}
		for d := range first {
			if d != axis && p.Shape[d] != first[d] {
				return nil, fmt.Errorf("concatenation of shapes %v and %v", graph.Shape(first), graph.Shape(p.Shape))
			}
		}
		out[axis] += p.Shape[axis]
	}
	outer := graph.Shape(first[:axis]).Elems()
	d := make([]float32, graph.Shape(out).Elems())
	srcs := make([][]float32, len(parts))
	sizes := make([]int, len(parts))
	for i, p := range parts {
		srcs[i] = p.Data
		sizes[i] = graph.Shape(p.Shape[axis:]).Elems()
	}
	tensor.Concat(d, srcs, outer, sizes)
	return &graph.Tensor{Shape: out, Data: d}, nil
}

// stridedSlice folds a StridedSlice of a rank-1 constant (shape vectors).
func stridedSlice(n *gNode, cs []*graph.Tensor) (*graph.Tensor, error) {
	if len(cs) != 4 {
		return nil, fmt.Errorf("StridedSlice needs 4 inputs")
	}
	x := cs[0]
	if len(x.Shape) != 1 || len(cs[1].Data) != 1 || len(cs[2].Data) != 1 || len(cs[3].Data) != 1 ||
		n.integer("ellipsis_mask", 0) != 0 || n.integer("new_axis_mask", 0) != 0 {
		return nil, unsupported("StridedSlice of a constant of shape %v", graph.Shape(x.Shape))
	}
	size := len(x.Data)
	begin, end, stride := int(cs[1].Data[0]), int(cs[2].Data[0]), int(cs[3].Data[0])
	if stride == 0 {
		return nil, fmt.Errorf("StridedSlice with stride 0")
	}
	clamp := func(i, lo, hi int) int { return min(max(i, lo), hi) }
	norm := func(i int) int {
		if i < 0 {
			i += size
		}
		return i
	}
	if n.integer("shrink_axis_mask", 0)&1 != 0 {
		i := norm(begin)
		if i < 0 || i >= size {
			return nil, fmt.Errorf("StridedSlice index %d of %d values", begin, size)
		}
		return scalarT(x.Data[i]), nil
	}
	var lo, hi int
	if stride > 0 {
		lo, hi = clamp(norm(begin), 0, size), clamp(norm(end), 0, size)
		if n.integer("begin_mask", 0)&1 != 0 {
			lo = 0
		}
		if n.integer("end_mask", 0)&1 != 0 {
			hi = size
		}
	} else {
		lo, hi = clamp(norm(begin), -1, size-1), clamp(norm(end), -1, size-1)
		if n.integer("begin_mask", 0)&1 != 0 {
			lo = size - 1
		}
		if n.integer("end_mask", 0)&1 != 0 {
			hi = -1
		}
	}
	var d []float32
	for i := lo; (stride > 0 && i < hi) || (stride < 0 && i > hi); i += stride {
		d = append(d, x.Data[i])
	}
	return &graph.Tensor{Shape: []int{len(d)}, Data: d}, nil
}
