/**
 * Softmax and cross-entropy as `dlbook.numpy` computes them, stable for any logits:
 * the maximum is subtracted first, so no exponential exceeds 1.
 */
import { fixed } from "./format.js";

/** z - max(z): every entry <= 0. */
function shifted(z) {
  const top = Math.max(...z);
  return z.map((v) => v - top);
}

/** softmax(z)_c = e^{z_c - m} / sum_j e^{z_j - m}, m = max_j z_j. */
export function softmax(z) {
  const e = shifted(z).map(Math.exp);
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

/** log softmax(z)_c = (z_c - m) - log sum_j e^{z_j - m}: finite where log(softmax) would be -inf. */
export function logSoftmax(z) {
  const s = shifted(z);
  const logTotal = Math.log(s.reduce((a, v) => a + Math.exp(v), 0));
  return s.map((v) => v - logTotal);
}

/** The cross-entropy of logits z for the true class t: -log softmax(z)_t (0, not -0, when certain). */
export function crossEntropy(z, t) {
  return 0 - logSoftmax(z)[t];
}

/** The three classes of the softmax explorer's made-up classifier. */
export const CLASS_NAMES = ["cat", "dog", "bird"];

/**
 * Probabilities softmax(z / T) and the loss -log softmax(z / T)_t
 * (`dlbook.widgets.softmax.softmax_readout`).
 */
export function softmaxWithTemperature(logits, temperature, trueClass) {
  if (!(temperature > 0)) throw new RangeError(`temperature must be positive, got ${temperature}`);
  const scaled = logits.map((v) => v / temperature);
  return { probabilities: softmax(scaled), loss: crossEntropy(scaled, trueClass) };
}

/** The read-out line, word for word `dlbook.widgets.softmax.softmax_readout_text`. */
export function softmaxReadout(logits, temperature, trueClass) {
  const { probabilities, loss } = softmaxWithTemperature(logits, temperature, trueClass);
  const listed = CLASS_NAMES.map((name, i) => `${name} ${fixed(probabilities[i], 3)}`).join(", ");
  return `softmax(z / T): ${listed}; cross-entropy for true class ${CLASS_NAMES[trueClass]}: `
    + `−log ${fixed(probabilities[trueClass], 3)} = ${fixed(loss, 3)}`;
}
