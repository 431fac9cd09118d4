// Operator traits as the server sends them with each layer (docs/api.md,
// "traits"), copied from its answers (GET /api/presets/{name},
// graph.nodes[].traits; the Go side is internal/graph/traits.go) for the
// hand-written models of the tests. Tests must not derive them from op names.
export const CONV = { family: 'conv', explain: 'conv', keeps_batch: true };
export const RELU = { family: 'act', elementwise: true, channelwise: true, keeps_range: true, foldable: true, explain: 'relu', keeps_batch: true };
export const SIGMOID = { family: 'act', elementwise: true, channelwise: true, foldable: true, explain: 'relu', keeps_batch: true };
/** MAXPOOL: MaxPool and AveragePool alike. */
export const MAXPOOL = { family: 'pool', channelwise: true, keeps_range: true, explain: 'pool', keeps_batch: true };
export const GLOBALPOOL = { family: 'pool', channelwise: true, keeps_range: true, keeps_batch: true };
export const BATCHNORM = { family: 'norm', elementwise: true, channelwise: true, keeps_range: true, foldable: true, keeps_batch: true };
export const ADD = { family: 'merge', channelwise: true, keeps_batch: true };
export const CONCAT = { family: 'merge', keeps_batch: true };
export const DROPOUT = { family: 'shape', view: true, passthrough: true, keeps_range: true, foldable: true, keeps_batch: true };
export const FLATTEN = { family: 'shape', view: true, passthrough: true, keeps_batch: true };
export const FLATTEN_CL = { family: 'shape', passthrough: true, keeps_batch: true };
export const DENSE = { family: 'dense', keeps_batch: true };
export const SOFTMAX = { family: 'output', keeps_batch: true };
export const INPUT = { family: 'input' };
/** PAD: Pad, Crop and Resize alike. */
export const PAD = { family: 'shape', channelwise: true, keeps_range: true, keeps_batch: true };
