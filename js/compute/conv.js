/**
 * 2-D convolution and pooling as `dlbook.numpy.conv` and `dlbook.numpy.pooling` compute them
 * (torch.nn.functional's semantics), written out as plain loops: the explorers' images are
 * small. Arrays are nested: an input is N x C x H x W, or one image C x H x W (then so is the
 * output); a kernel bank is C_out x (C_in / groups) x kH x kW.
 *
 *   conv2d:     y[n][o][i][j] = b[o] + sum_{c, a, q} w[o][c][a][q] * x~[n][c][i s + a d][j s + q d]
 *   max_pool2d: the largest tap of each window (the first of equal ones; NaN wins, the last NaN)
 *   avg_pool2d: the sum of each window's taps on the input over its divisor D
 *
 * x~ is the input padded with zeros (conv2d) or ignored outside (pooling). Stride, padding and
 * dilation are a number or a pair [height, width]; conv2d's padding may also be "valid" or
 * "same"; the pooling stride defaults to the kernel size. Arguments `dlbook` refuses throw a
 * RangeError here.
 */

/** A number or a list of one or two numbers as [height, width] (torch's int-or-pair). */
export function pair(name, value) {
  const values = Array.isArray(value) ? value : [value];
  if (values.length < 1 || values.length > 2 || !values.every(Number.isInteger)) {
    throw new RangeError(`${name} must be an int or a pair of ints (height, width), got ${JSON.stringify(value)}`);
  }
  return [values[0], values.at(-1)];
}

/** Window positions along one axis: floor((L + p1 + p2 - d (k - 1) - 1) / s) + 1. */
export function outputSize(size, kernel, stride, padBefore, padAfter, dilation) {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** The depth of a nested array: 4 for N x C x H x W. */
function depth(a) {
  let d = 0;
  for (let x = a; Array.isArray(x) || ArrayBuffer.isView(x); x = x[0]) d += 1;
  return d;
}

/** Apply `f` to each image of a batch, or to the one image of an unbatched input. */
function perImage(input, f) {
  return depth(input) === 4 ? input.map(f) : f(input);
}

/** Padding (top, bottom, left, right) of conv2d: a number, a pair, "valid" or "same" (stride 1 only). */
function convPadding(padding, stride, kernel, dilation) {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) throw new RangeError("padding='same' needs stride 1");
    const [th, tw] = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  const [ph, pw] = pair("padding", padding);
  return [ph, ph, pw, pw];
}

/** The convolution of `dlbook.numpy.conv.conv2d` (and F.conv2d). */
export function conv2d(input, weight, bias = null, { stride = 1, padding = 0, dilation = 1, groups = 1 } = {}) {
  const [s, d] = [pair("stride", stride), pair("dilation", dilation)];
  const [cOut, cGroup, kh, kw] = [weight.length, weight[0].length, weight[0][0].length, weight[0][0][0].length];
  const [top, bottom, left, right] = convPadding(padding, s, [kh, kw], d);
  return perImage(input, (image) => {
    const [h, w] = [image[0].length, image[0][0].length];
    const [outH, outW] = [outputSize(h, kh, s[0], top, bottom, d[0]), outputSize(w, kw, s[1], left, right, d[1])];
    if (image.length !== cGroup * groups || outH < 1 || outW < 1) {
      throw new RangeError(`conv2d: input ${image.length} x ${h} x ${w} does not fit weight ${cOut} x ${cGroup} x `
        + `${kh} x ${kw} with groups ${groups}`);
    }
    return Array.from({ length: cOut }, (_, o) => {
      const first = Math.floor(o / (cOut / groups)) * cGroup;  // the group's first input channel
      const kernels = weight[o];
      return Array.from({ length: outH }, (__, i) => Array.from({ length: outW }, (___, j) => {
        let sum = 0;
        for (let c = 0; c < cGroup; c++) {
          const [kernel, plane] = [kernels[c], image[first + c]];
          for (let a = 0; a < kh; a++) {
            const row = i * s[0] - top + a * d[0];
            if (row < 0 || row >= h) continue;
            const [taps, pixels] = [kernel[a], plane[row]];
            for (let q = 0; q < kw; q++) {
              const col = j * s[1] - left + q * d[1];
              if (col >= 0 && col < w) sum += taps[q] * pixels[col];
            }
          }
        }
        return bias === null ? sum : sum + bias[o];
      }));
    });
  });
}

