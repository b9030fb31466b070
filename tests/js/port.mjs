// Runs the explorers' pure compute functions for the Python tests (tests/test_js_port.py).
// Reads requests from stdin, one per line: a JSON list of calls [{fn: "module.name", args: [...]}, ...];
// answers each with one line, {"results": [...]} (the results in order) or {"error": "..."}. One
// process serves a whole test module. Non-finite floats travel as {"$float": "NaN" | "Infinity" | "-Infinity"}.
import { createInterface } from "node:readline";

import * as activations from "../../js/compute/activations.js";
import * as cnn from "../../js/compute/cnn.js";
import * as conv from "../../js/compute/conv.js";
import * as digits from "../../js/compute/digits.js";
import * as format from "../../js/compute/format.js";
import * as mlp from "../../js/compute/mlp.js";
import * as optim from "../../js/compute/optim.js";
import * as perceptron from "../../js/compute/perceptron.js";
import * as plane from "../../js/compute/plane.js";
import * as playground from "../../js/compute/playground.js";
import { PCG64 } from "../../js/compute/random.js";
import * as softmax from "../../js/compute/softmax.js";
import * as surfaces from "../../js/compute/surfaces.js";
import * as figure from "../../js/ui/figure.js";
import * as activationsView from "../../js/explorers/activations.js";
import * as perceptronView from "../../js/explorers/perceptron.js";

/** Entry points that need more than one call of the modules: generators and whole runs. */
const adapters = {
  /** The look the figures share with the book's matplotlib plots. */
  figureStyle: () => ({
    classColors: figure.CLASS_COLORS, classMarkers: figure.CLASS_MARKERS, regionAlpha: figure.REGION_ALPHA,
    lineColors: [figure.C0, figure.C3],
  }),
  /** The activation `name` (or its derivative) applied to every x. */
  activation: (name, xs) => xs.map(activations.getActivation(name)),
  derivative: (name, xs) => xs.map(activations.getDerivative(name)),
  /** `count` draws of uniform(low, high) from the generator in `state`. */
  uniforms: (state, low, high, count) => {
    const rng = new PCG64(state);
    return Array.from({ length: count }, () => rng.uniform(low, high));
  },
  /** `count` successive permutations of n from the generator in `state`. */
  permutations: (state, n, count) => {
    const rng = new PCG64(state);
    return Array.from({ length: count }, () => rng.permutation(n));
  },
  /** One pen stroke on an empty pad: [the pad, whether it changed]. */
  stroke: (from, to, radius) => {
    const pad = new Uint8Array(digits.PAD * digits.PAD);
    const changed = digits.inkSegment(pad, from, to, radius);
    return [pad, changed];
  },
  /** The untrained network of the playground: init_mlp(nIn, nHidden, nOut) from `state`. */
  initMlp: (state, nIn, nHidden, nOut) => mlp.initMlp(new PCG64(state), nIn, nHidden, nOut),
  /** A whole training run from the initial network of `state`, batches from `state` too. */
  trainRun: ({ state, X, y, nHidden, nOut, activation, lr, batchSize, epochs, weightDecay = 0 }) => {
    const params = mlp.initMlp(new PCG64(state), X[0].length, nHidden, nOut);
    try {
      const run = mlp.trainMlp({ X, y, params, activation, lr, batchSize, epochs, seedState: state, weightDecay });
      return { ...run, accuracy: mlp.accuracy(run.params, X, y, activation) };
    } catch (error) {
      if (error instanceof mlp.DivergedError) return { diverged: error.message };
      throw error;
    }
  },
  /**
   * The optimiser `name` of optim.js over `params` (flat arrays by name), stepped through `grads`:
   * the parameters after every step and the final state.
   */
  optimizerRun: (name, options, params, grads) => {
    const arrays = Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Float64Array.from(value)]));
    const optimizer = new optim.OPTIMIZERS[name](arrays, options);
    const trace = grads.map((grad) => {
      optimizer.step(grad);
      return Object.fromEntries(Object.entries(arrays).map(([key, value]) => [key, Array.from(value)]));
    });
    return { trace, state: optimizer.state };
  },
  /** The message of the error the optimiser `name` throws for `options`, or null. */
  optimizerError: (name, options) => {
    try {
      new optim.OPTIMIZERS[name]({ w: new Float64Array(2) }, options);
      return null;
    } catch (error) {
      return error.message;
    }
  },
  /** The run of the playground module itself, step by step, with its read-outs before and after. */
  playgroundRun: ({ state, dataset, noise, heldOut, nHidden, activation, lr, batchSize, epochs, weightDecay }) => {
    const split = playground.splitData(dataset, noise, heldOut);
    const held = (params) => (split.heldOut.y.length
      ? playground.lossAndAccuracy(params, split.heldOut, activation) : null);
    const untrained = playground.initialNetwork(state, nHidden);
    const total = playground.totalSteps(split.train.y.length, batchSize, epochs);
    const untrainedText = playground.untrainedReadout(
      playground.networkAccuracy(untrained, split.train, activation), total, held(untrained)?.[1] ?? null);
    const run = playground.startRun({
      seedState: state, split, nHidden, activation, lr, batchSize, epochs, weightDecay,
    });
    const losses = [];
    try {
      while (!run.done) losses.push(run.trainStep());
    } catch (error) {
      if (!(error instanceof mlp.DivergedError)) throw error;
      return { losses, untrainedText, readout: playground.divergedReadout(run.step) };
    }
    const accuracy = playground.networkAccuracy(run.params, split.train, activation);
    return {
      losses, heldOutLosses: run.heldOutLosses, epochLosses: run.epochLosses, params: playground.paramsToLists(run.params), accuracy, untrainedText,
      total, labels: split.labels, held: split.held,
      readout: playground.progressReadout(run.step, run.total, epochs, losses.at(-1), accuracy, held(run.params)),
    };
  },
};

const modules = {
  activations, cnn, conv, digits, figure, format, mlp, optim, perceptron, plane, playground, softmax, surfaces,
  adapters, activationsView, perceptronView,
};

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if ("$float" in value) return Number(value.$float);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

function encode(value) {
  if (typeof value === "number" && !Number.isFinite(value)) return { $float: String(value) };
  if (ArrayBuffer.isView(value)) return Array.from(value, encode);
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function run(calls) {
  return decode(calls).map(({ fn, args }) => {
    const [moduleName, name] = fn.split(".");
    const f = modules[moduleName]?.[name];
    if (typeof f !== "function") throw new Error(`no function ${fn}`);
    return encode(f(...args));
  });
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = { results: run(JSON.parse(line)) };
  } catch (error) {
    answer = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
