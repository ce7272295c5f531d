// Exposure of canaries (Carlini et al. 2019, "The Secret Sharer"): how much more likely the model finds a canary
// than the other members of its randomness space R, in bits. Scores are log-perplexities (lower = more likely),
// computed elsewhere; this file is pure arithmetic.
//
//   exposure = log2|R| - log2 rank,   rank = #{r in R : score(r) <= score(canary)}   (the canary counts itself).
//
// Ties are counted against the canary: it is placed last among equal scores, so ties never raise exposure (a model
// that scores everything alike has exposure 0, not log2|R|). The extrapolation below uses the same "<=".
//
// For spaces too large to score in full, rank is estimated as |R| * P(score <= canary's score) under a skew-normal
// fitted to the scores of a random sample of R, so exposure = -log2 P(score <= canary's score), capped at log2|R|
// (rank >= 1). The skew-normal CDF is F(z; alpha) = Phi(z) - 2 T(z, alpha) with Owen's T function; in the light tail
// (alpha > 0, z < 0), where that difference cancels, F is computed from an integral with no cancellation.
import { logErfc, normalCdf } from "../../trainer/privacy/math";

// ---- quadrature ---------------------------------------------------------------------------------------------------

const GAUSS_ORDER = 16;

/** Nodes and weights of Gauss-Legendre quadrature on [-1, 1], by Newton's method on the Legendre polynomial. */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * derivative * derivative));
  }
  return { nodes, weights };
}

const RULE = gaussLegendre(GAUSS_ORDER);

/** Gauss-Legendre integral of f over the panel [lo, hi]. */
function panel(f: (x: number) => number, lo: number, hi: number): number {
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  let sum = 0;
  for (let i = 0; i < GAUSS_ORDER; i++) sum += (RULE.weights[i] ?? 0) * f(mid + half * (RULE.nodes[i] ?? 0));
  return half * sum;
}

// Integrands below are cut where they have fallen by e^-TAIL_CUT relative to their start (e^-50 < 2e-22).
const TAIL_CUT = 50;

/**
 * (1/2pi) * integral over [x0, x1] of exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx, for h >= 0 and 0 <= x0 <= x1 (x1 may be
 * Infinity when h > 0). This is Owen's T(h, a) for [0, a] and, for [a, Infinity], T(h, Infinity) - T(h, a). The
 * factor exp(-h^2 (1 + x0^2) / 2) is taken out first, so the result keeps its relative accuracy in the far tail.
 *
 * Panels adapt to the integrand: none is wider than the distance to the poles of 1/(1+x^2) at +-i, than 1/h (the
 * Gaussian's width) or than 1/(h^2 x) (one e-fold of its decay), so 16-point Gauss-Legendre is at double precision
 * on each; there are at most a few times TAIL_CUT panels.
 */
function owenIntegral(h: number, x0: number, x1: number): number {
  const cut = h > 0 ? Math.sqrt(x0 * x0 + (2 * TAIL_CUT) / (h * h)) : Infinity;
  const hi = Math.min(x1, cut);
  if (!Number.isFinite(hi)) throw new RangeError("owenIntegral: an infinite range needs h > 0");
  const scale = Math.exp((-h * h * (1 + x0 * x0)) / 2);
  if (scale === 0) return 0; // below the smallest double whatever the integral
  const f = (x: number) => Math.exp((-h * h * (x - x0) * (x + x0)) / 2) / (1 + x * x);
  let body = 0;
  for (let x = x0; x < hi; ) {
    const next = Math.min(hi, x + Math.min(Math.sqrt(1 + x * x), 1 / h, 1 / (h * h * x)));
    body += panel(f, x, next);
    x = next;
  }
  return (scale * body) / (2 * Math.PI);
}

// ---- Owen's T and the skew-normal ------------------------------------------------------------------------------

/**
 * Owen's T function, T(h, a) = (1/2pi) * integral_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx, to about 1e-14
 * relative accuracy (1e-13 for h near 30, the error of exp(-h^2/2) itself). T is even in h and odd in a. For
 * |a| > 1 it uses
 *   T(h, a) = Q(h) (1/2 - Q(ah)) + [Q(ah)/2 - T(ah, 1/a)]       (h >= 0, a > 1, Q = 1 - Phi),
 * whose two terms are both >= 0, so nothing cancels.
 */
export function owensT(h: number, a: number): number {
  if (Number.isNaN(h) || Number.isNaN(a)) return NaN;
  if (a < 0) return -owensT(h, -a);
  const x = Math.abs(h);
  if (a === 0) return 0;
  if (x === 0) return Math.atan(a) / (2 * Math.PI);
  if (a <= 1) return owenIntegral(x, 0, a);
  const qh = normalCdf(-x);
  if (a === Infinity) return qh / 2;
  const qah = normalCdf(-a * x);
  return qh * (0.5 - qah) + (qah / 2 - owensT(a * x, 1 / a));
}

