/**
 * The perceptron of `dlbook.numpy.perceptron`: z = w . x + b and ŷ = f(z), for one input x
 * or for many (the grid behind the decision regions, the data set).
 */
import { getActivation } from "./activations.js";
import { fixed, percent } from "./format.js";

/** The pre-activation z = x1 w1 + x2 w2 + b of one input x = [x1, x2]. */
export function weightedSum(x, w, b) {
  return x[0] * w[0] + x[1] * w[1] + b;
}

/** The output ŷ = f(w . x + b) of one input x. */
export function perceptron(x, w, b, activation) {
  return getActivation(activation)(weightedSum(x, w, b));
}

/** The outputs for many inputs X, as a Float64Array. */
export function perceptronMany(X, w, b, activation) {
  const f = getActivation(activation);
  return Float64Array.from(X, (x) => f(weightedSum(x, w, b)));
}

/** The class the perceptron assigns to x: 1 where w . x + b > 0, else 0. */
export function predictClass(x, w, b) {
  return weightedSum(x, w, b) > 0 ? 1 : 0;
}

/** The fraction of the points X whose label y the perceptron predicts. */
export function perceptronAccuracy(X, y, w, b) {
  const correct = X.reduce((count, x, i) => count + (predictClass(x, w, b) === y[i] ? 1 : 0), 0);
  return correct / X.length;
}

/** Colour limits for a map of the outputs: the activation's range, or the outputs' own spread. */
export const OUTPUT_RANGE = { sigmoid: [0, 1], step: [0, 1], tanh: [-1, 1] };

export function outputRange(activation, outputs) {
  if (Object.hasOwn(OUTPUT_RANGE, activation)) return OUTPUT_RANGE[activation];
  const spread = outputs.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  return [-spread, spread];
}

/** The explorer's read-out, word for word `dlbook.widgets.perceptron.perceptron_readout`. */
export function perceptronReadout({ X, y, w, b, activation, x }) {
  const z = weightedSum(x, w, b);
  const output = perceptron(x, w, b, activation);
  const accuracy = perceptronAccuracy(X, y, w, b);
  return `z = w·x + b = ${fixed(z, 3)}; ŷ = ${activation}(z) = ${fixed(output, 3)}; `
    + `accuracy on the data: ${percent(accuracy, 0)}`;
}
