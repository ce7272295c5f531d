// PLD accountant: privacy loss distributions of the (Poisson-subsampled) Gaussian, discretised pessimistically on a
// grid of privacy-loss values k * interval, composed by FFT, and read off as a tight (epsilon, delta).
//
// Discretisation ("connect the dots", Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022, arXiv:2207.04380): the
// mass of P in each loss bucket (l_{j-1}, l_j] is split between the two grid points so that both the P-mass and
// the Q-mass of the bucket are kept. The resulting discrete hockey-stick curve delta(eps) is the chord of the true
// (convex in e^eps) curve between grid points, so it is >= the true curve everywhere and equal at grid points; it
// is the curve of a pair that dominates the mechanism, so compositions of it also dominate (upper bound).
// Every truncation is pessimistic as well: mass cut above the window goes to +infinity loss, mass cut below goes
// to the lowest loss kept. The answer is therefore never below the true epsilon (tests check this against closed
// forms) and, at the default interval of 1e-4, typically within about 1e-3 of it.
//
// Add-or-remove adjacency: for a Poisson-subsampled Gaussian the mechanism on D (unit absent) outputs
// N(0, s^2) and on D + unit the mixture (1-q) N(0, s^2) + q N(1, s^2), in units of the clipping norm. "remove"
// is the PLD of (mixture || Gaussian), "add" of (Gaussian || mixture). A composition uses one fixed pair of
// neighbours, so each direction composes separately and the worse one is reported.

import { convolve, cyclicSelfConvolution, nextPowerOfTwo } from "./fft";
import { flattenEvent, type PrivacyEvent } from "./events";
import { CompensatedSum, logAddExp, normalCdf, normalUpperQuantile } from "./math";

/** Default grid interval of privacy-loss values (the same as Google's dp_accounting PLDAccountant). */
export const DEFAULT_DISCRETISATION_INTERVAL = 1e-4;
/** Noise mass left beyond the grid for one mechanism, per tail (e^-50, as in dp_accounting). */
const NOISE_TAIL_MASS = Math.exp(-50);
/** Mass that each composition may cut from each tail of its result (moved pessimistically, never dropped). */
const COMPOSITION_TAIL_MASS = 1e-15;
/** Largest grid (or FFT) the accountant will allocate: 2^23 doubles is 64 MiB per array. */
const MAX_BINS = 2 ** 23;

export type Direction = "remove" | "add";
const DIRECTIONS: readonly Direction[] = ["remove", "add"];

/** A privacy loss distribution on the grid interval * Z: masses[k] at loss (offset + k) * interval, plus +infinity. */
export interface DiscretePld {
  interval: number;
  offset: number;
  masses: Float64Array;
  infinityMass: number;
}

export interface PldOptions {
  /** Grid interval of privacy-loss values; smaller is tighter and slower. Default 1e-4. */
  discretisationInterval?: number;
}

function checkSize(bins: number, interval: number): void {
  if (bins > MAX_BINS) {
    throw new RangeError(
      `the PLD would need ${bins} grid points at discretisation interval ${interval}; ` +
        `use a larger interval or the RDP accountant`,
    );
  }
}

const identity = (interval: number): DiscretePld => ({
  interval,
  offset: 0,
  masses: Float64Array.of(1),
  infinityMass: 0,
});

/** Lower and upper tail of N(mean, s^2) at x, each accurate where it is small. */
function gaussianTails(x: number, mean: number, s: number): [below: number, above: number] {
  const z = (x - mean) / s;
  const small = normalCdf(-Math.abs(z));
  return z < 0 ? [small, 1 - small] : [1 - small, small];
}