export interface SkewNormal {
  /** Location. */
  readonly xi: number;
  /** Scale, > 0. */
  readonly omega: number;
  /** Shape; 0 is the normal distribution. */
  readonly alpha: number;
}

/** The skew-normal CDF, P(X <= x) for X ~ SN(xi, omega, alpha), accurate in relative terms in the lower tail. */
export function skewNormalCdf(x: number, { xi, omega, alpha }: SkewNormal): number {
  if (!(omega > 0)) throw new RangeError(`skew-normal scale must be > 0, got ${omega}`);
  const z = (x - xi) / omega;
  // Light lower tail: F(z) = 2 * integral_{|z|}^inf phi(t) Q(alpha t) dt = (1/pi) * int_alpha^inf (Owen's integrand).
  if (alpha > 0 && z < 0) return 2 * owenIntegral(-z, alpha, Infinity);
  return Math.min(1, Math.max(0, normalCdf(z) - 2 * owensT(z, alpha)));
}

/** The skew-normal density, for drawing the reference distribution. */
export function skewNormalDensity(x: number, { xi, omega, alpha }: SkewNormal): number {
  const z = (x - xi) / omega;
  return ((2 / omega) * Math.exp((-z * z) / 2) * normalCdf(alpha * z)) / Math.sqrt(2 * Math.PI);
}

/** The skewness of a skew-normal tends to this as |alpha| grows; sample skewness is clamped just inside it. */
export const MAX_SKEW_NORMAL_SKEWNESS = ((4 - Math.PI) / 2) * (2 / Math.PI) ** 1.5 / (1 - 2 / Math.PI) ** 1.5;
const SKEWNESS_CLAMP = 0.99;
/** Bound on |alpha| in the likelihood fit: beyond it the skew-normal is a half-normal for all practical purposes. */
const MAX_ALPHA = 50;

/**
 * Method-of-moments fit of a skew-normal: matches mean, variance and skewness, the sample skewness clamped to +-0.99
 * (inside the admissible range of about +-0.9953). Needs >= 3 finite scores, not all equal.
 */
export function fitSkewNormalMoments(scores: readonly number[]): SkewNormal {
  const n = scores.length;
  if (n < 3) throw new RangeError(`a skew-normal fit needs at least 3 scores, got ${n}`);
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m3 = 0;
  for (const s of scores) {
    const d = s - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  if (!(m2 > 0) || !Number.isFinite(m2)) throw new RangeError("a skew-normal fit needs finite scores, not all equal");
  const g = Math.min(SKEWNESS_CLAMP, Math.max(-SKEWNESS_CLAMP, m3 / m2 ** 1.5));
  // Invert skewness = ((4 - pi)/2) (delta sqrt(2/pi))^3 / (1 - 2 delta^2/pi)^(3/2) for delta = alpha/sqrt(1+alpha^2).
  const g23 = Math.abs(g) ** (2 / 3);
  const delta = Math.sign(g) * Math.sqrt((Math.PI / 2) * (g23 / (g23 + ((4 - Math.PI) / 2) ** (2 / 3))));
  const omega = Math.sqrt(m2 / (1 - (2 * delta * delta) / Math.PI));
  return { xi: mean - omega * delta * Math.sqrt(2 / Math.PI), omega, alpha: delta / Math.sqrt(1 - delta * delta) };
}

/** Log-likelihood of scores under a skew-normal: sum of log(2/omega) + log phi(z) + log Phi(alpha z). */
export function skewNormalLogLikelihood(scores: readonly number[], { xi, omega, alpha }: SkewNormal): number {
  let sum = scores.length * (Math.log(2 / omega) - 0.5 * Math.log(2 * Math.PI));
  for (const s of scores) {
    const z = (s - xi) / omega;
    sum += (-z * z) / 2 + Math.log(0.5) + logErfc((-alpha * z) / Math.SQRT2);
  }
  return sum;
}

/** Minimises f by the Nelder-Mead simplex method from `start`, with initial simplex steps `steps`. */
function nelderMead(f: (p: readonly number[]) => number, start: number[], steps: readonly number[]): number[] {
  const n = start.length;
  const point = (p: number[]) => ({ p, v: f(p) });
  let simplex = [start, ...steps.map((step, i) => start.map((v, j) => (j === i ? v + step : v)))].map(point);
  for (let iteration = 0; iteration < 200 * n; iteration++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (worst.v - best.v <= 1e-10 * (1 + Math.abs(best.v))) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((acc, s) => acc + s.p[j]!, 0) / n);
    const along = (t: number) => point(centroid.map((c, j) => c + t * (worst.p[j]! - c)));
    const reflected = along(-1);
    if (reflected.v < best.v) {
      const expanded = along(-2);
      simplex[n] = expanded.v < reflected.v ? expanded : reflected;
    } else if (reflected.v < simplex[n - 1]!.v) {
      simplex[n] = reflected;
    } else {
      const contracted = along(reflected.v < worst.v ? -0.5 : 0.5);
      if (contracted.v < Math.min(reflected.v, worst.v)) simplex[n] = contracted;
      else simplex = simplex.map((s) => point(s.p.map((v, j) => best.p[j]! + 0.5 * (v - best.p[j]!))));
    }
  }
  return simplex.reduce((a, b) => (b.v < a.v ? b : a)).p;
}