/** Where pooling windows lie along one axis (torch's rule, with ceil mode): their count. */
function poolSize(size, kernel, stride, pad, dilation, ceilMode) {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out -= 1;  // the last window must start on the input
  if (out < 1) throw new RangeError(`pooling leaves no output: size ${size}, kernel ${kernel}`);
  return out;
}

/** The geometry of a pooling: kernel, stride (default: the kernel), padding (at most half the kernel). */
function poolGeometry(kernelSize, stride, padding, dilation) {
  const k = pair("kernel_size", kernelSize);
  const s = stride === null || (Array.isArray(stride) && stride.length === 0) ? k : pair("stride", stride);
  const p = pair("padding", padding);
  if (p[0] > Math.floor(k[0] / 2) || p[1] > Math.floor(k[1] / 2)) {
    throw new RangeError(`padding must be at most half the kernel size, got ${p} for ${k}`);
  }
  return { k, s, p, d: pair("dilation", dilation) };
}

/** Call `f(plane, i, j, taps)` for every window of every plane, `taps` its input pixels row by row. */
function poolPlanes(input, { k, s, p, d }, ceilMode, f) {
  return perImage(input, (image) => image.map((plane) => {
    const [h, w] = [plane.length, plane[0].length];
    const [outH, outW] = [poolSize(h, k[0], s[0], p[0], d[0], ceilMode), poolSize(w, k[1], s[1], p[1], d[1], ceilMode)];
    return Array.from({ length: outH }, (_, i) => Array.from({ length: outW }, (__, j) => {
      const taps = [];
      for (let a = 0; a < k[0]; a++) {
        const row = i * s[0] - p[0] + a * d[0];
        if (row < 0 || row >= h) continue;
        for (let q = 0; q < k[1]; q++) {
          const col = j * s[1] - p[1] + q * d[1];
          if (col >= 0 && col < w) taps.push([plane[row][col], row * w + col]);
        }
      }
      return f(taps, i, j, h, w);
    }));
  }));
}

/**
 * The largest value of every window (`dlbook.numpy.pooling.max_pool2d`), scanned as torch
 * scans: from the first input pixel with -Infinity, moving on to a larger one or a NaN. With
 * `returnIndices`, also where: the index row * W + col in the input plane.
 */
export function maxPool2d(input, kernelSize, { stride = null, padding = 0, dilation = 1, ceilMode = false,
  returnIndices = false } = {}) {
  const geometry = poolGeometry(kernelSize, stride, padding, dilation);
  const windows = poolPlanes(input, geometry, ceilMode, (taps) => {
    let [best, index] = [-Infinity, taps.length ? taps[0][1] : -1];
    for (const [value, at] of taps) {
      if (value > best || Number.isNaN(value)) [best, index] = [value, at];
    }
    return [best, index];
  });
  const pick = (which) => (a) => (Array.isArray(a[0]) || depth(a) > 1 ? a.map(pick(which)) : a[which]);
  const values = pick(0)(windows);
  return returnIndices ? [values, pick(1)(windows)] : values;
}

/**
 * The mean of every window (`dlbook.numpy.pooling.avg_pool2d`): the sum of its input pixels over
 * D, the window's size within the padded input (countIncludePad), its input pixels only, or
 * divisorOverride.
 */
export function avgPool2d(input, kernelSize, { stride = null, padding = 0, ceilMode = false, countIncludePad = true,
  divisorOverride = null } = {}) {
  const geometry = poolGeometry(kernelSize, stride, padding, 1);
  const { k, s, p } = geometry;
  return poolPlanes(input, geometry, ceilMode, (taps, i, j, h, w) => {
    const sum = taps.reduce((total, [value]) => total + value, 0);
    if (divisorOverride !== null) return sum / divisorOverride;
    const span = (start, kernel, pad, size) => {
      const end = Math.min(start + kernel, size + pad);
      return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
    };
    return sum / (span(i * s[0] - p[0], k[0], p[0], h) * span(j * s[1] - p[1], k[1], p[1], w));
  });
}

/** ReLU on every entry of a nested array: max(x, 0) (NaN stays NaN). */
export function relu(a) {
  return Array.isArray(a) ? a.map(relu) : (a < 0 ? 0 : a);
}