/** The discretised PLD of one step of the Gaussian with noise multiplier sigma on a Poisson sample of rate q. */
export function subsampledGaussianPld(q: number, sigma: number, interval: number, direction: Direction): DiscretePld {
  const s2 = sigma * sigma;
  const log1mQ = Math.log1p(-q);
  const logQ = Math.log(q);
  // log(mixture density / Gaussian density) at x, increasing in x, and its inverse.
  const logRatio = (x: number) => (q === 1 ? (2 * x - 1) / (2 * s2) : logAddExp(log1mQ, logQ + (2 * x - 1) / (2 * s2)));
  const inverse = (u: number) =>
    q === 1 ? s2 * u + 0.5 : u <= log1mQ ? -Infinity : s2 * (Math.log(Math.expm1(u) + q) - logQ) + 0.5;

  // For a loss boundary l: P[L <= l], P[L > l], Q[L <= l], Q[L > l], each accurate where small.
  const tailsAt = (l: number): [number, number, number, number] => {
    const x = inverse(direction === "remove" ? l : -l);
    const [b0, a0] = gaussianTails(x, 0, sigma);
    const [b1, a1] = gaussianTails(x, 1, sigma);
    const mixBelow = (1 - q) * b0 + q * b1;
    const mixAbove = (1 - q) * a0 + q * a1;
    // remove: P = mixture, Q = Gaussian, L = logRatio(x). add: P = Gaussian, Q = mixture, L = -logRatio(x).
    return direction === "remove" ? [mixBelow, mixAbove, b0, a0] : [a0, b0, mixAbove, mixBelow];
  };

  const z = normalUpperQuantile(NOISE_TAIL_MASS);
  const [lossMin, lossMax] =
    direction === "remove"
      ? [logRatio(-z * sigma), logRatio(1 + z * sigma)]
      : [-logRatio(z * sigma), -logRatio(-z * sigma)];
  const first = Math.floor(lossMin / interval);
  const last = Math.ceil(lossMax / interval);
  const n = last - first + 1;
  checkSize(n, interval);

  const masses = new Float64Array(n);
  const upShare = -Math.expm1(-interval);
  let [pBelow, pAbove, qBelow, qAbove] = tailsAt(first * interval);
  masses[0] = pBelow; // everything at or below the lowest grid point is rounded up to it
  for (let k = 1; k < n; k++) {
    const lower = (first + k - 1) * interval;
    const [pb, pa, qb, qa] = tailsAt(lower + interval);
    const p = pb < 0.5 ? pb - pBelow : pAbove - pa;
    const qMass = qb < 0.5 ? qb - qBelow : qAbove - qa;
    // Split the bucket (lower, lower + interval] between its end points so that it keeps its P-mass p and its
    // Q-mass: the upper end gets (p - e^lower q) / (1 - e^-interval), the lower end the rest of p.
    const up = Math.min(p, Math.max(0, (p - Math.exp(lower) * qMass) / upShare));
    masses[k] = (masses[k] as number) + up;
    masses[k - 1] = (masses[k - 1] as number) + (p - up);
    [pBelow, pAbove, qBelow, qAbove] = [pb, pa, qb, qa];
  }
  // Above the top grid point: the part that the chord to +infinity leaves goes to +infinity.
  const top = last * interval;
  masses[n - 1] = (masses[n - 1] as number) + Math.exp(top) * qAbove;
  return { interval, offset: first, masses, infinityMass: Math.max(0, pAbove - Math.exp(top) * qAbove) };
}

/** Cuts up to `tail` mass from each end: the low end's mass moves up to the first loss kept, the high end's to +inf. */
function truncateTails(pld: DiscretePld, tail: number): DiscretePld {
  const { masses } = pld;
  let start = 0;
  let lowCut = 0;
  while (start < masses.length - 1 && lowCut + (masses[start] as number) <= tail) lowCut += masses[start++] as number;
  let end = masses.length - 1;
  let highCut = 0;
  while (end > start && highCut + (masses[end] as number) <= tail) highCut += masses[end--] as number;
  const kept = masses.slice(start, end + 1);
  kept[0] = (kept[0] as number) + lowCut;
  return { ...pld, offset: pld.offset + start, masses: kept, infinityMass: pld.infinityMass + highCut };
}

/** The PLD of running both mechanisms (independent privacy losses add: convolution). */
export function composePld(a: DiscretePld, b: DiscretePld): DiscretePld {
  checkSize(nextPowerOfTwo(a.masses.length + b.masses.length - 1), a.interval);
  const masses = convolve(a.masses, b.masses).map((m) => Math.max(0, m));
  const infinityMass = 1 - (1 - a.infinityMass) * (1 - b.infinityMass);
  return truncateTails({ interval: a.interval, offset: a.offset + b.offset, masses, infinityMass }, COMPOSITION_TAIL_MASS);
}

