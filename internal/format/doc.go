// Package format is the registry of model file formats, in the manner of
// Go's image package: each adapter (format/tfjs, format/caffe, format/onnx)
// registers itself in an init function with a sniffer and a loader, and
// Open picks the adapter whose sniffer recognises the file's name and first
// bytes. Programs import the adapters they want for their side effect:
//
//	import _ "github.com/convscope/convscope/internal/format/tfjs"
//
// Loaders read through an fs.FS so that a format made of several files
// (TF.js model.json plus weight shards, a prototxt plus its .caffemodel)
// finds its siblings, whether they are on disk or in an upload held in
// memory. Adapters do not import each other. An error at a place in a text
// file is a *SyntaxError (line and column); an error about a layer is a
// *graph.NodeError: callers read both with errors.As.
//
// Options.Input is the one way an input size reaches a graph: each loader
// gives it to its first input (FillInput), filling the sizes the file leaves
// free (ONNX dim_param, Keras null) and checking it against those it fixes
// (a Caffe prototxt's declared size is replaced). A free size left without
// it is a *FreeSizeError that names --input and input= and suggests a size.
package format
