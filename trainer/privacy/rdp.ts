// RDP accountant: Renyi DP of the Poisson-subsampled Gaussian (Mironov, Talwar, Zhang 2019, "Renyi Differential
// Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530) over a grid of orders, composed by addition, and
// converted to (epsilon, delta) with the conversion of Canonne, Kamath, Steinke 2020 (arXiv:2004.00010, Prop. 12;
// also Balle et al. 2020, arXiv:1905.09982, Thm. 21), the one used by Google's dp_accounting and by opacus.
//
// Everything is computed in log space: A_alpha = E[(mu(x)/mu0(x))^alpha] is a sum of terms whose logs are added
// with log-sum-exp, so small sampling rates, large orders and many steps neither overflow nor lose the result.

import { flattenEvent, type PrivacyEvent } from "./events";
import { logAddExp, logErfc, logSubExp } from "./math";

/**
 * Default orders: the grid of Google's dp_accounting RdpAccountant (1.1 to 10.9 in steps of 0.1, 11 to 63, then
 * 128, 256, 512, 1024), which covers the epsilons of interest for DP-SGD.
 */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => (11 + i) / 10),
  ...Array.from({ length: 53 }, (_, i) => 11 + i),
  128,
  256,
  512,
  1024,
]);

/** log|binom(alpha, i)| and its sign, built up term by term (valid for fractional alpha). */
class BinomialTerms {
  logAbs = 0;
  sign = 1;
  constructor(private readonly alpha: number) {}
  /** Moves from binom(alpha, i - 1) to binom(alpha, i). */
  advance(i: number): void {
    const factor = this.alpha - i + 1;
    this.logAbs += Math.log(Math.abs(factor)) - Math.log(i);
    if (factor < 0) this.sign = -this.sign;
  }
}

/** log A_alpha for integer alpha: the finite binomial expansion of E_mu0[((1-q) + q e^{(2x-1)/(2 sigma^2)})^alpha]. */
function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const binomial = new BinomialTerms(alpha);
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) binomial.advance(k);
    const term = binomial.logAbs + k * logQ + (alpha - k) * log1mQ + (k * k - k) / (2 * sigma * sigma);
    logA = logAddExp(logA, term);
  }
  return logA;
}

const MAX_FRACTIONAL_TERMS = 1000;

/**
 * log A_alpha for fractional alpha (Mironov-Talwar-Zhang section 3.3): split the integral at z0, where the two
 * mixture components are equal, and expand each side as a convergent binomial series. Terms with i > alpha + 1
 * alternate in sign and eventually decrease, so after stopping, the remainder is at most the last term's size;
 * we add that bound, so the result never falls below the true value. Returns Infinity if the series has not
 * settled after MAX_FRACTIONAL_TERMS terms (the order is then ignored, which is safe).
 */
function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoSigma2 = 2 * sigma * sigma;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const erfcScale = Math.SQRT2 * sigma;
  const binomial = new BinomialTerms(alpha);
  let logPositive = -Infinity;
  let logNegative = -Infinity;
  let previous = Infinity;
  for (let i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
    if (i > 0) binomial.advance(i);
    const j = alpha - i;
    // Left of z0: binom(alpha,i) q^i (1-q)^j e^{(i^2-i)/(2 sigma^2)} P[N(i, sigma^2) <= z0]; right of z0 likewise
    // with the roles of i and j = alpha - i swapped.
    const left = i * logQ + j * log1mQ + (i * i - i) / twoSigma2 + Math.log(0.5) + logErfc((i - z0) / erfcScale);
    const right = j * logQ + i * log1mQ + (j * j - j) / twoSigma2 + Math.log(0.5) + logErfc((z0 - j) / erfcScale);
    const logTerm = binomial.logAbs + logAddExp(left, right);
    if (binomial.sign > 0) logPositive = logAddExp(logPositive, logTerm);
    else logNegative = logAddExp(logNegative, logTerm);
    const alternating = i > alpha + 1 && logTerm < previous;
    if (alternating && (logTerm < logPositive - 36 || i === MAX_FRACTIONAL_TERMS - 1)) {
      return logAddExp(logSubExp(logPositive, logNegative), logTerm);
    }
    previous = logTerm;
  }
  return Infinity;
}

/** RDP at `order` of one step of the Gaussian mechanism with noise multiplier sigma on a Poisson sample of rate q. */
export function subsampledGaussianRdp(samplingRate: number, noiseMultiplier: number, order: number): number {
  if (!(order > 1)) throw new RangeError(`RDP order must be > 1, got ${order}`);
  if (!(samplingRate > 0 && samplingRate <= 1)) throw new RangeError(`sampling rate must be in (0, 1]`);
  if (!(noiseMultiplier > 0)) throw new RangeError(`noise multiplier must be > 0`);
  if (samplingRate === 1) return order / (2 * noiseMultiplier * noiseMultiplier);
  const logA = Number.isInteger(order)
    ? logAInteger(samplingRate, noiseMultiplier, order)
    : logAFractional(samplingRate, noiseMultiplier, order);
  return Math.max(0, logA / (order - 1));
}

