package onnx

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// The operators of shape sub-graphs (exporters compute sizes with Shape,
// Gather, comparisons, Where, Range, Expand): folded when their operands
// are known at import time. Expand also runs on runtime values.

var compareKinds = map[string]binaryKind{
	"Equal": binEqual, "Less": binLess, "Greater": binGreater, "LessOrEqual": binLessEq,
	"GreaterOrEqual": binGreaterEq, "And": binAnd, "Or": binOr,
}

// convCompare folds a comparison or logical operation of constants.
func convCompare(c *ctx) error {
	a, b := c.static(0), c.static(1)
	if a == nil || b == nil {
		return c.unsupported("operands that are not constants (comparisons are folded at import only)")
	}
	t, err := c.imp.binaryStatic(a, b, compareKinds[c.op])
	if err != nil {
		return err
	}
	return c.setStatic(0, t)
}

// convNot folds the logical negation of a constant.
func convNot(c *ctx) error {
	x := c.static(0)
	if x == nil {
		return c.unsupported("an operand that is not a constant (Not is folded at import only)")
	}
	t, err := c.imp.newTensor(TensorProto_BOOL, x.Shape)
	if err != nil {
		return err
	}
	for i := 0; i < t.Len(); i++ {
		if x.at(i) == 0 {
			t.Ints[i] = 1
		}
	}
	return c.setStatic(0, t)
}

// convWhere folds where(cond, x, y) of constants, with broadcasting.
func convWhere(c *ctx) error {
	cond, x, y := c.static(0), c.static(1), c.static(2)
	if cond == nil || x == nil || y == nil {
		return c.unsupported("operands that are not constants (Where is folded at import only)")
	}
	if x.IsFloat() != y.IsFloat() {
		return fmt.Errorf("x (%s) and y (%s) differ in type", x.Type, y.Type)
	}
	out, err := graph.Broadcast(cond.Shape, x.Shape)
	if err == nil {
		out, err = graph.Broadcast(out, y.Shape)
	}
	if err != nil {
		return err
	}
	t, err := c.imp.newTensor(x.Type, out)
	if err != nil {
		return err
	}
	sc, sx, sy := tensor.BroadcastStrides(cond.Shape, out), tensor.BroadcastStrides(x.Shape, out), tensor.BroadcastStrides(y.Shape, out)
	eachIndex(out, func(i int, idx []int) {
		ic, ix, iy := 0, 0, 0
		for d, v := range idx {
			ic += v * sc[d]
			ix += v * sx[d]
			iy += v * sy[d]
		}
		if cond.at(ic) != 0 {
			copyElem(t, i, x, ix)
		} else {
			copyElem(t, i, y, iy)
		}
	})
	return c.setStatic(0, t)
}

// convRange folds Range(start, limit, delta) of constant scalars.
func convRange(c *ctx) error {
	var v [3]*Tensor
	for i, what := range []string{"start", "limit", "delta"} {
		t, err := c.require(i, "the "+what)
		if err != nil {
			return err
		}
		if t.Len() != 1 {
			return fmt.Errorf("%s of shape %v is not a scalar", what, graph.Shape(t.Shape))
		}
		v[i] = t
	}
	start, limit, delta := v[0].at(0), v[1].at(0), v[2].at(0)
	if delta == 0 {
		return fmt.Errorf("delta is 0")
	}
	n := int(math.Max(math.Ceil((limit-start)/delta), 0))
	t, err := c.imp.newTensor(v[0].Type, []int{n})
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		t.set(i, start+float64(i)*delta)
	}
	return c.setStatic(0, t)
}

// convExpand broadcasts input 0 to the shape of input 1 (a constant):
// folded for a constant input, else the IR's Expand.
func convExpand(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	shape, err := c.intsInput(1, "the shape")
	if err != nil {
		return err
	}
	out, err := graph.Broadcast(x.shape, shape)
	if err != nil {
		return err
	}
	if x.c != nil {
		zeros, err := c.imp.newTensor(x.c.Type, out)
		if err != nil {
			return err
		}
		t, err := c.imp.binaryStatic(x.c, zeros, binAdd)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	return c.unary(&graph.Expand{Shape: out})
}
