package graph

import "fmt"

// StepSlice takes Count entries of axis Axis starting at Start, Step apart
// (negative: backwards): ONNX Slice with a step other than 1 (YOLOv5's
// Focus layer takes every second row and column).
type StepSlice struct {
	Axis, Start, Step, Count int
}

func (s *StepSlice) Kind() string { return "StepSlice" }

func (s *StepSlice) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "StepSlice"); err != nil {
		return nil, err
	}
	axis, err := NormAxis(s.Axis, len(in[0]))
	if err != nil {
		return nil, fmt.Errorf("StepSlice: %w", err)
	}
	n := in[0][axis]
	last := s.Start + (s.Count-1)*s.Step
	if s.Step == 0 || s.Count <= 0 || s.Start < 0 || s.Start >= n || last < 0 || last >= n {
		return nil, fmt.Errorf("StepSlice of %d entries from %d by %d leaves an axis of %d", s.Count, s.Start, s.Step, n)
	}
	out := append(Shape(nil), in[0]...)
	out[axis] = s.Count
	return []Shape{out}, nil
}

func (s *StepSlice) ParamShapes([]Shape) map[string]Shape { return nil }
func (s *StepSlice) Cost(in, out []Shape) Cost            { return Cost{} }

// Traits of StepSlice: slicing the batch axis loses it.
func (s *StepSlice) Traits() Traits {
	return Traits{Family: FamilyShape, Channelwise: s.Axis > 1, KeepsRange: true, KeepsBatch: s.Axis != 0}
}
