package graph

import "fmt"

// Gather takes the entries Indices (negative: from the end) of axis Axis,
// in that order (ONNX Gather of a runtime tensor with constant indices; a
// rank-1 index list — other index shapes are reshaped by the importer).
type Gather struct {
	Axis    int
	Indices []int
}

func (g *Gather) Kind() string { return "Gather" }

// Resolve returns the indices within [0, n).
func (g *Gather) Resolve(n int) ([]int, error) {
	idx := make([]int, len(g.Indices))
	for i, k := range g.Indices {
		if k < 0 {
			k += n
		}
		if k < 0 || k >= n {
			return nil, fmt.Errorf("Gather index %d is out of range for a dimension of %d", g.Indices[i], n)
		}
		idx[i] = k
	}
	return idx, nil
}

func (g *Gather) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "Gather"); err != nil {
		return nil, err
	}
	axis, err := NormAxis(g.Axis, len(in[0]))
	if err != nil {
		return nil, fmt.Errorf("Gather: %w", err)
	}
	if len(g.Indices) == 0 {
		return nil, fmt.Errorf("Gather has no index")
	}
	if _, err := g.Resolve(in[0][axis]); err != nil {
		return nil, err
	}
	out := append(Shape(nil), in[0]...)
	out[axis] = len(g.Indices)
	return []Shape{out}, nil
}

func (g *Gather) ParamShapes([]Shape) map[string]Shape { return nil }
func (g *Gather) Cost(in, out []Shape) Cost            { return Cost{} }

// Traits of Gather: gathering along the batch axis loses it.
func (g *Gather) Traits() Traits {
	return Traits{Family: FamilyShape, KeepsRange: true, KeepsBatch: g.Axis != 0}
}
