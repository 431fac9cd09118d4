package graph

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
