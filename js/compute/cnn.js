/**
 * The chapter's convolutional network and kernel explorer, without any drawing: ports of
 * `dlbook.numpy.cnn` (the forward pass, layer by layer), `dlbook.widgets.kernels` (a kernel's
 * feature map and pooled map, and the read-out) and `dlbook.widgets.feature_maps` (the read-out).
 *
 *   A1 = relu(K1 * x + b1), H1 = pool(A1), A2 = relu(K2 * H1 + b2), H2 = pool(A2),
 *   L = flatten(H2) W3 + b3, probabilities = softmax(L)
 */
import { avgPool2d, conv2d, maxPool2d, relu } from "./conv.js";
import { digitReadout, PIXEL_MAX, scalePixels, shiftPixels, SIDE } from "./digits.js";
import { fixed } from "./format.js";
import { softmax } from "./softmax.js";

/** One image of 64 values, row by row, as 1 x 8 x 8 (one channel). */
function asImage(values) {
  return [Array.from({ length: SIDE }, (_, row) => Array.from(values.slice(row * SIDE, (row + 1) * SIDE)))];
}

/**
 * The forward pass of `dlbook.numpy.cnn.cnn_forward` for one image (64 network inputs, already
 * scaled): {A1, H1, A2, H2, logits, probabilities}, the maps as channels x height x width.
 * `params` holds K1, b1, K2, b2, W3, b3 as nested lists (the explorer's `params` trait).
 */
export function cnnForward(params, inputs) {
  const { K1, b1, K2, b2, W3, b3 } = params;
  const A1 = relu(conv2d(asImage(inputs), K1, b1, { padding: 1 }));
  const H1 = maxPool2d(A1, 2);
  const A2 = relu(conv2d(H1, K2, b2, { padding: 1 }));
  const H2 = maxPool2d(A2, 2);
  const features = H2.flat(2);
  const logits = b3.map((bias, k) => features.reduce((sum, f, i) => sum + f * W3[i][k], bias));
  return { A1, H1, A2, H2, logits, probabilities: softmax(logits) };
}

/** The network's input for raw pixels shifted by (down, right): shift, then x = p / 8 - 1. */
export function networkInputs(pixels, down, right) {
  return scalePixels(shiftPixels(pixels, down, right));
}

/** The feature-map explorer's read-out, word for word `dlbook.widgets.feature_maps.feature_map_readout`. */
export function featureMapReadout(pixels, probabilities, down, right) {
  const moves = [[right, right > 0 ? "right" : "left"], [down, down > 0 ? "down" : "up"]]
    .filter(([n]) => n !== 0)
    .map(([n, way]) => `${Math.abs(n)} pixel${Math.abs(n) > 1 ? "s" : ""} ${way}`);
  const shifted = moves.length ? `Shifted ${moves.join(" and ")}.` : "Not shifted.";
  return `${digitReadout(pixels, probabilities)}. ${shifted}`;
}

/** The named kernels of `dlbook.widgets.kernels.KERNELS`, row by row. */
export const KERNELS = {
  "vertical edges": [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  "horizontal edges": [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  blur: [0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1],
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
};
/** The traits of the nine weights, row by row (`WEIGHTS`). */
export const WEIGHTS = ["k11", "k12", "k13", "k21", "k22", "k23", "k31", "k32", "k33"];

/** The name of the named kernel with exactly these nine weights, or null (`kernel_name`). */
export function kernelName(kernel) {
  const found = Object.entries(KERNELS).find(([, values]) => values.every((v, i) => v === kernel[i]));
  return found ? found[0] : null;
}

/**
 * A kernel's feature map on the ink of an image, x = p / 16, and its 2 x 2 pooling with stride 2
 * after the activation (`dlbook.widgets.kernels.kernel_maps`): {feature, pooled}, 2-D arrays.
 */
export function kernelMaps(pixels, kernel, padding, stride, activation, pool) {
  const ink = asImage(pixels.map((p) => p / PIXEL_MAX));
  const weights = [[[0, 1, 2].map((row) => kernel.slice(3 * row, 3 * row + 3))]];
  const [feature] = conv2d(ink, weights, null, { padding, stride });
  const activated = activation === "relu" ? relu([feature]) : [feature];
  const [pooled] = pool === "max" ? maxPool2d(activated, 2) : avgPool2d(activated, 2);
  return { feature, pooled };
}

function article(size) {
  return String(size).startsWith("8") || size === 11 || size === 18 ? "an" : "a";
}

/** Two decimals after rounding to nine, as `_two_decimals`: the sums' last bits must not tip a rounding. */
function twoDecimals(value) {
  return fixed(Math.round(value * 1e9) / 1e9 + 0, 2);
}

function range(map) {
  const values = map.flat();
  const [low, high] = [twoDecimals(Math.min(...values)), twoDecimals(Math.max(...values))];
  return low === high ? `all ${low}` : `from ${low} to ${high}`;
}

/** The kernel explorer's read-out, word for word `dlbook.widgets.kernels.kernel_readout`. */
export function kernelReadout(pixels, kernel, padding, stride, activation, pool) {
  const { feature, pooled } = kernelMaps(pixels, kernel, padding, stride, activation, pool);
  const matrix = [0, 1, 2].map((row) => kernel.slice(3 * row, 3 * row + 3).map((w) => fixed(w, 1)).join(" "))
    .join("; ");
  const name = kernelName(kernel);
  const then = activation === "none" ? "no activation" : "ReLU";
  const [fh, fw, ph, pw] = [feature.length, feature[0].length, pooled.length, pooled[0].length];
  const text = `${name ? `The ${name}` : "Your"} kernel [${matrix}], padding ${padding}, stride ${stride}: `
    + `${article(fh)} ${fh} x ${fw} feature map ${range(feature)}; ${then} and 2 x 2 ${pool} `
    + `pooling leave ${ph} x ${pw} ${range(pooled)}.`;
  return pixels.some((p) => p !== 0) ? text : `The pad is empty: draw a digit. ${text}`;
}
