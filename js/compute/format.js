/**
 * Numbers written as Python writes them, so that a read-out in the browser is the very
 * text `dlbook`'s Python read-out gives: `fixed(x, 3)` is f"{x:.3f}", `percent(x, 1)` is
 * f"{x:.1%}", `signedTerm(x, 1)` is `dlbook.widgets.formatting.signed_term(x, 1)`.
 *
 * JavaScript's toFixed rounds an exact tie up (0.125 -> "0.13"); Python rounds it to
 * even ("0.12"), and writes -0.0 as "-0.000". Both are copied here.
 */

/** f"{value:.{digits}f}" */
export function fixed(value, digits) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  const magnitude = Math.abs(value);
  let text = magnitude.toFixed(digits);
  if (magnitude < 1e21) {
    // toFixed(100) is the exact decimal value of the double (for all but the tiniest ones).
    const exact = magnitude.toFixed(100);
    const point = exact.indexOf(".");
    const end = digits > 0 ? point + 1 + digits : point;
    const truncated = exact.slice(0, end);
    const isTie = /^50*$/.test(exact.slice(point + 1 + digits));
    if (isTie && Number(truncated.at(-1)) % 2 === 0) text = truncated;
  }
  return sign + text;
}

/** f"{value:.{digits}%}": the value times 100, written as fixed(.., digits), then "%". */
export function percent(value, digits) {
  return `${fixed(value * 100, digits)}%`;
}

/**
 * `value` as a term that follows another in a sum: "+ 1.5", or "− 1.5" (a minus sign,
 * U+2212) for -1.5; a term that rounds to zero is "+ 0.0". As
 * `dlbook.widgets.formatting.signed_term`.
 */
export function signedTerm(value, digits) {
  const magnitude = fixed(Math.abs(value), digits);
  const negative = value < 0 && Number(magnitude) !== 0;
  return `${negative ? "−" : "+"} ${magnitude}`;
}
