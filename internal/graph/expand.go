package graph

import "fmt"

// Expand broadcasts its input to Shape (NumPy rules; ONNX Expand with the
// shape resolved at import).
type Expand struct {
	Shape Shape
}

func (e *Expand) Kind() string { return "Expand" }

func (e *Expand) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "Expand"); err != nil {
		return nil, err
	}
	out, err := Broadcast(in[0], e.Shape)
	if err != nil {
		return nil, fmt.Errorf("Expand: %w", err)
	}
	return []Shape{out}, nil
}

func (e *Expand) ParamShapes([]Shape) map[string]Shape { return nil }
func (e *Expand) Cost(in, out []Shape) Cost            { return Cost{} }

// Traits of Expand: a copy; the batch stays first when the rank does not
// grow.
func (e *Expand) Traits() Traits { return Traits{Family: FamilyShape, KeepsBatch: true} }
