package graph

import "fmt"

// ReduceFunc names a reduction.
type ReduceFunc string

const (
	ReduceMean      ReduceFunc = "Mean"
	ReduceMax       ReduceFunc = "Max"
	ReduceMin       ReduceFunc = "Min"
	ReduceSum       ReduceFunc = "Sum"
	ReduceProd      ReduceFunc = "Prod"
	ReduceL1        ReduceFunc = "L1"        // Σ|x|
	ReduceL2        ReduceFunc = "L2"        // √Σx²
	ReduceSumSquare ReduceFunc = "SumSquare" // Σx²
	ReduceLogSumExp ReduceFunc = "LogSumExp" // ln Σeˣ
)

// Reduce reduces its input over Axes (negative counts from the end; empty:
// every axis) with Func (ONNX Reduce*). KeepDims keeps the reduced axes
// with size 1. Global pooling over the spatial axes of a map is Pool, not
// this.
type Reduce struct {
	Func     ReduceFunc
	Axes     []int
	KeepDims bool
}

func (r *Reduce) Kind() string { return "Reduce" + string(r.Func) }

// Resolve returns, for a rank-n input, whether each axis is reduced.
func (r *Reduce) Resolve(rank int) ([]bool, error) {
	red := make([]bool, rank)
	if len(r.Axes) == 0 {
		for i := range red {
			red[i] = true
		}
		return red, nil
	}
	for _, a := range r.Axes {
		ax, err := NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if red[ax] {
			return nil, fmt.Errorf("axis %d is given twice in %v", a, r.Axes)
		}
		red[ax] = true
	}
	return red, nil
}

func (r *Reduce) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, r.Kind()); err != nil {
		return nil, err
	}
	switch r.Func {
	case ReduceMean, ReduceMax, ReduceMin, ReduceSum, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSumExp:
	default:
		return nil, fmt.Errorf("unknown reduction %q", r.Func)
	}
	red, err := r.Resolve(len(in[0]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Kind(), err)
	}
	out := Shape{}
	for i, d := range in[0] {
		switch {
		case !red[i]:
			out = append(out, d)
		case r.KeepDims:
			out = append(out, 1)
		}
		if red[i] && d == 0 && (r.Func == ReduceMax || r.Func == ReduceMin) {
			return nil, fmt.Errorf("%s over an empty axis", r.Kind())
		}
	}
	return []Shape{out}, nil
}

func (r *Reduce) ParamShapes([]Shape) map[string]Shape { return nil }

func (r *Reduce) Cost(in, out []Shape) Cost {
	n := int64(in[0].Elems())
	switch r.Func {
	case ReduceMax, ReduceMin:
		return Cost{Comparisons: n}
	case ReduceMean:
		return Cost{Additions: n, Divisions: int64(out[0].Elems())}
	case ReduceLogSumExp:
		return Cost{Additions: n, Exponentials: n}
	case ReduceL2, ReduceSumSquare, ReduceProd:
		return Cost{MACs: n}
	}
	return Cost{Additions: n}
}

// Traits of Reduce: a reduction over the batch axis (0, or every axis)
// loses it. A negative axis is taken as not the batch (the rank is not
// known here); importers give it normalised.
func (r *Reduce) Traits() Traits {
	keeps := len(r.Axes) > 0
	for _, a := range r.Axes {
		if a == 0 {
			keeps = false
		}
	}
	return Traits{Family: FamilyPool, KeepsBatch: keeps}
}
