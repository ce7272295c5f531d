// Numerical helpers for the privacy accountants: log-space sums, erfc and the normal CDF with accurate tails.
//
// Everything here is plain double-precision arithmetic written for this project. Accuracy targets: relative error
// of about 1e-15 for erfc(x) for x >= 0 (including far tails, where it is computed as exp(-x^2) * erfcx(x)), and
// no underflow in logErfc, which the RDP accountant evaluates at arguments far beyond where erfc underflows.

const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** log(exp(a) + exp(b)), exact for -Infinity arguments. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** log(exp(a) - exp(b)) for a >= b; -Infinity when they are equal. */
export function logSubExp(a: number, b: number): number {
  if (b > a) throw new RangeError(`logSubExp needs a >= b, got a=${a}, b=${b}`);
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  return a + Math.log(-Math.expm1(b - a));
}

// Below this, erfc is 1 - erf with erf from its Taylor series; above, the continued fraction for erfcx converges
// in under 100 terms. At the switch both are accurate to a few parts in 1e15.
const SERIES_LIMIT = 1.5;

function erfSeries(x: number): number {
  // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
  const x2 = x * x;
  let power = x; // (-1)^n x^(2n+1) / n!
  let sum = x;
  for (let n = 1; n < 100; n++) {
    power *= -x2 / n;
    const term = power / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfcx(x) = exp(x^2) erfc(x) for x >= SERIES_LIMIT, by the Laplace continued fraction (modified Lentz). */
function erfcxContinuedFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return 1 / (f * SQRT_PI);
}

/** The complementary error function, accurate in relative terms in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  if (x > 27.3) return 0; // erfc(27.3) < 1e-325: below the smallest double
  return Math.exp(-x * x) * erfcxContinuedFraction(x);
}

/** log(erfc(x)), finite for every finite x (no underflow for large x). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < SERIES_LIMIT) return Math.log(erfc(x));
  if (x === Infinity) return -Infinity;
  if (x > 1e8) return -x * x - Math.log(x) - LOG_SQRT_PI; // asymptotic form, exact to double precision here
  return -x * x + Math.log(erfcxContinuedFraction(x));
}

/** The standard normal CDF, Phi(z); use normalCdf(-z) for the upper tail (never 1 - normalCdf(z)). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * The z >= 0 with Phi(-z) = p, for 0 < p <= 0.5 (upper-tail quantile of the standard normal), by bisection on the
 * log tail, accurate to about 1e-12 in z. Used only to place truncation points, so speed does not matter.
 */
export function normalUpperQuantile(p: number): number {
  if (!(p > 0 && p <= 0.5)) throw new RangeError(`normalUpperQuantile needs 0 < p <= 0.5, got ${p}`);
  const target = Math.log(p);
  const logTail = (z: number) => Math.log(0.5) + logErfc(z / Math.SQRT2);
  let lo = 0;
  let hi = 1;
  while (logTail(hi) > target) hi *= 2;
  while (hi - lo > 1e-12 * hi) {
    const mid = (lo + hi) / 2;
    if (logTail(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Neumaier's compensated summation: the rounding error of a long sum stays near one ulp of the result. */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;
  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  get value(): number {
    return this.sum + this.compensation;
  }
}
