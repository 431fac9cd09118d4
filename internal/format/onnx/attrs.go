package onnx

import (
	"fmt"
	"math"
)

// Attribute accessors. An absent attribute gives the default. A wrong one
// (of another type, out of range) does not fail in place: like
// bufio.Scanner, the ctx keeps the first such error (attrErr) and the
// accessor answers the default, so a converter reads its attributes
// without a check after each. The importer reports that error in place of
// whatever the converter returns, which is what stopping at the failed read
// would have reported: until then the converter saw only valid values.

// fail records the first attribute error.
func (c *ctx) fail(err error) {
	if c.attrErr == nil {
		c.attrErr = err
	}
}

// attr returns the attribute name when present and of type want, else nil
// (recording an error when it has another type).
func (c *ctx) attr(name string, want AttributeProto_AttributeType) *AttributeProto {
	a, ok := c.attrs[name]
	if !ok {
		return nil
	}
	if t := a.GetType(); t != AttributeProto_UNDEFINED && t != want {
		c.fail(fmt.Errorf("attribute %s is of type %s, expected %s", name, t, want))
		return nil
	}
	return a
}

func (c *ctx) hasAttr(name string) bool { _, ok := c.attrs[name]; return ok }

// int reads an INT attribute, which must fit in ±2³¹.
func (c *ctx) int(name string, def int) int {
	a := c.attr(name, AttributeProto_INT)
	if a == nil {
		return def
	}
	v := a.GetI()
	if v > math.MaxInt32 || v < math.MinInt32 {
		c.fail(fmt.Errorf("attribute %s = %d is out of range", name, v))
		return def
	}
	return int(v)
}

// ints reads an INTS attribute (nil when absent); each value must fit in
// ±2³¹.
func (c *ctx) ints(name string) []int {
	a := c.attr(name, AttributeProto_INTS)
	if a == nil {
		return nil
	}
	v, err := smallInts(a.GetInts(), "attribute "+name)
	if err != nil {
		c.fail(err)
	}
	return v
}

func smallInts(v []int64, what string) ([]int, error) {
	out := make([]int, len(v))
	for i, x := range v {
		if x > math.MaxInt32 || x < math.MinInt32 {
			return nil, fmt.Errorf("%s: %d is out of range", what, x)
		}
		out[i] = int(x)
	}
	return out, nil
}

func (c *ctx) float(name string, def float32) float32 {
	if a := c.attr(name, AttributeProto_FLOAT); a != nil {
		return a.GetF()
	}
	return def
}

func (c *ctx) floats(name string) []float32 {
	if a := c.attr(name, AttributeProto_FLOATS); a != nil {
		return a.GetFloats()
	}
	return nil
}

func (c *ctx) str(name, def string) string {
	if a := c.attr(name, AttributeProto_STRING); a != nil {
		return string(a.GetS())
	}
	return def
}

// tensorAttr reads a TENSOR attribute (nil when absent).
func (c *ctx) tensorAttr(name string) *Tensor {
	a := c.attr(name, AttributeProto_TENSOR)
	if a == nil {
		return nil
	}
	if a.T == nil {
		c.fail(fmt.Errorf("attribute %s holds no tensor", name))
		return nil
	}
	t, err := decodeTensor(a.T, c.imp.ext, c.imp.budget)
	if err != nil {
		c.fail(fmt.Errorf("attribute %s: %w", name, err))
		return nil
	}
	return t
}
