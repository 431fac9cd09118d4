package graph

import "fmt"

// A NodeError is an error about one node of a graph (a layer of a model
// file): errors.As finds the node's name in a wrapped error, for example to
// show where the node is defined. Its message is Err's, which names the
// node itself.
type NodeError struct {
	Node string // the node's (layer's) name
	Err  error
}

func (e *NodeError) Error() string { return e.Err.Error() }
func (e *NodeError) Unwrap() error { return e.Err }

// NodeErrorf returns a NodeError about node with the message of
// fmt.Errorf(format, args...) (%w wraps as usual).
func NodeErrorf(node, format string, args ...any) error {
	return &NodeError{Node: node, Err: fmt.Errorf(format, args...)}
}
