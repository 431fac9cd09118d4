package graph

import (
	"errors"
	"fmt"
	"sort"
)

// Unknown stands for an operator of the source file that convscope cannot
// infer or run. Importers that load a model for viewing (Options.Partial
// in format/onnx, every format's file loader) keep such a layer as a node
// of this op, so that the graph, the other layers' shapes and the
// parameter count stay available. Its outputs have no known shape: shape
// inference (InferPartial) skips it and every node that depends on it, and
// InferShapes, hence the engine, refuses the graph with an
// UnsupportedOpError naming the operator.
type Unknown struct {
	// Type is the operator's type as written in the source file.
	Type string
	// Attrs are its attributes, as text, for display.
	Attrs map[string]string
	// Supported marks an operator convscope knows that is kept unknown
	// only because it reads the output of an unsupported one (its input
	// shapes are unknown); Graph.Unsupported does not list it.
	Supported bool
}

func (u *Unknown) Kind() string { return u.Type }

func (u *Unknown) Infer([]Shape) ([]Shape, error) {
	return nil, &UnsupportedOpError{Op: u.Type}
}

// ParamShapes is nil: the parameters the node carries are whatever the
// file gave it.
func (u *Unknown) ParamShapes([]Shape) map[string]Shape { return nil }
func (u *Unknown) Cost(in, out []Shape) Cost            { return Cost{} }
func (u *Unknown) Traits() Traits                       { return Traits{Family: FamilyShape} }

// UnsupportedOpError reports an operator convscope can show but not infer
// or run.
type UnsupportedOpError struct {
	Op string
}

func (e *UnsupportedOpError) Error() string {
	return fmt.Sprintf("operator %s is not supported (convscope shows it but cannot infer its shapes or run it)", e.Op)
}

// Unsupported lists the operator types of the graph's Unknown nodes,
// sorted and without repetition (nil when there is none).
func (g *Graph) Unsupported() []string {
	seen := map[string]bool{}
	var ops []string
	for _, n := range g.Nodes {
		if u, ok := n.Op.(*Unknown); ok && !u.Supported && !seen[u.Type] {
			seen[u.Type] = true
			ops = append(ops, u.Type)
		}
	}
	sort.Strings(ops)
	return ops
}

// IsUnsupported reports whether err is (or wraps) an UnsupportedOpError.
func IsUnsupported(err error) bool {
	var u *UnsupportedOpError
	return errors.As(err, &u)
}
