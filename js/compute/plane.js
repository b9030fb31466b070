/**
 * The plane under a 2-D data set, as `dlbook.plots` lays it out: the padded extent of the
 * points, a grid of points over it, and the line w . x + b = 0 across it.
 */

/** (xmin, xmax, ymin, ymax) of the points X (arrays [x1, x2]), padded by margin. */
export function plotExtent(X, margin = 0.5) {
  const xs = X.map((p) => p[0]);
  const ys = X.map((p) => p[1]);
  return [Math.min(...xs) - margin, Math.max(...xs) + margin, Math.min(...ys) - margin, Math.max(...ys) + margin];
}

/** numpy.linspace(start, stop, num): i * (stop - start) / (num - 1) + start, ending exactly at stop. */
export function linspace(start, stop, num) {
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  if (num > 1) values[num - 1] = stop;
  return values;
}

/**
 * A resolution x resolution grid over the extent, row by row from the bottom
 * (`dlbook.plots.grid_points`): point k is (xs[k % resolution], ys[floor(k / resolution)]).
 */
export function gridPoints(extent, resolution) {
  const [xmin, xmax, ymin, ymax] = extent;
  const xs = linspace(xmin, xmax, resolution);
  const ys = linspace(ymin, ymax, resolution);
  return ys.flatMap((y) => xs.map((x) => [x, y]));
}

/**
 * Two end points of the line w1 x1 + w2 x2 + b = 0 across the extent (`dlbook.plots.decision_line`):
 * [[x_start, x_end], [y_start, y_end]], or two empty arrays when w = 0 (no line exists).
 */
export function decisionLine(w, b, extent) {
  const [w1, w2] = w;
  const [xmin, xmax, ymin, ymax] = extent;
  if (w1 === 0 && w2 === 0) return [[], []];
  if (Math.abs(w2) >= Math.abs(w1)) {
    const xs = [xmin, xmax];
    return [xs, xs.map((x) => -(w1 * x + b) / w2)];
  }
  const ys = [ymin, ymax];
  return [ys.map((y) => -(w2 * y + b) / w1), ys];
}