/**
 * Bounds [low, high] on the sum of `count` independent grid indices drawn from `masses` such that each tail beyond
 * them has mass <= COMPOSITION_TAIL_MASS: Pr[S > h] <= e^{-t h} M(t)^count for every t > 0 (Chernoff), and
 * likewise below, minimised over a geometric grid of t centred on the Gaussian optimum.
 */
function chernoffWindow(masses: Float64Array, count: number): [low: number, high: number] {
  const n = masses.length;
  let total = 0;
  let mean = 0;
  let square = 0;
  for (let k = 0; k < n; k++) {
    const m = masses[k] as number;
    total += m;
    mean += m * k;
    square += m * k * k;
  }
  mean /= total;
  const spread = Math.sqrt(Math.max(square / total - mean * mean, 1));
  const logTail = Math.log(COMPOSITION_TAIL_MASS);
  // log E[e^{t (K - mean)}] over the (sub-)probability masses, centred for numerical range.
  const logMgf = (t: number) => {
    let peak = -Infinity;
    for (let k = 0; k < n; k++) if ((masses[k] as number) > 0) peak = Math.max(peak, t * (k - mean));
    let sum = 0;
    for (let k = 0; k < n; k++) sum += (masses[k] as number) * Math.exp(t * (k - mean) - peak);
    return peak + Math.log(sum);
  };
  let low = 0;
  let high = count * (n - 1);
  const t0 = Math.sqrt((-2 * logTail) / count) / spread;
  for (let i = -8; i <= 8; i++) {
    const t = t0 * 2 ** i;
    const up = count * mean + (count * logMgf(t) - logTail) / t;
    const down = count * mean + (logTail - count * logMgf(-t)) / t;
    if (Number.isFinite(up)) high = Math.min(high, Math.ceil(up));
    if (Number.isFinite(down)) low = Math.max(low, Math.floor(down));
  }
  return [low, high];
}

/**
 * The PLD of `count` runs of one mechanism: one FFT, a pointwise power, one inverse FFT, over a window that a
 * Chernoff bound shows to hold all but COMPOSITION_TAIL_MASS of each tail. Mass landing outside the window, and the
 * bound on mass above it (which the cyclic transform may have wrapped to lower losses), are added to +infinity.
 */
export function selfComposePld(pld: DiscretePld, count: number): DiscretePld {
  if (count === 1) return pld;
  const { masses } = pld;
  const n = masses.length;
  // Sums (in grid units, relative to count * offset) lie in [low, high] except for COMPOSITION_TAIL_MASS per tail.
  let low = 0;
  let high = count * (n - 1);
  if (nextPowerOfTwo(high + 1) > 2 * nextPowerOfTwo(n)) [low, high] = chernoffWindow(masses, count);
  const width = high - low + 1;
  const size = nextPowerOfTwo(Math.max(width, n));
  checkSize(size, pld.interval);

  const cyclic = cyclicSelfConvolution(masses, count, size);
  const out = new Float64Array(width);
  let inside = 0;
  let everywhere = 0;
  for (let k = 0; k < size; k++) everywhere += Math.max(0, cyclic[k] as number);
  for (let k = 0; k < width; k++) {
    const m = Math.max(0, cyclic[(low + k) % size] as number);
    out[k] = m;
    inside += m;
  }
  const infinityMass =
    -Math.expm1(count * Math.log1p(-pld.infinityMass)) + (everywhere - inside) + COMPOSITION_TAIL_MASS;
  return truncateTails(
    { interval: pld.interval, offset: count * pld.offset + low, masses: out, infinityMass },
    COMPOSITION_TAIL_MASS,
  );
}

