package onnx

import (
	"fmt"
	"math"
)

// Attribute accessors. A wrong attribute type is an error; an absent
// attribute gives the default.

func (c *ctx) attr(name string, want AttributeProto_AttributeType) (*AttributeProto, error) {
	a, ok := c.attrs[name]
	if !ok {
		return nil, nil
	}
	if t := a.GetType(); t != AttributeProto_UNDEFINED && t != want {
		return nil, fmt.Errorf("attribute %s is of type %s, expected %s", name, t, want)
	}
	return a, nil
}

func (c *ctx) hasAttr(name string) bool { _, ok := c.attrs[name]; return ok }

// int reads an INT attribute, which must fit in ±2³¹.
func (c *ctx) int(name string, def int) (int, error) {
	a, err := c.attr(name, AttributeProto_INT)
	if err != nil || a == nil {
		return def, err
	}
	v := a.GetI()
	if v > math.MaxInt32 || v < math.MinInt32 {
		return 0, fmt.Errorf("attribute %s = %d is out of range", name, v)
	}
	return int(v), nil
}

// ints reads an INTS attribute (nil when absent); each value must fit in
// ±2³¹.
func (c *ctx) ints(name string) ([]int, error) {
	a, err := c.attr(name, AttributeProto_INTS)
	if err != nil || a == nil {
		return nil, err
	}
	return smallInts(a.GetInts(), "attribute "+name)
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

func (c *ctx) float(name string, def float32) (float32, error) {
	a, err := c.attr(name, AttributeProto_FLOAT)
	if err != nil || a == nil {
		return def, err
	}
	return a.GetF(), nil
}

func (c *ctx) floats(name string) ([]float32, error) {
	a, err := c.attr(name, AttributeProto_FLOATS)
	if err != nil || a == nil {
		return nil, err
	}
	return a.GetFloats(), nil
}

func (c *ctx) str(name, def string) (string, error) {
	a, err := c.attr(name, AttributeProto_STRING)
	if err != nil || a == nil {
		return def, err
	}
	return string(a.GetS()), nil
}

// tensorAttr reads a TENSOR attribute (nil when absent).
func (c *ctx) tensorAttr(name string) (*Tensor, error) {
	a, err := c.attr(name, AttributeProto_TENSOR)
	if err != nil || a == nil {
		return nil, err
	}
	if a.T == nil {
		return nil, fmt.Errorf("attribute %s holds no tensor", name)
	}
	t, err := decodeTensor(a.T, c.imp.ext, c.imp.budget)
	if err != nil {
		return nil, fmt.Errorf("attribute %s: %w", name, err)
	}
	return t, nil
}
