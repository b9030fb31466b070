/**
 * The two-layer network of `dlbook.numpy.mlp` and its training by mini-batch SGD
 * (`dlbook.numpy.training.train_mlp`), in float64, step for step:
 *
 *   Z1 = X W1 + b1,  H = f(Z1),  Z2 = H W2 + b2                      (forward)
 *   loss = mean_i (log sum_c e^{Z2_ic} - Z2_{i y_i}),  G = (softmax(Z2) - onehot(y)) / n
 *   dW2 = H^T G,  db2 = sum_i G_i,  delta = (G W2^T) * f'(Z1),
 *   dW1 = X^T delta,  db1 = sum_i delta_i                            (backward)
 *   dW <- dW + weightDecay * W  (weight matrices only; when weightDecay > 0)  (L2)
 *   theta <- theta - lr * dtheta                                      (SGD step)
 *
 * Matrices are Float64Arrays in row-major order; X is an array of rows.
 */
import { ACTIVATIONS, DERIVATIVES, leakyReluDerivative, reluDerivative, sigmoid } from "./activations.js";
import { PCG64 } from "./random.js";

/**
 * f'(z) written with the output h = f(z), as `dlbook.numpy.mlp` does: the backward
 * pass reuses the forward pass's H. ReLU and leaky ReLU keep the sign of their input.
 */
const DERIVATIVE_FROM_OUTPUT = {
  tanh: (h) => 1 - h * h,
  sigmoid: (h) => (1 - h) * h,
  relu: reluDerivative,
  leaky_relu: leakyReluDerivative,
};

/** The hidden activations a network can use (`dlbook.numpy.activations.DERIVATIVES`). */
export const HIDDEN_ACTIVATIONS = Object.keys(DERIVATIVES);

/** Raised when a NaN appears: the message names what held it, as `dlbook`'s ValueError does. */
export class DivergedError extends Error {}

function checkNoNaN(name, values) {
  if (values.some(Number.isNaN)) {
    throw new DivergedError(`${name} contains NaN; check the data or the step that produced it`);
  }
}

/**
 * Glorot-uniform weights and zero biases (`init_mlp`): each weight matrix (fan_in, fan_out)
 * from U(-a, a), a = sqrt(6 / (fan_in + fan_out)), W1 first, then W2, from the generator rng.
 */
export function initMlp(rng, nIn, nHidden, nOut) {
  const glorot = (fanIn, fanOut) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return Float64Array.from({ length: fanIn * fanOut }, () => rng.uniform(-a, a));
  };
  return {
    nIn, nHidden, nOut,
    W1: glorot(nIn, nHidden), b1: new Float64Array(nHidden),
    W2: glorot(nHidden, nOut), b2: new Float64Array(nOut),
  };
}

/** A copy of params (a training run never changes the network it started from). */
export function copyParams(params) {
  const { nIn, nHidden, nOut, W1, b1, W2, b2 } = params;
  return { nIn, nHidden, nOut, W1: W1.slice(), b1: b1.slice(), W2: W2.slice(), b2: b2.slice() };
}

/** Rows Y = A B + bias for A (rows x inner), B (inner x cols) row-major. */
function affine(A, rows, inner, B, cols, bias) {
  const Y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let k = 0; k < inner; k++) sum += A[i * inner + k] * B[k * cols + j];
      Y[i * cols + j] = sum + bias[j];
    }
  }
  return Y;
}

/** X as one row-major Float64Array of n rows. */
function flatten(X, nIn) {
  const flat = new Float64Array(X.length * nIn);
  X.forEach((row, i) => flat.set(row, i * nIn));
  return flat;
}

/** The forward pass for the rows X: {logits (n x nOut), H (n x nHidden), X (flat)}. */
export function mlpForward(params, X, activation) {
  const { nIn, nHidden, nOut, W1, b1, W2, b2 } = params;
  const f = ACTIVATIONS[activation];
  const flat = flatten(X, nIn);
  const H = affine(flat, X.length, nIn, W1, nHidden, b1).map(f);
  return { logits: affine(H, X.length, nHidden, W2, nOut, b2), H, X: flat, n: X.length };
}

/** The mean softmax cross-entropy of the logits (n x C) for the classes y, and its gradient G. */
export function softmaxCrossEntropy(logits, y, nClasses) {
  const n = y.length;
  const grad = new Float64Array(n * nClasses);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * nClasses, (i + 1) * nClasses);
    const top = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - top);
    const logSum = Math.log(sum);
    for (let c = 0; c < nClasses; c++) grad[i * nClasses + c] = Math.exp(row[c] - top - logSum);
    total += row[y[i]] - top - logSum;
    grad[i * nClasses + y[i]] -= 1;
  }
  for (let k = 0; k < grad.length; k++) grad[k] /= n;
  return { loss: -(total / n), grad };
}

/** The backward pass: gradients of the loss for every parameter, given G = dloss/dlogits. */
export function mlpBackward(params, forward, G, activation) {
  const { nIn, nHidden, nOut, W2 } = params;
  const { X, H, n } = forward;
  const derivative = DERIVATIVE_FROM_OUTPUT[activation];
  const delta = new Float64Array(n * nHidden);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nHidden; j++) {
      let sum = 0;
      for (let c = 0; c < nOut; c++) sum += G[i * nOut + c] * W2[j * nOut + c];
      delta[i * nHidden + j] = sum * derivative(H[i * nHidden + j]);
    }
  }
  const transposedProduct = (A, colsA, B, colsB) => {  // A^T B for A (n x colsA), B (n x colsB)
    const out = new Float64Array(colsA * colsB);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < colsA; a++) {
        const v = A[i * colsA + a];
        for (let b = 0; b < colsB; b++) out[a * colsB + b] += v * B[i * colsB + b];
      }
    }
    return out;
  };
  const columnSums = (A, cols) => {
    const out = new Float64Array(cols);
    for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) out[c] += A[i * cols + c];
    return out;
  };
  return {
    W1: transposedProduct(X, nIn, delta, nHidden), b1: columnSums(delta, nHidden),
    W2: transposedProduct(H, nHidden, G, nOut), b2: columnSums(G, nOut),
  };
}

