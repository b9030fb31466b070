/**
 * The loss surfaces of `dlbook.numpy.surfaces`, the paths the optimisers of optim.js take on
 * them (`descent_path`), and the optimiser explorer's paths and read-out, word for word
 * `dlbook.widgets.optimisers`. A point is [x, y].
 */
import { fixed } from "./format.js";
import { Adam, RMSprop, SGD } from "./optim.js";

/** The quadratic's curvatures (mu, lambda). */
export const CURVATURES = [1, 10];
/** A path whose coordinate leaves [-DIVERGED, DIVERGED] (or is not finite) has diverged. */
export const DIVERGED = 1e3;
/** RMSProp's alpha and Adam's beta2 in the explorer. */
export const ALPHA = 0.99;
export const BETA2 = 0.999;

/** Loss and gradient of each surface, written with the same operations as NumPy's. */
export const SURFACES = {
  quadratic: {
    loss: ([x, y]) => 0.5 * ((CURVATURES[0] * x) * x + (CURVATURES[1] * y) * y),
    gradient: ([x, y]) => [CURVATURES[0] * x, CURVATURES[1] * y],
  },
  rosenbrock: {
    loss: ([x, y]) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
    gradient: ([x, y]) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  },
  saddle: {
    loss: ([x, y]) => 0.5 * x * x + 0.25 * (y * y) * (y * y) - 0.5 * y * y,
    gradient: ([x, y]) => [x, y * y * y - y],
  },
};

function surfaceOf(name) {
  if (!Object.hasOwn(SURFACES, name)) {
    throw new Error(`unknown surface ${JSON.stringify(name)}; choose one of ${Object.keys(SURFACES).join(", ")}`);
  }
  return SURFACES[name];
}

/** The loss of the surface `name` at the point w. */
export function surfaceLoss(name, w) {
  return surfaceOf(name).loss(w);
}

/**
 * The points an optimiser visits from `start` in `steps` steps (`descent_path`):
 * {points, divergedAt}, divergedAt the step that left [-DIVERGED, DIVERGED] or null.
 */
export function descentPath(name, makeOptimizer, start, steps) {
  const { gradient } = surfaceOf(name);
  const params = { w: Float64Array.from(start) };
  const optimizer = makeOptimizer(params);
  const points = [Array.from(params.w)];
  for (let step = 1; step <= steps; step++) {
    optimizer.step({ w: gradient(params.w) });
    const [x, y] = params.w;
    if (!(Math.abs(x) <= DIVERGED && Math.abs(y) <= DIVERGED)) return { points, divergedAt: step };
    points.push([x, y]);
  }
  return { points, divergedAt: null };
}

/** The explorer's four optimisers by the names of its read-out (`explorer_optimizers`). */
export function explorerOptimizers(lr, beta) {
  return {
    SGD: (params) => new SGD(params, { lr }),
    momentum: (params) => new SGD(params, { lr, momentum: beta }),
    RMSProp: (params) => new RMSprop(params, { lr, alpha: ALPHA }),
    Adam: (params) => new Adam(params, { lr, betas: [beta, BETA2] }),
  };
}

/** Each optimiser's path, by name (`explorer_paths`). */
export function explorerPaths(name, start, lr, beta, steps) {
  return Object.fromEntries(Object.entries(explorerOptimizers(lr, beta))
    .map(([optimizer, make]) => [optimizer, descentPath(name, make, start, steps)]));
}

/** The read-out for the paths `paths` (`optimiser_readout`). */
export function readoutOfPaths(name, start, steps, paths) {
  const ends = Object.entries(paths).map(([optimizer, { points, divergedAt }]) => {
    if (divergedAt !== null) return `${optimizer} diverged at step ${divergedAt}`;
    const end = points.at(-1);
    return `${optimizer} at (${fixed(end[0], 2)}, ${fixed(end[1], 2)}), loss ${fixed(surfaceLoss(name, end), 4)}`;
  });
  return `After ${steps} steps from (${fixed(start[0], 2)}, ${fixed(start[1], 2)}): ${ends.join("; ")}`;
}

/** The explorer's read-out, word for word `dlbook.widgets.optimisers.optimiser_readout`. */
export function optimiserReadout(name, start, lr, beta, steps) {
  return readoutOfPaths(name, start, steps, explorerPaths(name, start, lr, beta, steps));
}

/** The loss on an n x n grid over extent, row by row from the bottom (the contours' input). */
export function lossGrid(name, extent, n) {
  const { loss } = surfaceOf(name);
  const [xmin, xmax, ymin, ymax] = extent;
  const values = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const y = ymin + (j * (ymax - ymin)) / (n - 1);
    for (let i = 0; i < n; i++) values[j * n + i] = loss([xmin + (i * (xmax - xmin)) / (n - 1), y]);
  }
  return values;
}
