// Runs the explorers' pure compute functions for the Python tests (tests/test_js_port.py).
// Reads a JSON list of calls [{fn: "module.name", args: [...]}, ...] from stdin and writes the
// list of results as JSON. Non-finite floats travel as {"$float": "NaN" | "Infinity" | "-Infinity"}.
import * as activations from "../../js/compute/activations.js";
import * as digits from "../../js/compute/digits.js";
import * as format from "../../js/compute/format.js";
import * as mlp from "../../js/compute/mlp.js";
import * as perceptron from "../../js/compute/perceptron.js";
import * as plane from "../../js/compute/plane.js";
import * as playground from "../../js/compute/playground.js";
import { PCG64 } from "../../js/compute/random.js";
import * as softmax from "../../js/compute/softmax.js";
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
  trainRun: ({ state, X, y, nHidden, nOut, activation, lr, batchSize, epochs }) => {
    const params = mlp.initMlp(new PCG64(state), X[0].length, nHidden, nOut);
    try {
      const run = mlp.trainMlp({ X, y, params, activation, lr, batchSize, epochs, seedState: state });
      return { ...run, accuracy: mlp.accuracy(run.params, X, y, activation) };
    } catch (error) {
      if (error instanceof mlp.DivergedError) return { diverged: error.message };
      throw error;
    }
  },
  /** The run of the playground module itself, step by step, with its read-out after every step. */
  playgroundRun: ({ state, dataset, nHidden, activation, lr, batchSize, epochs }) => {
    const trainer = playground.startRun({ seedState: state, dataset, nHidden, activation, lr, batchSize, epochs });
    const losses = [];
    try {
      while (!trainer.done) losses.push(trainer.trainStep());
    } catch (error) {
      if (!(error instanceof mlp.DivergedError)) throw error;
      return { losses, readout: playground.divergedReadout(trainer.step) };
    }
    const accuracy = playground.networkAccuracy(trainer.params, dataset, activation);
    return {
      losses, params: playground.paramsToLists(trainer.params), accuracy,
      readout: playground.progressReadout(trainer.step, trainer.total, epochs, losses.at(-1), accuracy),
    };
  },
};

const modules = {
  activations, digits, figure, format, mlp, perceptron, plane, playground, softmax, adapters,
  activationsView, perceptronView,
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

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = decode(JSON.parse(input)).map(({ fn, args }) => {
  const [moduleName, name] = fn.split(".");
  const f = modules[moduleName]?.[name];
  if (typeof f !== "function") throw new Error(`no function ${fn}`);
  return encode(f(...args));
});
process.stdout.write(JSON.stringify(results));
