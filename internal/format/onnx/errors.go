package onnx

import "fmt"

// UnsupportedError reports an operator (or a form of one) that the importer
// cannot map to the IR. Callers that must say which operator a model needs
// (the conformance runner) find it with errors.As.
type UnsupportedError struct {
	Node string // the node's name, or its first output when it has none
	// Op is the ONNX operator type, with its domain when not ai.onnx; empty
	// when the unsupported feature is not an operator's (Node then names a
	// graph input).
	Op     string
	Detail string // what about it is unsupported, when the operator itself is known
}

func (e *UnsupportedError) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("input %q: unsupported: %s", e.Node, e.Detail)
	}
	if e.Detail == "" {
		return fmt.Sprintf("node %q: unsupported ONNX operator %s", e.Node, e.Op)
	}
	return fmt.Sprintf("node %q: unsupported ONNX operator %s: %s", e.Node, e.Op, e.Detail)
}
