package graph

import (
	"fmt"
	"maps"
	"slices"
)

// InferShapes computes the shape of every value for the given batch size
// (the graph inputs' batch dimension is replaced by batch when it is
// dynamic). It checks that present parameters have the shapes the operators
// expect and that no value exceeds DefaultLimits.
func (g *Graph) InferShapes(batch int) (map[string]Shape, error) {
	return g.infer(batch, false)
}

// InferPartial is InferShapes for a graph that may hold operators convscope
// cannot infer (Unknown nodes): their outputs, and the outputs of every node
// that reads one, are absent from the map; every other value has its shape.
// Errors of the nodes it can infer are reported as by InferShapes.
func (g *Graph) InferPartial(batch int) (map[string]Shape, error) {
	return g.infer(batch, true)
}

func (g *Graph) infer(batch int, partial bool) (map[string]Shape, error) {
	if batch <= 0 {
		batch = 1
	}
	shapes := make(map[string]Shape, len(g.Nodes)+len(g.Inputs))
	var total int64
	for _, in := range g.Inputs {
		s := append(Shape(nil), in.Shape...)
		if len(s) > 0 && s[0] < 0 {
			s[0] = batch
		}
		for _, d := range s {
			if d < 0 {
				return nil, fmt.Errorf("input %q has an unknown size %v: give its shape", in.Name, in.Shape.PerImage())
			}
		}
		if err := checkDims(s); err != nil {
			return nil, fmt.Errorf("input %q: %w", in.Name, err)
		}
		shapes[in.Name] = s
	}
	skipped := map[string]bool{} // values of skipped nodes (partial)
nodes:
	for _, n := range g.Nodes {
		in := make([]Shape, len(n.Inputs))
		for i, name := range n.Inputs {
			s, ok := shapes[name]
			if !ok {
				if partial && skipped[name] {
					for _, o := range n.Outputs {
						skipped[o] = true
					}
					continue nodes
				}
				return nil, NodeErrorf(n.Name, "node %q reads %q before it is computed", n.Name, name)
			}
			in[i] = s
		}
		if _, ok := n.Op.(*Unknown); ok && partial {
			for _, o := range n.Outputs {
				skipped[o] = true
			}
			continue
		}
		out, err := n.Op.Infer(in)
		if err != nil {
			return nil, NodeErrorf(n.Name, "node %q (%s): %w", n.Name, n.Type, err)
		}
		if len(out) < len(n.Outputs) {
			return nil, NodeErrorf(n.Name, "node %q (%s) has %d outputs, its operator produces %d", n.Name, n.Type, len(n.Outputs), len(out))
		}
		for i, name := range n.Outputs {
			for _, d := range out[i] {
				if d < 0 {
					return nil, NodeErrorf(n.Name, "node %q (%s): output shape %v has a negative dimension", n.Name, n.Type, out[i])
				}
			}
			if err := checkDims(out[i]); err != nil {
				return nil, NodeErrorf(n.Name, "node %q (%s): output %w", n.Name, n.Type, err)
			}
			total += int64(out[i].Elems())
			if total > DefaultLimits.MaxTotalActElem {
				return nil, NodeErrorf(n.Name, "node %q (%s): the activations of one pass exceed %d elements", n.Name, n.Type, DefaultLimits.MaxTotalActElem)
			}
			shapes[name] = out[i]
		}
		want := n.Op.ParamShapes(in)
		for name, t := range n.Params {
			w, ok := want[name]
			if !ok {
				return nil, NodeErrorf(n.Name, "node %q (%s) has an unexpected parameter %q", n.Name, n.Type, name)
			}
			if !Shape(t.Shape).Equal(w) {
				return nil, NodeErrorf(n.Name, "node %q (%s): parameter %q has shape %v, expected %v", n.Name, n.Type, name, Shape(t.Shape), w)
			}
		}
	}
	return shapes, nil
}

// HasWeights reports whether every node carries every parameter its
// operator needs, i.e. whether the graph can be executed. The error names the
// first node that lacks one.
func (g *Graph) HasWeights(shapes map[string]Shape) error {
	for _, n := range g.Nodes {
		in := make([]Shape, len(n.Inputs))
		for i, name := range n.Inputs {
			in[i] = shapes[name]
		}
		// In a fixed order (the same message every time), the weight first.
		names := slices.Sorted(maps.Keys(n.Op.ParamShapes(in)))
		if i := slices.Index(names, "weight"); i > 0 {
			names = append([]string{"weight"}, slices.Delete(names, i, i+1)...)
		}
		for _, name := range names {
			if n.Param(name) == nil {
				return &NodeError{Node: n.Name, Err: &MissingWeightsError{Node: n.Name, Type: n.Type, Param: name}}
			}
		}
	}
	return nil
}

// MissingWeightsError is HasWeights' error: a node lacks a parameter its
// operator needs (a structure-only file, such as a Caffe prototxt without
// its caffemodel). Callers that know the file add how to give the weights.
type MissingWeightsError struct {
	Node, Type, Param string
}

func (e *MissingWeightsError) Error() string {
	return fmt.Sprintf("node %q (%s) has no %q parameter: the model defines structure only", e.Node, e.Type, e.Param)
}
