// Package graph is convscope's one model representation (IR): a directed
// acyclic graph of nodes, each applying one operator to named values.
//
// Every importer (TF.js, Caffe, ONNX) and every preset builder produces a
// *Graph; shape inference and cost analysis read it; the engine executes it;
// the web UI renders it. This package imports no other convscope package: it
// knows nothing of files, execution or HTTP.
//
// # Conventions
//
//   - Layout is canonical NCHW. Every shape in this package is a full shape
//     with the batch dimension first ([N, C, H, W] for feature maps, [N, F]
//     for vectors). Shape.PerImage drops the batch dimension.
//   - Element type is float32.
//   - A value is named by a string. A graph input is a value; every node
//     produces one or more values (Node.Outputs). Nodes whose output names
//     equal their own name are the common case, but not required.
//   - Parameters live on the node that uses them (Node.Params), keyed by the
//     names documented on each operator type: "weight", "bias", "scale",
//     "mean", "var", "slope".
//   - Conv and Dense weights are stored output-major, as in Caffe, ONNX and
//     PyTorch: Conv weight [Cout, Cin/groups, KH, KW], Dense weight [Out, In].
//     Importers of channels-last formats (Keras/TF.js) transpose on import.
//   - Padding is explicit: Pads = [top, left, bottom, right]. AutoPad
//     ("SAME_UPPER", "SAME_LOWER", "VALID") is resolved by shape inference
//     from the input size, and the resolved pads are returned by
//     (*Conv).Resolve and (*Pool).Resolve so that every consumer uses the same
//     numbers.
//   - Graph.Nodes is kept in topological order by Validate.
//   - An error about one node is a *NodeError (NodeErrorf), in graph and in
//     the packages that build or run graphs, so that callers find the node's
//     name with errors.As (the server places it in the uploaded text).
//     Names hands out unique node and value names to importers.
//
// Each operator is one struct in ops.go or ops_ext.go implementing Op: its
// attributes, its shape rule, its cost formula and its traits (traits.go:
// the facts other parts and the web UI need, such as whether it is a view)
// live together there. Executing an operator is the engine's business.
package graph
