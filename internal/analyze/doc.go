// Package analyze computes static statistics of a graph.Graph — shapes,
// parameters, arithmetic and memory — without running it (it never imports
// the engine). It is what Netscope's analyzer computes, for any format
// convscope reads.
//
// # Conventions
//
// Every number is per image: the graph's input shapes get a batch of 1,
// whatever batch the model file states (a Caffe deploy file often says 10).
// Shapes are reported without the batch dimension. Values are float32
// (BytesPerElem = 4).
//
// Report.Layers lists each graph input first (Type and Kind "Input"), then
// every node in topological order with its name, its type as written in the
// source file (graph.Node.Type), its canonical operator (Op.Kind), its
// input and output values and their shapes.
//
// Parameters. Params counts learnable parameters: every parameter of a node
// except the fixed statistics "mean" and "var" of BatchNorm. They are read
// from the node's tensors when it has them and from Op.ParamShapes
// otherwise, so a structure-only model (a prototxt without its caffemodel)
// is counted the same. A Caffe BatchNorm layer is a graph.BatchNorm with
// NoAffine (mean and var only: 0 learnable), and the Scale layer that
// follows it is a graph.Affine with scale and bias: the pair counts 2·C, as
// Netscope and the papers count it. ParamBytes is the storage of all
// parameters, statistics included (4 bytes each).
//
// Arithmetic. MACs (multiply-accumulates) are counted for the operators
// that are products of matrices; bias additions are not counted:
//
//	Conv          out_elems · (C_in/groups) · KH · KW
//	ConvTranspose in_elems · (C_out/groups) · KH · KW
//	Dense         out_elems · in_elems_per_image    (Caffe InnerProduct)
//	MatMul        out_elems · K                     (K = inner dimension)
//
// Everything else is reported separately in Cost, from each operator's
// Cost method (graph/ops.go): max pooling n·(k−1) comparisons; average
// pooling n·(k−1) additions and n divisions (k = window size, n = output
// elements); ReLU-like activations n comparisons; sigmoid, tanh, ELU and
// power n exponentials; softmax n exponentials, additions and divisions;
// BatchNorm n additions and n divisions; Affine n additions; LRN n·size
// additions, n divisions and n exponentials; element-wise operators
// n·(inputs−1) additions, comparisons or divisions; bilinear resizing 4n
// additions. Shape-only operators (Concat, Flatten, Reshape, Slice, Crop,
// Transpose, Dropout, Identity) cost nothing.
//
// Activations. ActivationElems/Bytes of a layer are the sizes of its
// outputs; the report's totals add them over all layers, inputs included.
//
// Peak memory. PeakActivationBytes simulates a batch-1 forward pass in the
// topological order of Graph.Nodes with a memory planner that frees each
// value after its last use:
//   - a value is live from the step that produces it (graph inputs: from
//     the start) through the step of its last consumer; a value nothing
//     reads dies at the step that makes it; graph outputs stay live to the
//     end;
//   - while a node computes, its inputs and its new outputs are live
//     together; the peak is the largest such sum (or the inputs alone);
//   - aliases share memory: the output of a view (graph.Traits.View:
//     Identity, Dropout, Reshape, Flatten in NCHW order) is its input's
//     buffer, and an element-wise operator (Traits.Elementwise:
//     activations, PRelu, BatchNorm, Affine, Power) overwrites its input in place when that input has no later reader
//     and is not a graph output — exactly Caffe's in-place layers (ReLU,
//     BatchNorm, Scale on their own bottom). A shared buffer lives until
//     the last use of every value in it. Layer.Shared marks these layers.
//
// Parameters are not part of the activation memory.
package analyze
