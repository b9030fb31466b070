/**
 * The activation functions of `dlbook.numpy.activations` and their derivatives, for one
 * float64 number at a time. Each one follows its NumPy original case by case (the kinks
 * of ReLU and leaky ReLU, NaN, -0.0, overflow), so the browser draws the same curves.
 */

import { fixed, signedTerm } from "./format.js";

/** Below -ln(largest float64) = -709.78..., e^-x overflows: sigmoid is exactly 0 there (as in PyTorch). */
const SIGMOID_ZERO_BELOW = -Math.log(Number.MAX_VALUE);
/** Leaky ReLU's slope for x <= 0 (PyTorch's default negative_slope). */
export const NEGATIVE_SLOPE = 0.01;

/** sigma(x) = 1 / (1 + e^-x), computed from e^-|x| <= 1 so it never overflows. */
export function sigmoid(x) {
  const e = Math.exp(-Math.abs(x));
  const s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
  return x < SIGMOID_ZERO_BELOW ? 0 : s;
}

/** sigma'(x) = sigma(x) (1 - sigma(x)), at most 1/4. */
export function sigmoidDerivative(x) {
  const s = sigmoid(x);
  return s * (1 - s);
}

/** tanh(x) = (e^x - e^-x) / (e^x + e^-x). */
export const tanh = Math.tanh;

/** tanh'(x) = 1 - tanh(x)^2. */
export function tanhDerivative(x) {
  const t = Math.tanh(x);
  return 1 - t * t;
}

/** relu(x) = max(0, x); -0.0 and NaN pass through. */
export function relu(x) {
  return x < 0 ? 0 : x;
}

/** relu'(x) = 1 if x > 0 else 0 (0 at the kink, 1 at NaN, as PyTorch's autograd). */
export function reluDerivative(x) {
  return x <= 0 ? 0 : 1;
}

/** leaky_relu(x) = x if x > 0 else alpha x. */
export function leakyRelu(x) {
  return x > 0 ? x : x * NEGATIVE_SLOPE;
}

/** leaky_relu'(x) = 1 if x > 0 else alpha. */
export function leakyReluDerivative(x) {
  return x > 0 ? 1 : NEGATIVE_SLOPE;
}

/** Heaviside step: 1 if x > 0 else 0; NaN stays NaN. */
export function step(x) {
  return Number.isNaN(x) ? x : x > 0 ? 1 : 0;
}

/** The identity f(x) = x. */
export function identity(x) {
  return x;
}

/** Every activation by its name in `dlbook.numpy.activations.ACTIVATIONS`. */
export const ACTIVATIONS = {
  sigmoid,
  tanh,
  relu,
  leaky_relu: leakyRelu,
  step,
  identity,
};

/** The derivative of each differentiable activation, as `dlbook.numpy.activations.DERIVATIVES`. */
export const DERIVATIVES = {
  sigmoid: sigmoidDerivative,
  tanh: tanhDerivative,
  relu: reluDerivative,
  leaky_relu: leakyReluDerivative,
};

function lookup(kind, table, name) {
  if (!Object.hasOwn(table, name)) {
    throw new Error(`unknown ${kind} ${JSON.stringify(name)}; choose one of ${Object.keys(table).join(", ")}`);
  }
  return table[name];
}

/** The activation called `name`. */
export function getActivation(name) {
  return lookup("activation", ACTIVATIONS, name);
}

/** The derivative of the activation called `name`. */
export function getDerivative(name) {
  return lookup("activation derivative", DERIVATIVES, name);
}

/**
 * One neuron on scalar inputs xs: y = f(w x + b) and its slope dy/dx = w f'(w x + b)
 * (`dlbook.numpy.neuron_curve`). Returns {y, slope}, arrays like xs.
 */
export function neuronCurve(xs, w, b, activation) {
  const f = getActivation(activation);
  const df = getDerivative(activation);
  const y = new Float64Array(xs.length);
  const slope = new Float64Array(xs.length);
  xs.forEach((x, i) => {
    const z = w * x + b;
    y[i] = f(z);
    slope[i] = w * df(z);
  });
  return { y, slope };
}


/**
 * The activation explorer's read-out for y = f(w x + b) over the inputs xs, word for word
 * `dlbook.widgets.activations.neuron_readout`: the centre x = -b/w (where z = 0), the
 * steepest slope and the outputs' span; with w = 0 the output is the constant f(b).
 */
export function neuronReadout(xs, w, b, activation) {
  const formula = `${activation}(${fixed(w, 1)}·x ${signedTerm(b, 1)})`;
  if (w === 0) {
    const constant = getActivation(activation)(b);
    return `${formula}: w = 0, so the output is the constant ${activation}(${fixed(b, 1)}) = ${fixed(constant, 3)}`;
  }
  const { y, slope } = neuronCurve(xs, w, b, activation);
  const steepest = slope.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return `${formula}: centre (z = 0) at x = −b/w = ${fixed(-b / w + 0, 2)}; `
    + `steepest slope |dy/dx| = ${fixed(steepest, 3)}; `
    + `outputs from ${fixed(Math.min(...y), 3)} to ${fixed(Math.max(...y), 3)} `
    + `for x in [${fixed(xs[0], 0)}, ${fixed(xs.at(-1), 0)}]`;
}
