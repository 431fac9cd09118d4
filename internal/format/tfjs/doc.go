// Package tfjs reads and writes TensorFlow.js "layers models" (model.json +
// binary weight shards, as written by tfjs-converter or model.save) into the
// graph IR.
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
//   - Write emits a Sequential model when the graph is a chain and a
//     functional Model otherwise, one shard, float32 weights.
package tfjs
