// Package zoo holds the networks convscope ships: builders that produce
// graph IR for known architectures (Tiny VGG; the classic-network presets)
// and the embedded default model with its class names and example images.
//
// # Conventions
//
//   - Builders return a validated *graph.Graph in NCHW with parameters
//     initialised deterministically from a seed (He-uniform for conv and
//     dense weights, zero biases, unit BatchNorm scale and variance), so
//     training and tests are reproducible. Presets can also be built as
//     structure only (no parameters), which is all shape inference and
//     analysis need; Count works on either.
//   - Presets (presets.go lists them; one file per family) are written from
//     the definition they cite in docs/presets.md, and a test holds their
//     parameter and MAC counts to the published figures there. Node names
//     follow that definition: Caffe prototxt layer names for Caffe networks
//     (so they can be compared layer by layer with ../shared/reference/caffe),
//     torchvision or Cadene/timm module paths for PyTorch ones. Node.Type is
//     the Caffe layer type ("Convolution", "Pooling", "BatchNorm", …).
//   - Caffe networks pool with ceiling rounding and count padding in
//     average pools; PyTorch and Keras networks round down.
//   - Everything embedded here was made by this project: the default model's
//     weights come from `convscope train` (see the README for the command).
package zoo
