package server

import (
	"bytes"
	"errors"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/caffe"
	"github.com/convscope/convscope/internal/graph"
)

// Placing an error in an uploaded text file (a Caffe prototxt), so that the
// Scope editor can mark the line it comes from.

// sourcePosition returns the 1-based line and column in src that err is
// about, or 0, 0: the position of a syntax error (format.SyntaxError), else,
// in a Caffe prototxt, the `name:` line of the layer the error is about
// (graph.NodeError).
func sourcePosition(src []byte, fmtName string, err error) (line, column int) {
	var se *format.SyntaxError
	if errors.As(err, &se) {
		return se.Line, se.Column
	}
	var ne *graph.NodeError
	if fmtName != "caffe" || !errors.As(err, &ne) || bytes.IndexByte(src, 0) >= 0 {
		return 0, 0 // binary: no lines to show
	}
	return caffe.LayerPosition(src, ne.Node)
}