const PARAM_NAMES = ["W1", "b1", "W2", "b2"];

/**
 * Weight decay (`dlbook.numpy.weight_decay.add_weight_decay`): the L2 penalty's gradient
 * weightDecay * W added to the weight matrices' gradients, in place; biases keep theirs.
 */
export function addWeightDecay(params, grads, weightDecay) {
  for (const name of ["W1", "W2"]) {
    const p = params[name];
    const g = grads[name];
    for (let k = 0; k < p.length; k++) g[k] += weightDecay * p[k];
  }
}

/** One SGD update theta <- theta - lr * grad, in place. */
export function sgdStep(params, grads, lr) {
  for (const name of PARAM_NAMES) {
    const p = params[name];
    const g = grads[name];
    for (let k = 0; k < p.length; k++) p[k] -= lr * g[k];
  }
}

/** The number of batches of one epoch: ceil(n / batchSize). */
export function stepsPerEpoch(n, batchSize) {
  return Math.ceil(n / batchSize);
}

/**
 * Mini-batch SGD on (X, y), one step at a time (`dlbook.numpy.training.train_mlp`), with
 * the weight decay weightDecay (0: none). Every epoch draws a permutation of the examples
 * from rng and cuts it into batches;
 * `step()` trains on the next batch and returns its loss before the update. It throws
 * DivergedError when a NaN appears (a learning rate far too large), at the step where
 * `dlbook` raises its ValueError.
 */
export class Trainer {
  constructor({ X, y, params, activation, lr, batchSize, epochs, rng, weightDecay = 0 }) {
    Object.assign(this, { X, y, activation, lr, batchSize, epochs, rng, weightDecay });
    this.params = copyParams(params);
    this.perEpoch = stepsPerEpoch(y.length, batchSize);
    this.total = epochs * this.perEpoch;
    this.step = 0;
    this.order = [];
  }

  get done() {
    return this.step >= this.total;
  }

  /** The epoch (1-based) of the last step. */
  get epoch() {
    return Math.ceil(this.step / this.perEpoch);
  }

  nextBatch() {
    const k = this.step % this.perEpoch;
    if (k === 0) this.order = this.rng.permutation(this.y.length);
    return this.order.slice(k * this.batchSize, (k + 1) * this.batchSize);
  }

  /** Train on the next batch; returns the batch loss measured before the update. */
  trainStep() {
    const batch = this.nextBatch();
    this.step += 1;
    for (const name of PARAM_NAMES) checkNoNaN(`params['${name}']`, this.params[name]);
    const forward = mlpForward(this.params, batch.map((i) => this.X[i]), this.activation);
    checkNoNaN("logits", forward.logits);
    const { loss, grad } = softmaxCrossEntropy(forward.logits, batch.map((i) => this.y[i]), this.params.nOut);
    checkNoNaN("grad_logits", grad);
    const grads = mlpBackward(this.params, forward, grad, this.activation);
    if (this.weightDecay) addWeightDecay(this.params, grads, this.weightDecay);
    sgdStep(this.params, grads, this.lr);
    return loss;
  }
}

/** The PCG64 generator for the seed state the widget sends (`default_rng(seed).bit_generator.state`). */
export function generator(state) {
  return new PCG64(state);
}

/**
 * A whole run, as `train_mlp(X, y, params=..., seed=...)`: the batches come from a fresh
 * generator in the seed's state. Returns {params, losses}.
 */
export function trainMlp({ X, y, params, activation, lr, batchSize, epochs, seedState, weightDecay = 0 }) {
  const trainer = new Trainer({
    X, y, params, activation, lr, batchSize, epochs, rng: generator(seedState), weightDecay,
  });
  const losses = [];
  while (!trainer.done) losses.push(trainer.trainStep());
  return { params: trainer.params, losses };
}

/** The class with the largest logit for every row (the first one on ties, as numpy.argmax). */
export function predict(params, X, activation) {
  const { logits } = mlpForward(params, X, activation);
  const { nOut } = params;
  return X.map((_, i) => {
    let best = 0;
    for (let c = 1; c < nOut; c++) if (logits[i * nOut + c] > logits[i * nOut + best]) best = c;
    return best;
  });
}

/** The fraction of rows of X whose class y the network predicts. */
export function accuracy(params, X, y, activation) {
  const predicted = predict(params, X, activation);
  return predicted.reduce((count, c, i) => count + (c === y[i] ? 1 : 0), 0) / y.length;
}

/** For a two-class network, P(class 1) = sigma(z1 - z0) for every row of X. */
export function probClass1(params, X, activation) {
  const { logits } = mlpForward(params, X, activation);
  return Float64Array.from(X, (_, i) => sigmoid(logits[2 * i + 1] - logits[2 * i]));
}

/** The softmax probabilities of every row of X, rows of nOut numbers. */
export function predictProba(params, X, activation) {
  const { logits } = mlpForward(params, X, activation);
  const { nOut } = params;
  return X.map((_, i) => {
    const row = logits.subarray(i * nOut, (i + 1) * nOut);
    const top = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - top));
    const total = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / total);
  });
}
