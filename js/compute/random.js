/**
 * NumPy's random numbers in the browser: the PCG64 bit generator behind
 * `numpy.random.default_rng(seed)`, and the two draws the book uses from it
 * (`uniform` and `permutation`), ported operation by operation.
 *
 * The seed itself is turned into PCG64's 128-bit state by NumPy's SeedSequence
 * on the Python side; the widget sends that state (`default_rng(seed).bit_generator.state`),
 * so the browser draws exactly the numbers NumPy draws: the same initial
 * weights and the same mini-batch order, hence the same training run.
 */

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
/** PCG's default 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128). */
const MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;
/** 2^-53: a 53-bit integer times this is a double in [0, 1). */
const DOUBLE_UNIT = 1 / 9007199254740992;

export class PCG64 {
  /**
   * @param {{state: string|bigint, inc: string|bigint}} state PCG64's 128-bit state and
   *   increment, as in `Generator.bit_generator.state["state"]` (decimal strings are fine).
   */
  constructor({ state, inc }) {
    this.state = BigInt(state);
    this.inc = BigInt(inc);
    /** The upper half of the last 64-bit draw, kept for the next 32-bit draw (NumPy's `uinteger`). */
    this.buffered = null;
  }

  /** One step of the LCG, state <- state * a + inc (mod 2^128), then the XSL-RR output. */
  nextUint64() {
    this.state = (this.state * MULTIPLIER + this.inc) & MASK128;
    const folded = ((this.state >> 64n) ^ this.state) & MASK64;
    const rotation = this.state >> 122n;
    return ((folded >> rotation) | (folded << ((64n - rotation) & 63n))) & MASK64;
  }

  /** A 32-bit draw: the two halves of one 64-bit draw, low half first (NumPy's `pcg64_next32`). */
  nextUint32() {
    if (this.buffered !== null) {
      const upper = this.buffered;
      this.buffered = null;
      return upper;
    }
    const next = this.nextUint64();
    this.buffered = Number(next >> 32n);
    return Number(next & 0xffffffffn);
  }

  /** A double in [0, 1): the top 53 bits of a 64-bit draw times 2^-53. */
  nextDouble() {
    return Number(this.nextUint64() >> 11n) * DOUBLE_UNIT;
  }

  /** `Generator.uniform(low, high)`: low + (high - low) u with u = nextDouble(). */
  uniform(low, high) {
    return low + (high - low) * this.nextDouble();
  }

  /**
   * A uniform integer in [0, max] (NumPy's `random_interval`): draw 32 bits, mask them
   * to the smallest power of two above max, and retry until the value is at most max.
   */
  interval(max) {
    if (max === 0) return 0;
    if (max > 0x7fffffff) throw new RangeError(`interval: max must be below 2^31, got ${max}`);
    let mask = max;
    for (const shift of [1, 2, 4, 8, 16]) mask |= mask >>> shift;
    let value;
    do {
      value = this.nextUint32() & mask;
    } while (value > max);
    return value;
  }

  /** `Generator.permutation(n)`: 0, ..., n-1 shuffled by Fisher-Yates from the end. */
  permutation(n) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.interval(i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }
}
