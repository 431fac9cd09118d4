// Package onnx imports ONNX models (.onnx, a serialized ModelProto) into
// convscope's IR. It registers itself with the format registry as "onnx":
// the sniffer accepts the .onnx extension, or leading bytes that decode as a
// ModelProto starting with a plausible ir_version.
//
// # Conventions
//
//   - Decoding uses the protobuf runtime on a minimal schema, onnx.proto,
//     whose message, field and enum names and numbers are ONNX's own (the
//     protobuf package is convscope.onnx so it can never clash with another
//     copy of the schema). onnx.pb.go is generated from it by protoc (see
//     gen.go) and committed. Fields the importer does not read are dropped.
//   - Opsets: the version imported for the default domain selects the
//     semantics where they changed: Softmax/LogSoftmax before 13 normalise
//     over the input coerced to 2-D at axis (lowered to Reshape, Softmax,
//     Reshape); binary operators before 7 honour broadcast/axis; Clip, Pad,
//     Reshape, Slice, Split, Squeeze/Unsqueeze, Dropout and Resize read
//     their parameters from attributes or inputs as their opset says.
//     Operators of other domains are unsupported.
//   - Values known at import time (initializers, Constant, and everything
//     computed only from them, such as the ConstantOfShape weights of the
//     ONNX "light" models or PyTorch's Shape → Gather → Unsqueeze → Concat
//     chains) are folded: they become parameters of the nodes that use them
//     (Conv weight and bias, Gemm/MatMul B and C as a Dense layer,
//     BatchNormalization statistics, PRelu slopes) and never appear as nodes.
//     A folded value that a runtime operator reads (the constant operand of
//     an Add, say) becomes a graph.Const node. Initializers listed among the
//     graph inputs (IR version 3) are constants, not inputs.
//   - Operators whose operands must be static (Reshape's shape, Conv's
//     weight, Clip's bounds from opset 11, Pad's pads, Slice's starts, ...)
//     fail with an UnsupportedError when they are runtime values, unless
//     the operand is a graph input whose value Options.Known provides: then
//     that value is folded, and the input stays declared in Graph.Inputs and
//     must be fed the same value. This is what the ONNX backend tests need;
//     nothing else is folded from Known.
//   - Runtime operators map onto the IR's: 1-D convolution and pooling go
//     through height-1 reshapes; a PRelu slope that is neither one value nor
//     one per channel is lowered to Relu(x) + slope·Min(x, 0); Gemm with a
//     runtime B becomes MatMul plus element-wise scaling and addition;
//     Slice, Split and single-index Gather of runtime tensors become the
//     IR's Slice. Every node produces the ONNX value names it defines, so
//     ONNX output names are graph output names; auxiliary nodes are named
//     after their ONNX node with a suffix ("fc/transA").
//   - The engine computes in float32. Integer inputs are accepted where
//     that is exact (pooling, clipping, shape operators, Max/Min); integer
//     arithmetic at run time (uint8 Add wraps in ONNX) is reported as
//     unsupported. Quantized operators (ops_quant.go) compute their 8-bit
//     values as exact float32 integers: DynamicQuantizeLinear and
//     QuantizeLinear round as onnxruntime does; ConvInteger and
//     MatMulInteger convolve or multiply x − zero point with the constant
//     weight − its zero point (their int32 sums rounded once past 2^24);
//     DequantizeLinear of constant weights is folded. Zero-size tensors are unsupported: the IR reads a leading
//     0 as "any batch size".
//   - A symbolic first dimension of a graph input becomes the IR's dynamic
//     batch (-1); other symbolic dimensions take the first input's size
//     Options.Input (format.Options.Input: `--input C,H,W`, `input=` in the
//     API; it must agree with the fixed ones), else the import fails with
//     a *format.FreeSizeError that suggests one; Options.Shapes overrides
//     whole shapes. Shapes folded at import (the Shape operator) assume
//     batch 1 in that case.
//   - An unsupported operator, or form of one, is an *UnsupportedError
//     whose message names the node and the operator:
//     node "x": unsupported ONNX operator Foo.
//   - Untrusted input: every tensor's size is checked against its dims
//     (negative dimensions, overflowing products, raw_data lengths,
//     graph.DefaultLimits.MaxTensorElems) before anything is allocated, and
//     all tensor data one import decodes or computes is charged, in bytes
//     (4 a float element, 8 an integer one), to the import's format.Budget
//     (Options.Budget, else Options.MaxElems × 4 bytes) where it is
//     allocated: decodeTensor and newTensor. Files are read up to 2 GiB;
//     weights in external data files are read through the loader's fs.FS,
//     from the model's directory only, each byte range once.
package onnx
