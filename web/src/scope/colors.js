// Colours of the Scope graph: one hue per family of operators, so that the
// structure of a network (convolutions, pooling, merges, dense head) shows
// at a glance. A layer's family is its traits.family, sent by the server
// (docs/api.md). Pure.

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

const byId = new Map(FAMILIES.map((f) => [f.id, f]));

/**
 * family gives the family id of a layer, graph node or summary row (anything
 * with the server's traits): 'shape' for one without a known family.
 */
export function family(layer) {
  const f = layer?.traits?.family;
  return byId.has(f) ? f : 'shape';
}

/** familyColours gives {fill, stroke} of a family id. */
export function familyColours(id) {
  return byId.get(id) ?? byId.get('shape');
}
