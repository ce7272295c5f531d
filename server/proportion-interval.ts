// Confidence intervals for rates measured on samples: Wilson's score interval for one proportion, and Newcombe's
// hybrid score interval for the difference of two (Newcombe 1998, method 10). Plain arithmetic, no node modules, so
// that pages may import it too.

/** The normal quantile of a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson's score interval for a rate `rate` measured on `n` trials (`n` 0: nothing is known, [0, 1]). */
export function wilsonInterval(rate: number, n: number, z = Z_95): Interval {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`a rate must be in [0, 1], got ${rate}`);
  if (!(n >= 0)) throw new RangeError(`trials must be >= 0, got ${n}`);
  if (n === 0) return { low: 0, high: 1 };
  const centre = rate + (z * z) / (2 * n);
  const spread = z * Math.sqrt((rate * (1 - rate)) / n + (z * z) / (4 * n * n));
  const scale = 1 + (z * z) / n;
  return { low: Math.max(0, (centre - spread) / scale), high: Math.min(1, (centre + spread) / scale) };
}

/** Newcombe's interval for the difference of two rates, each from its own trials: (a - b), low and high. */
export function differenceInterval(a: { hits: number; n: number }, b: { hits: number; n: number }, z = Z_95): Interval {
  const pa = a.hits / a.n;
  const pb = b.hits / b.n;
  const ia = wilsonInterval(pa, a.n, z);
  const ib = wilsonInterval(pb, b.n, z);
  const d = pa - pb;
  return { low: d - Math.hypot(pa - ia.low, ib.high - pb), high: d + Math.hypot(ia.high - pa, pb - ib.low) };
}
