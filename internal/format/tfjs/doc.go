// Package tfjs reads and writes TensorFlow.js "layers models" (model.json +
// binary weight shards, as written by tfjs-converter or model.save) into the
// graph IR, and reads TF.js "graph models" (format "graph-model": a
// TensorFlow GraphDef as JSON, gmodel.go).
//
// # Conventions
//
//   - Keras works channels-last (NHWC); the IR is NCHW. Conv kernels
//     [KH, KW, Cin, Cout] become [Cout, Cin, KH, KW]; Dense kernels [In, Out]
//     become [Out, In]; channel axes of Concatenate, BatchNormalization and
//     Softmax are remapped. Keras's Flatten walks (row, column, channel): it
//     becomes graph.Flatten{ChannelsLast: true}, so a following Dense keeps
//     its weights and results equal TensorFlow.js.
//   - A layer with a fused activation (Conv2D/Dense with activation "relu")
//     becomes two nodes: the layer, named as in the file, whose value is the
//     pre-activation, and the activation, named "<layer>_<activation>". The
//     model's logits are therefore the value of the last Dense node.
//   - Global pooling layers become a pool node "<layer>_pool" ([N, C, 1, 1])
//     and a Flatten named after the layer ([N, C]), as Keras outputs.
//   - Weights may be float32, int32, or quantized uint8/uint16/float16; they
//     are dequantized to float32 on load. Shards are read with size checks
//     against the manifest before anything is allocated.
//   - Graph models: every rank-4 TF value (NHWC) is an NCHW value of the
//     IR, other ranks keep TF's layout. Conv2D/DepthwiseConv2dNative
//     filters [KH, KW, Cin, Cout|M] become [Cout, Cin, KH, KW] (depthwise:
//     [C·M, 1, KH, KW], groups C); MatMul weights [In, Out] a Dense's
//     [Out, In]. _FusedConv2D, FusedDepthwiseConv2dNative and _FusedMatMul
//     become the layer (with its BiasAdd as bias) and a node for the fused
//     activation, "<layer>_<activation>"; a BiasAdd/Add of a per-channel
//     constant right after a bias-less conv or dense layer becomes its bias.
//     Mean over H and W is a global pool (+ Flatten without keep_dims); a
//     Reshape, Squeeze or ExpandDims that changes the rank is a Reshape when
//     the data order allows, Keras's channels-last Flatten for
//     [N, H, W, C] → [N, H·W·C], else a Transpose to NHWC and back.
//     relu6(x + 3)·(1/6) is a HardSigmoid and x times it a HardSwish
//     (MobileNetV3 as Keras writes it).
//     TF 1's atrous convolution, SpaceToBatchND → conv → BatchToSpaceND
//     (DeepLab, BodyPix), is one dilated convolution.
//     Shape, StridedSlice, Pack, ConcatV2, Cast, Fill and arithmetic on
//     constants are folded at import. Identity and a Cast to float pass
//     through. Any other op (or form of one) is kept as graph.Unknown, and
//     every node reading it. Node names are the TF scopes without the
//     SavedModel/TF-Hub wrappers, the scope all nodes share and, for a node
//     alone in its scope, its op ("MobilenetV2/expanded_conv_1/depthwise").
//     The outputs are the signature's (in userDefinedMetadata or at the top
//     level), else the nodes nothing reads, in TF.js's order.
//   - Write emits a Sequential model when the graph is a chain and a
//     functional Model otherwise, one shard, float32 weights.
package tfjs