/**
 * Maximum-likelihood skew-normal fit (as scipy's skewnorm.fit, which The Secret Sharer used), by Nelder-Mead from
 * the method-of-moments fit, with |alpha| <= 50. The moments fit alone is unstable for strongly skewed scores: its
 * map from sample skewness to alpha is steep near the admissible bound.
 */
export function fitSkewNormal(scores: readonly number[]): SkewNormal {
  const start = fitSkewNormalMoments(scores);
  const toFit = (p: readonly number[]): SkewNormal => ({
    xi: p[0]!,
    omega: Math.exp(p[1]!),
    alpha: Math.max(-MAX_ALPHA, Math.min(MAX_ALPHA, p[2]!)),
  });
  const best = nelderMead(
    (p) => -skewNormalLogLikelihood(scores, toFit(p)),
    [start.xi, Math.log(start.omega), Math.max(-MAX_ALPHA, Math.min(MAX_ALPHA, start.alpha))],
    [0.1 * start.omega, 0.1, 0.5],
  );
  return toFit(best);
}

// ---- exposure ---------------------------------------------------------------------------------------------------

/** Index of the first element of sorted `xs` that is > x (so the count of elements <= x). */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Exact exposure of each canary, from the scores of every member of R (the canaries' own scores among them):
 * rank = #{space scores <= canary score}, exposure = log2|R| - log2 rank. Throws if a canary's score is below every
 * space score (the canary cannot be a member of the scored space then).
 */
export function exactExposures(canaryScores: readonly number[], spaceScores: readonly number[]): number[] {
  if (spaceScores.some(Number.isNaN) || canaryScores.some(Number.isNaN)) throw new RangeError("scores must not be NaN");
  const sorted = [...spaceScores].sort((a, b) => a - b);
  const log2Size = Math.log2(sorted.length);
  return canaryScores.map((score) => {
    const rank = countAtMost(sorted, score);
    if (rank === 0) throw new RangeError(`canary score ${score} is below every score of the space: not a member of it`);
    return log2Size - Math.log2(rank);
  });
}

/**
 * Extrapolated exposure (the skew-normal method of The Secret Sharer, section 4.3): -log2 F(canary score) for the
 * skew-normal F fitted to scores of random members of R, capped at log2|R|, the exposure of rank 1.
 */
export function extrapolatedExposure(canaryScore: number, fit: SkewNormal, log2SpaceSize: number): number {
  const p = skewNormalCdf(canaryScore, fit);
  if (p >= 1) return 0;
  return p > 0 ? Math.min(log2SpaceSize, -Math.log2(p)) : log2SpaceSize;
}

export interface ScoreHistogram {
  /** bins + 1 increasing edges; bin i is [edges[i], edges[i+1]) and the last bin includes its right edge. */
  readonly edges: number[];
  /** Counts of the reference sample's scores (random members of R) per bin. */
  readonly candidates: number[];
  /** Counts of the canaries' scores per bin. */
  readonly canaries: number[];
  /** Expected counts per bin of the reference sample under the fitted skew-normal, when a fit is given. */
  readonly expected?: number[];
}

/** Histogram of candidate and canary scores on shared bins, for the exposure plot. */
export function scoreHistogram(
  candidateScores: readonly number[],
  canaryScores: readonly number[],
  bins: number,
  fit?: SkewNormal,
): ScoreHistogram {
  if (!Number.isSafeInteger(bins) || bins < 1) throw new RangeError(`bins must be a whole number >= 1, got ${bins}`);
  const all = [...candidateScores, ...canaryScores];
  if (all.length === 0 || !all.every(Number.isFinite)) throw new RangeError("scores must be finite and not empty");
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
  const counts = (scores: readonly number[]) => {
    const out = new Array<number>(bins).fill(0);
    for (const s of scores) out[Math.min(bins - 1, Math.floor(((s - lo) / (hi - lo)) * bins))]! += 1;
    return out;
  };
  const histogram = { edges, candidates: counts(candidateScores), canaries: counts(canaryScores) };
  if (!fit) return histogram;
  const expected = edges
    .slice(1)
    .map((edge, i) => candidateScores.length * (skewNormalCdf(edge, fit) - skewNormalCdf(edges[i] as number, fit)));
  return { ...histogram, expected };
}

