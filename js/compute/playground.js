/**
 * The training playground's run, without any drawing: the untrained network for the
 * settings, the run itself (the Trainer of mlp.js with the seed's generator), and the
 * read-outs, word for word those of `dlbook.widgets.playground`.
 */
import { fixed, percent } from "./format.js";
import { accuracy, generator, initMlp, stepsPerEpoch, Trainer } from "./mlp.js";

/** The number of SGD steps of a run: epochs times batches per epoch. */
export function totalSteps(n, batchSize, epochs) {
  return epochs * stepsPerEpoch(n, batchSize);
}

/** The untrained network of `TrainingPlayground.initial_params`: init_mlp(2, nHidden, 2, seed). */
export function initialNetwork(seedState, nHidden) {
  return initMlp(generator(seedState), 2, nHidden, 2);
}

/** A run from the untrained network with the settings, on the data set {X, y}. */
export function startRun({ seedState, dataset, nHidden, activation, lr, batchSize, epochs }) {
  return new Trainer({
    X: dataset.X, y: dataset.y, params: initialNetwork(seedState, nHidden), activation, lr, batchSize, epochs,
    rng: generator(seedState),
  });
}

/** The read-out before a run (`untrained_readout`). */
export function untrainedReadout(untrainedAccuracy, total) {
  return `Untrained network: accuracy ${percent(untrainedAccuracy, 1)}. Press Train to run ${total} steps.`;
}

/** The read-out during and after a run (`progress_readout`): a loss rounded below 0 is written 0.0000. */
export function progressReadout(step, total, epochs, loss, networkAccuracy) {
  const epoch = Math.ceil((step * epochs) / total);
  return `epoch ${epoch}/${epochs}; step ${step}/${total}; batch loss ${fixed(loss <= 0 ? 0 : loss, 4)}; `
    + `accuracy ${percent(networkAccuracy, 1)}`;
}

/** The read-out of a run stopped by a NaN (`diverged_readout`). */
export function divergedReadout(step) {
  return `Training diverged at step ${step}: the weights overflowed. Try a smaller learning rate.`;
}

/** The network's accuracy on its data set. */
export function networkAccuracy(params, dataset, activation) {
  return accuracy(params, dataset.X, dataset.y, activation);
}

/** params from the widget's `params` trait (nested lists, as `TrainingPlayground.params`) to mlp.js's form. */
export function paramsFromLists(lists) {
  const W1 = lists.W1.flat();
  const W2 = lists.W2.flat();
  const nIn = lists.W1.length;
  const nHidden = lists.b1.length;
  const nOut = lists.b2.length;
  return {
    nIn, nHidden, nOut, W1: Float64Array.from(W1), b1: Float64Array.from(lists.b1),
    W2: Float64Array.from(W2), b2: Float64Array.from(lists.b2),
  };
}

/** mlp.js's params to nested lists for the widget's `params` trait. */
export function paramsToLists({ nIn, nHidden, nOut, W1, b1, W2, b2 }) {
  const rows = (flat, count, width) => Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));
  return { W1: rows(W1, nIn, nHidden), b1: Array.from(b1), W2: rows(W2, nHidden, nOut), b2: Array.from(b2) };
}