/** delta(eps) = P[L = inf] + E[(1 - e^{eps - L})_+] of a discrete PLD. */
export function pldDeltaForEpsilon(pld: DiscretePld, epsilon: number): number {
  const delta = new CompensatedSum();
  delta.add(pld.infinityMass);
  pld.masses.forEach((m, k) => {
    const loss = (pld.offset + k) * pld.interval;
    if (loss > epsilon) delta.add(-m * Math.expm1(epsilon - loss));
  });
  return Math.min(1, delta.value);
}

/** The smallest eps >= 0 with delta(eps) <= delta, exactly for the discrete PLD (Infinity if none). */
export function pldEpsilonForDelta(pld: DiscretePld, delta: number): number {
  const { masses, offset, interval, infinityMass } = pld;
  if (infinityMass > delta) return Infinity;
  // delta(eps) is decreasing; on [loss_k, loss_{k+1}) it is infinityMass + above - e^eps * weighted, with the sums
  // over the grid points above. Walk down from the top to the interval where it first exceeds delta.
  const above = new CompensatedSum();
  above.add(infinityMass);
  const weighted = new CompensatedSum();
  let upper = Infinity;
  for (let k = masses.length - 1; k >= -1; k--) {
    const loss = k >= 0 ? (offset + k) * interval : -Infinity;
    const low = Math.max(loss, 0);
    if (above.value - Math.exp(low) * weighted.value > delta) {
      const epsilon = Math.log((above.value - delta) / weighted.value);
      return Math.min(upper, Math.max(low, epsilon));
    }
    if (loss <= 0) return 0;
    const m = masses[k] as number;
    above.add(m);
    weighted.add(m * Math.exp(-loss));
    upper = loss;
  }
  return 0;
}

/** The pair of PLDs (one per adjacency direction) of an event. */
export function pldOfEvent(event: PrivacyEvent, options: PldOptions = {}): Record<Direction, DiscretePld> {
  const interval = options.discretisationInterval ?? DEFAULT_DISCRETISATION_INTERVAL;
  if (!(interval > 0 && interval <= 1)) throw new RangeError(`discretisation interval must be in (0, 1], got ${interval}`);
  const mechanisms = flattenEvent(event);
  // Unsubsampled Gaussians compose exactly into one Gaussian: sum of count / sigma^2 is 1 / sigma_eff^2.
  const precision = mechanisms
    .filter((m) => m.samplingRate === 1)
    .reduce((sum, m) => sum + m.count / (m.noiseMultiplier * m.noiseMultiplier), 0);
  const parts: Record<Direction, DiscretePld[]> = { remove: [], add: [] };
  if (precision > 0) {
    // The Gaussian's PLD is the same in both directions (by the symmetry x -> 1 - x).
    const merged = subsampledGaussianPld(1, 1 / Math.sqrt(precision), interval, "remove");
    parts.remove.push(merged);
    parts.add.push(merged);
  }
  for (const { samplingRate, noiseMultiplier, count } of mechanisms) {
    if (samplingRate === 1) continue;
    for (const direction of DIRECTIONS) {
      const step = subsampledGaussianPld(samplingRate, noiseMultiplier, interval, direction);
      parts[direction].push(selfComposePld(step, count));
    }
  }
  const combine = (list: DiscretePld[]) => (list.length > 0 ? list.reduce(composePld) : identity(interval));
  return { remove: combine(parts.remove), add: combine(parts.add) };
}

/** Epsilon of an event at delta under add-or-remove adjacency (the worse direction). */
export function pldEpsilon(event: PrivacyEvent, delta: number, options: PldOptions = {}): number {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  const { remove, add } = pldOfEvent(event, options);
  return Math.max(pldEpsilonForDelta(remove, delta), pldEpsilonForDelta(add, delta));
}

/** Delta of an event at epsilon under add-or-remove adjacency (the worse direction). */
export function pldDelta(event: PrivacyEvent, epsilon: number, options: PldOptions = {}): number {
  if (!(epsilon >= 0)) throw new RangeError(`epsilon must be >= 0, got ${epsilon}`);
  const { remove, add } = pldOfEvent(event, options);
  return Math.max(pldDeltaForEpsilon(remove, epsilon), pldDeltaForEpsilon(add, epsilon));
}
