/**
 * The training playground's run, without any drawing: the data the settings make (label
 * noise, held-out points), the untrained network for the settings, the run itself (the
 * Trainer of mlp.js with the seed's generator, and the held-out loss after every epoch),
 * and the read-outs, word for word those of `dlbook.widgets.playground`.
 */
import { fixed, percent } from "./format.js";
import { accuracy, generator, initMlp, mlpForward, softmaxCrossEntropy, stepsPerEpoch, Trainer } from "./mlp.js";

/** How many of n points a share stands for (`share_count`): floor(share * n + 1/2). */
export function shareCount(share, n) {
  return Math.floor(share * n + 0.5);
}

/**
 * The data set as the settings make it (`TrainingPlayground.data_set`, `training_set`,
 * `held_out_set`): the first shareCount(noise, n) points of the data set's `flips` order get
 * the other class, the first shareCount(heldOut, n) points of its `held` order are held out.
 * Returns {labels, held (a boolean per point), train: {X, y}, heldOut: {X, y}}, the two sets in
 * the data set's order.
 */
export function splitData(dataset, noise, heldOut) {
  const n = dataset.y.length;
  const labels = dataset.y.slice();
  for (const i of dataset.flips.slice(0, shareCount(noise, n))) labels[i] = 1 - labels[i];
  const held = new Array(n).fill(false);
  for (const i of dataset.held.slice(0, shareCount(heldOut, n))) held[i] = true;
  const part = (wanted) => {
    const X = [];
    const y = [];
    for (let i = 0; i < n; i++) {
      if (held[i] === wanted) {
        X.push(dataset.X[i]);
        y.push(labels[i]);
      }
    }
    return { X, y };
  };
  return { labels, held, train: part(false), heldOut: part(true) };
}

/** The batch size of a run (`TrainingPlayground.batch`): at most the number of training points. */
export function runBatchSize(nTrain, batchSize) {
  return Math.min(batchSize, nTrain);
}

/** The number of SGD steps of a run: epochs times batches per epoch. */
export function totalSteps(n, batchSize, epochs) {
  return epochs * stepsPerEpoch(n, runBatchSize(n, batchSize));
}

/** The untrained network of `TrainingPlayground.initial_params`: init_mlp(2, nHidden, 2, seed). */
export function initialNetwork(seedState, nHidden) {
  return initMlp(generator(seedState), 2, nHidden, 2);
}

/** A network's mean cross-entropy and accuracy on {X, y} (`loss_and_accuracy`). */
export function lossAndAccuracy(params, { X, y }, activation) {
  const { logits } = mlpForward(params, X, activation);
  return [softmaxCrossEntropy(logits, y, params.nOut).loss, accuracy(params, X, y, activation)];
}

/**
 * A run from the untrained network with the settings (`TrainingPlayground.train`): mini-batch
 * SGD on the training points `split.train` with weight decay, and, when there are held-out
 * points, the loss on them and on the training points after every epoch, in `heldOutLosses`
 * and `epochLosses`.
 */
export class Run {
  constructor({ seedState, split, nHidden, activation, lr, batchSize, epochs, weightDecay = 0 }) {
    const { X, y } = split.train;
    this.trainer = new Trainer({
      X, y, params: initialNetwork(seedState, nHidden), activation, lr, batchSize: runBatchSize(y.length, batchSize),
      epochs, rng: generator(seedState), weightDecay,
    });
    this.train = split.train;
    this.heldOut = split.heldOut.y.length ? split.heldOut : null;
    this.activation = activation;
    this.epochLosses = [];
    this.heldOutLosses = [];
  }

  get done() {
    return this.trainer.done;
  }

  get step() {
    return this.trainer.step;
  }

  get total() {
    return this.trainer.total;
  }

  get params() {
    return this.trainer.params;
  }

  /** Train on the next batch; returns its loss before the update (throws DivergedError on a NaN). */
  trainStep() {
    const loss = this.trainer.trainStep();
    if (this.heldOut && this.trainer.step % this.trainer.perEpoch === 0) {
      this.epochLosses.push(lossAndAccuracy(this.trainer.params, this.train, this.activation)[0]);
      this.heldOutLosses.push(lossAndAccuracy(this.trainer.params, this.heldOut, this.activation)[0]);
    }
    return loss;
  }
}

/** A run with the settings on the data set's split (see Run). */
export function startRun(settings) {
  return new Run(settings);
}

/** The read-out before a run (`untrained_readout`); heldOutAccuracy null without held-out points. */
export function untrainedReadout(untrainedAccuracy, total, heldOutAccuracy = null) {
  const held = heldOutAccuracy === null ? "" : `, held-out accuracy ${percent(heldOutAccuracy, 1)}`;
  return `Untrained network: accuracy ${percent(untrainedAccuracy, 1)}${held}. Press Train to run ${total} steps.`;
}

/**
 * The read-out during and after a run (`progress_readout`): a loss rounded below 0 is written
 * 0.0000; heldOut is [loss, accuracy] on the held-out points, or null.
 */
export function progressReadout(step, total, epochs, loss, networkAccuracy, heldOut = null) {
  const epoch = Math.ceil((step * epochs) / total);
  const held = heldOut === null ? "" : `; held-out loss ${fixed(heldOut[0], 4)}, accuracy ${percent(heldOut[1], 1)}`;
  return `epoch ${epoch}/${epochs}; step ${step}/${total}; batch loss ${fixed(loss <= 0 ? 0 : loss, 4)}; `
    + `accuracy ${percent(networkAccuracy, 1)}${held}`;
}

/** The read-out of a run stopped by a NaN (`diverged_readout`). */
export function divergedReadout(step) {
  return `Training diverged at step ${step}: the weights overflowed. Try a smaller learning rate.`;
}

/** The network's accuracy on a data set {X, y}. */
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
