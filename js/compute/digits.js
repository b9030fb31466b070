/**
 * The draw-a-digit explorer's numbers, without any drawing: the reader's strokes on a
 * 32 x 32 pad become an 8 x 8 image as the book's data were made (`dlbook.digits.image_from_bitmap`:
 * the drawing scaled until its longer side spans the pad, then each pixel counts the inked pad pixels
 * of one 4 x 4 block, 0 to 16), the image is scaled as `dlbook.digits` scales it
 * (x = p / 8 - 1), and the trained network of the chapter gives ten probabilities
 * (`dlbook.digits.digit_probabilities`).
 */
import { fixed } from "./format.js";
import { predictProba } from "./mlp.js";

/** The pad is PAD x PAD; the image SIDE x SIDE; each image pixel counts a BLOCK x BLOCK block. */
export const PAD = 32;
export const SIDE = 8;
export const BLOCK = PAD / SIDE;
/** The largest raw intensity: all 16 pad pixels of a block inked. */
export const PIXEL_MAX = BLOCK * BLOCK;

/** Network inputs from raw intensities p in [0, 16]: x = p / 8 - 1 (`dlbook.digits.scale_pixels`). */
export function scalePixels(pixels) {
  return pixels.map((p) => p / (PIXEL_MAX / 2) - 1);
}

/**
 * An image moved by whole pixels, `down` rows and `right` columns (negative: up, left), blank
 * paper (0) coming in (`dlbook.digits.shift_pixels`).
 */
export function shiftPixels(pixels, down, right) {
  return Array.from({ length: SIDE * SIDE }, (_, k) => {
    const [row, col] = [Math.floor(k / SIDE) - down, (k % SIDE) - right];
    return row >= 0 && row < SIDE && col >= 0 && col < SIDE ? pixels[row * SIDE + col] : 0;
  });
}

/** The network's ten probabilities for one image of 64 raw intensities. */
export function digitProbabilities(params, pixels, activation) {
  return predictProba(params, [scalePixels(pixels)], activation)[0];
}

/** The 8 x 8 image of a pad (PAD * PAD values, 0 or 1, row by row): inked pixels counted per block. */
export function countsFromPad(pad) {
  const counts = new Array(SIDE * SIDE).fill(0);
  for (let row = 0; row < PAD; row++) {
    for (let col = 0; col < PAD; col++) {
      if (pad[row * PAD + col]) counts[Math.floor(row / BLOCK) * SIDE + Math.floor(col / BLOCK)] += 1;
    }
  }
  return counts;
}

/**
 * The drawing scaled as the data set's digits were (`dlbook.digits.normalize_bitmap`): the box
 * around the ink, h x w, stretched by min(32 / h, 32 / w) to H x W (rounded, halves up) and
 * centred; output pixel (i, j) copies source pixel (r0 + floor((2i + 1) h / 2H), c0 + floor((2j + 1) w / 2W)).
 * Whole numbers only, as in Python. An empty pad is returned as it is.
 */
export function normalizePad(pad) {
  let [r0, r1, c0, c1] = [PAD, -1, PAD, -1];
  for (let k = 0; k < PAD * PAD; k++) {
    if (!pad[k]) continue;
    const row = Math.floor(k / PAD);
    const col = k % PAD;
    [r0, r1, c0, c1] = [Math.min(r0, row), Math.max(r1, row), Math.min(c0, col), Math.max(c1, col)];
  }
  if (r1 < 0) return Uint8Array.from(pad);
  const h = r1 - r0 + 1;
  const w = c1 - c0 + 1;
  const [H, W] = h >= w ? [PAD, Math.floor((2 * w * PAD + h) / (2 * h))] : [Math.floor((2 * h * PAD + w) / (2 * w)), PAD];
  const top = Math.floor((PAD - H) / 2);
  const left = Math.floor((PAD - W) / 2);
  const normalized = new Uint8Array(PAD * PAD);
  for (let i = 0; i < H; i++) {
    const row = r0 + Math.floor(((2 * i + 1) * h) / (2 * H));
    for (let j = 0; j < W; j++) {
      const col = c0 + Math.floor(((2 * j + 1) * w) / (2 * W));
      normalized[(top + i) * PAD + left + j] = pad[row * PAD + col] ? 1 : 0;
    }
  }
  return normalized;
}

/** The 8 x 8 image the network reads from a drawing: normalized, then counted (`image_from_bitmap`). */
export function imageFromPad(pad) {
  return countsFromPad(normalizePad(pad));
}

/** The order in which a block's 16 pixels are inked for a given count: spread out (a 4 x 4 Bayer matrix). */
const BAYER = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

/** A pad that shows an 8 x 8 image: in each block, the first `count` pixels in Bayer order inked. */
export function padFromCounts(counts) {
  const pad = new Uint8Array(PAD * PAD);
  counts.forEach((count, k) => {
    const top = Math.floor(k / SIDE) * BLOCK;
    const left = (k % SIDE) * BLOCK;
    BAYER.forEach((rank, i) => {
      if (rank < count) pad[(top + Math.floor(i / BLOCK)) * PAD + left + (i % BLOCK)] = 1;
    });
  });
  return pad;
}

/**
 * Ink every pad pixel whose centre lies within `radius` of the segment from (x0, y0) to
 * (x1, y1), in pad units (0 to PAD, x to the right, y down). Returns whether any pixel changed.
 */
export function inkSegment(pad, [x0, y0], [x1, y1], radius) {
  let changed = false;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  const low = (v0, v1) => Math.max(0, Math.floor(Math.min(v0, v1) - radius));
  const high = (v0, v1) => Math.min(PAD - 1, Math.ceil(Math.max(v0, v1) + radius));
  for (let row = low(y0, y1); row <= high(y0, y1); row++) {
    for (let col = low(x0, x1); col <= high(x0, x1); col++) {
      const px = col + 0.5;
      const py = row + 0.5;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length2));
      const ex = px - (x0 + t * dx);
      const ey = py - (y0 + t * dy);
      if (ex * ex + ey * ey <= radius * radius && !pad[row * PAD + col]) {
        pad[row * PAD + col] = 1;
        changed = true;
      }
    }
  }
  return changed;
}

/** The explorer's read-out, word for word `dlbook.widgets.digits.digit_readout`. */
export function digitReadout(pixels, probabilities) {
  const listed = probabilities.map((p, digit) => `${digit}: ${fixed(p, 3)}`).join(", ");
  if (pixels.every((p) => p === 0)) return `The pad is empty: draw a digit. Probabilities: ${listed}`;
  let best = 0;
  probabilities.forEach((p, digit) => {
    if (p > probabilities[best]) best = digit;
  });
  return `The network reads a ${best} (probability ${fixed(probabilities[best], 3)}). Probabilities: ${listed}`;
}
