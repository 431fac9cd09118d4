package graph

import "fmt"

// DynamicQuantize is ONNX DynamicQuantizeLinear: it quantizes its input to
// uint8 with a scale and zero point computed from the input's range
// (widened to include 0), and outputs the quantized tensor (integers in
// [0, 255], held as float32), the scale and the zero point (scalars):
//
//	scale = (max(x, 0) − min(x, 0)) / 255   (1 when the range is empty)
//	zero  = round(clamp(−min(x, 0) / scale, 0, 255))
//	y     = clamp(round(x / scale) + zero, 0, 255)
//
// rounding half to even, in float32 (tensor.DynamicQuantize).
type DynamicQuantize struct{}

func (d *DynamicQuantize) Kind() string { return "DynamicQuantizeLinear" }

func (d *DynamicQuantize) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "DynamicQuantizeLinear"); err != nil {
		return nil, err
	}
	return []Shape{append(Shape{}, in[0]...), {}, {}}, nil
}

func (d *DynamicQuantize) ParamShapes([]Shape) map[string]Shape { return nil }

// Cost: the range (two comparisons an element), then a division, a
// rounding addition and a clamp (two comparisons) an element.
func (d *DynamicQuantize) Cost(in, out []Shape) Cost {
	n := int64(in[0].Elems())
	return Cost{Comparisons: 4 * n, Divisions: n, Additions: n}
}

// Traits of DynamicQuantize: each output element depends on the whole
// input's range, so it is neither element- nor channel-wise.
func (d *DynamicQuantize) Traits() Traits {
	return Traits{Family: FamilyNorm, KeepsBatch: true}
}

// Quantize is ONNX QuantizeLinear with one scale and zero point (per
// tensor): y = clamp(round(x / Scale) + Zero, Lo, Hi), rounding half to
// even ([Lo, Hi] = [0, 255] for uint8, [−128, 127] for int8). The values
// stay float32 (exact integers); a DequantizeLinear after it is a scale
// and shift (Power).
type Quantize struct {
	Scale, Zero, Lo, Hi float32
}

func (q *Quantize) Kind() string { return "QuantizeLinear" }

func (q *Quantize) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "QuantizeLinear"); err != nil {
		return nil, err
	}
	if !(q.Scale > 0) || q.Lo > q.Hi {
		return nil, fmt.Errorf("QuantizeLinear: scale %g must be positive and the range [%g, %g] not empty", q.Scale, q.Lo, q.Hi)
	}
	return []Shape{append(Shape{}, in[0]...)}, nil
}

func (q *Quantize) ParamShapes([]Shape) map[string]Shape { return nil }

// Cost: a division, a rounding addition and a clamp an element.
func (q *Quantize) Cost(in, out []Shape) Cost {
	n := int64(in[0].Elems())
	return Cost{Divisions: n, Additions: n, Comparisons: 2 * n}
}

// Traits of Quantize: channel-wise (each value on its own); not marked
// element-wise, which would let analyze's memory model assume it runs in
// place as the element-wise ops of the traits' tables do.
func (q *Quantize) Traits() Traits {
	return Traits{Family: FamilyNorm, Channelwise: true, KeepsBatch: true}
}
