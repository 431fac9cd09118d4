// Package zoo holds the networks convscope ships: builders that produce
// graph IR for known architectures (Tiny VGG; the classic-network presets)
// and the embedded default model with its class names and example images.
//
// # Conventions
//
//   - Builders return a validated *graph.Graph in NCHW with parameters
//     initialised deterministically from a seed (He-uniform for conv and
//     dense weights, zero biases), so training and tests are reproducible.
//   - Everything embedded here was made by this project: the default model's
//     weights come from `convscope train` (see the README for the command).
package zoo
