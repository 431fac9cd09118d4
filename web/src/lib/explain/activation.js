// Element-wise activations of the ReLU formula view.

/**
 * activate applies an activation (attrs.func of an activation layer, or
 * the op name) to x; returns null for functions the view does not know
 * (the view then shows the run's value only).
 */
export function activate(func, x, { alpha = 0, beta = 0 } = {}) {
  switch (func) {
    case 'Relu':
      return Math.max(0, x);
    case 'LeakyRelu':
      return x >= 0 ? x : alpha * x;
    case 'Relu6':
      return Math.min(6, Math.max(0, x));
    case 'Clip':
      return Math.min(beta, Math.max(alpha, x));
    case 'Sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'Tanh':
      return Math.tanh(x);
    default:
      return null;
  }
}
