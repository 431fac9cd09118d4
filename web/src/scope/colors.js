// Colours of the Scope graph: one hue per family of operators, so that the
// structure of a network (convolutions, pooling, merges, dense head) shows
// at a glance. Pure.

/** FAMILIES: the families in legend order, each with its box fill, border and text colour. */
export const FAMILIES = [
  { id: 'input', fill: '#e8eaed', stroke: '#80868b' },
  { id: 'conv', fill: '#dbe8fb', stroke: '#3f78c9' },
  { id: 'pool', fill: '#dff1e3', stroke: '#3d9a57' },
  { id: 'norm', fill: '#f3e9d7', stroke: '#b8873a' },
  { id: 'act', fill: '#fbe1dc', stroke: '#c9503a' },
  { id: 'merge', fill: '#ece3f6', stroke: '#8256b8' },
  { id: 'dense', fill: '#fde7c7', stroke: '#d9822b' },
  { id: 'shape', fill: '#eef0f2', stroke: '#9aa0a6' },
  { id: 'output', fill: '#e3f3f5', stroke: '#2a8f9c' },
];

const BY_OP = {
  Input: 'input',
  Conv: 'conv', ConvTranspose: 'conv',
  MaxPool: 'pool', AveragePool: 'pool', GlobalMaxPool: 'pool', GlobalAveragePool: 'pool',
  BatchNorm: 'norm', LRN: 'norm', Affine: 'norm', Power: 'norm',
  Relu: 'act', LeakyRelu: 'act', Sigmoid: 'act', Tanh: 'act', Elu: 'act', Selu: 'act', Clip: 'act',
  Softplus: 'act', HardSigmoid: 'act', Relu6: 'act', PRelu: 'act',
  Add: 'merge', Sub: 'merge', Mul: 'merge', Div: 'merge', Max: 'merge', Min: 'merge', Sum: 'merge', Concat: 'merge',
  Dense: 'dense', MatMul: 'dense',
  Flatten: 'shape', Reshape: 'shape', Dropout: 'shape', Identity: 'shape', Transpose: 'shape', Pad: 'shape',
  Slice: 'shape', Crop: 'shape', Resize: 'shape', Constant: 'shape',
  Softmax: 'output',
};

const byId = new Map(FAMILIES.map((f) => [f.id, f]));

/** family gives the family id of an operator ('shape' for an unknown one). */
export function family(op) {
  return BY_OP[op] ?? 'shape';
}

/** colours gives {fill, stroke} of an operator's family. */
export function colours(op) {
  return byId.get(family(op));
}

/** familyColours gives {fill, stroke} of a family id. */
export function familyColours(id) {
  return byId.get(id) ?? byId.get('shape');
}