/** An event's RDP curve: the sum over its mechanisms of count times the one-step curve that `stepCurve` gives. */
function sumOfStepCurves(
  event: PrivacyEvent,
  orders: readonly number[],
  stepCurve: (samplingRate: number, noiseMultiplier: number) => readonly number[],
): number[] {
  // Plain loops: the default orders are a frozen array, on which forEach and map are several times slower.
  const total = new Array<number>(orders.length).fill(0);
  for (const { samplingRate, noiseMultiplier, count } of flattenEvent(event)) {
    const step = stepCurve(samplingRate, noiseMultiplier);
    for (let k = 0; k < total.length; k++) total[k] = (total[k] as number) + count * (step[k] as number);
  }
  return total;
}

const oneStepCurve = (orders: readonly number[]) => (samplingRate: number, noiseMultiplier: number) =>
  orders.map((order) => subsampledGaussianRdp(samplingRate, noiseMultiplier, order));

/** The RDP curve of an event at the given orders (composition adds RDP, order by order). */
export function rdpOfEvent(event: PrivacyEvent, orders: readonly number[] = DEFAULT_RDP_ORDERS): number[] {
  return sumOfStepCurves(event, orders, oneStepCurve(orders));
}

/** How many curves (one-step and whole-event) a cachedRdpOfEvent keeps of each before it starts again. */
const CURVES_KEPT = 10_000;

/** `compute`, remembered by `keyOf` of its argument; all is forgotten once `limit` are kept (a bound on memory). */
function remembered<A, T>(limit: number, keyOf: (arg: A) => string, compute: (arg: A) => T): (arg: A) => T {
  const kept = new Map<string, T>();
  return (arg) => {
    const key = keyOf(arg);
    let value = kept.get(key);
    if (value === undefined) {
      value = compute(arg);
      if (kept.size >= limit) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}

/** An event's JSON, or null for one that has none (circular, a BigInt): such an event is refused by validation. */
function jsonOf(event: PrivacyEvent): string | null {
  try {
    return JSON.stringify(event) ?? null;
  } catch {
    return null;
  }
}

/**
 * rdpOfEvent at fixed orders, remembering the one-step curve of each (sampling rate, noise multiplier) and the curve
 * of each whole event (by its JSON): runs on a lineage, the steps of a run and a calibration's trials mostly share
 * their settings, and a mechanism run `count` times has `count` times its one-step RDP, so a remembered mechanism
 * costs one multiply-add per order, and an event seen before (a ledger's alike entries) only its JSON. The values are
 * rdpOfEvent's, to the last bit; an event is validated the first time it is seen.
 */
export function cachedRdpOfEvent(orders: readonly number[]): (event: PrivacyEvent) => readonly number[] {
  const compute = oneStepCurve(orders);
  const step = remembered(
    CURVES_KEPT,
    ([samplingRate, noiseMultiplier]: [number, number]) => `${samplingRate}/${noiseMultiplier}`,
    ([samplingRate, noiseMultiplier]) => compute(samplingRate, noiseMultiplier),
  );
  const curveOf = (event: PrivacyEvent) => sumOfStepCurves(event, orders, (samplingRate, noiseMultiplier) => step([samplingRate, noiseMultiplier]));
  const eventCurve = remembered(CURVES_KEPT, ({ json }: { json: string; event: PrivacyEvent }) => json, ({ event }) => curveOf(event));
  return (event) => {
    const json = jsonOf(event);
    return json === null ? curveOf(event) : eventCurve({ json, event });
  };
}

export interface RdpConversion {
  value: number;
  /** The order that gave the best bound (NaN if none was usable). */
  order: number;
}

/**
 * Smallest epsilon, over the orders, such that the RDP curve implies (epsilon, delta)-DP:
 * eps = rdp + log((alpha-1)/alpha) - (log delta + log alpha)/(alpha - 1)  [Canonne-Kamath-Steinke Prop. 12],
 * or 0 where delta >= sqrt(1 - e^{-rdp}) already (the KL bound, rdp_alpha >= KL).
 */
export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number): RdpConversion {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  let best: RdpConversion = { value: Infinity, order: NaN };
  for (let k = 0; k < orders.length; k++) {
    const alpha = orders[k] as number;
    const r = rdp[k] as number;
    const epsilon =
      delta * delta + Math.expm1(-r) > 0
        ? 0
        : r + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (epsilon < best.value) best = { value: Math.max(0, epsilon), order: alpha };
  }
  return best;
}

/** Smallest delta, over the orders, such that the RDP curve implies (epsilon, delta)-DP (inverse of the above). */
export function deltaFromRdp(orders: readonly number[], rdp: readonly number[], epsilon: number): RdpConversion {
  if (!(epsilon >= 0)) throw new RangeError(`epsilon must be >= 0, got ${epsilon}`);
  let best: RdpConversion = { value: Infinity, order: NaN };
  for (let k = 0; k < orders.length; k++) {
    const alpha = orders[k] as number;
    const r = rdp[k] as number;
    const logKl = r === 0 ? -Infinity : 0.5 * Math.log(-Math.expm1(-r));
    const logConversion = (alpha - 1) * (r - epsilon + Math.log1p(-1 / alpha)) - Math.log(alpha);
    const logDelta = Math.min(logKl, logConversion);
    if (Math.exp(logDelta) < best.value) best = { value: Math.exp(logDelta), order: alpha };
  }
  return { value: Math.min(1, best.value), order: best.order };
}
