// One-run privacy audit (Steinke, Nasr & Jagielski 2023, "Privacy Auditing with One (1) Training Run",
// arXiv:2305.08846): an empirical lower bound on epsilon, at confidence 1 - beta, from one training run into which
// m canaries were inserted, each independently with probability 1/2.
//
// The game. S_1..S_m are the canaries' fair coins (in / out). After training, each canary gets a score computed
// without looking at the coins (higher = more confidently "in", e.g. minus its loss). With k+ and k- fixed before
// training (the CanaryPlan), the auditor guesses "in" for the k+ highest scores, "out" for the k- lowest and abstains
// on the rest: r = k+ + k- guesses, of which v are correct. Ties in score are broken by canary index, which is
// independent of the coins.
//
// The statements implemented (q = e^eps / (1 + e^eps), the accuracy of eps-DP randomised response; B ~ Bin(r, q)):
//
//   pure DP (their main theorem): if training is eps-DP with respect to one canary, then for every v
//     P[W >= v] <= P[B >= v]                  (W, the number of correct guesses, is dominated by B);
//
//   approximate DP (their (eps, delta) theorem, computed as in their numerical procedure): if training is
//   (eps, delta)-DP with respect to one canary, then for every v
//     P[W >= v] <= P[B >= v] + 2 m delta * max_{i = 1..v} P[v - i <= B < v] / i.
//
// Call the right-hand side p(eps, delta; v). It is a p-value for the hypothesis "training is (eps, delta)-DP". The
// reported lower bound is
//
//   eps_lb = the largest eps (to 1e-9, by bisection) with p(eps, delta; v) < beta, or 0 when p(0, delta; v) >= beta.
//
// Meaning: for any training run that is in fact (eps, delta)-DP, P[eps_lb > eps] <= beta. (An (eps, delta)-DP run
// is also (eps', delta)-DP for every eps' > eps, so eps_lb > eps with p(eps_lb) < beta is a rejection of a true
// hypothesis, which happens with probability at most beta.) So "training is not (eps, delta)-DP for any
// eps < eps_lb", at confidence 1 - beta.
//
// Which delta. With delta = 0 the number bounds the pure-DP epsilon, which for DP-SGD (Gaussian noise) is infinite
// anyway: a delta = 0 bound above the accountant's epsilon at delta = 1e-5 would not show a bug. To test the
// accountant, pass the accountant's own delta and compare eps_lb with the accountant's epsilon at that delta. If an
// inserted canary appears `repeats` > 1 times and the privacy unit is a record, the canary is a group of that many
// units: compare with the group-privacy guarantee (trainer/privacy groupPrivacy), not the per-record epsilon.
import { CompensatedSum, logAddExp } from "../../trainer/privacy/math";

/** The auditor's guesses: +1 ("in") for the kPlus highest scores, -1 ("out") for the kMinus lowest, 0 otherwise. */
export function oneRunGuesses(scores: readonly number[], kPlus: number, kMinus: number): Array<-1 | 0 | 1> {
  const m = scores.length;
  for (const [k, name] of [
    [kPlus, "k_plus"],
    [kMinus, "k_minus"],
  ] as const) {
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${k}`);
  }
  if (kPlus + kMinus > m) throw new RangeError(`k_plus + k_minus = ${kPlus + kMinus} exceeds the ${m} canaries`);
  if (!scores.every((s) => !Number.isNaN(s))) throw new RangeError("canary scores must not be NaN");
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const guesses = new Array<-1 | 0 | 1>(m).fill(0);
  order.slice(0, kPlus).forEach((i) => (guesses[i] = 1));
  order.slice(m - kMinus).forEach((i) => (guesses[i] = -1));
  return guesses;
}

/** log of every binomial coefficient C(r, k), k = 0..r, from compensated sums of logarithms. */
function logBinomialCoefficients(r: number): number[] {
  const logFactorial: number[] = [0];
  const sum = new CompensatedSum();
  for (let i = 1; i <= r; i++) {
    sum.add(Math.log(i));
    logFactorial.push(sum.value);
  }
  return logFactorial.map((lf, k) => (logFactorial[r] as number) - lf - (logFactorial[r - k] as number));
}

export interface OneRunCounts {
  /** Number of canaries (each included with probability 1/2). */
  readonly m: number;
  /** Number of guesses made (abstentions excluded). */
  readonly r: number;
  /** Number of correct guesses. */
  readonly v: number;
}

function checkCounts({ m, r, v }: OneRunCounts): void {
  if (![m, r, v].every((x) => Number.isSafeInteger(x) && x >= 0) || !(v <= r && r <= m)) {
    throw new RangeError(`need whole numbers 0 <= v <= r <= m, got m=${m}, r=${r}, v=${v}`);
  }
}

/** p(eps, delta; v) of the file comment for given binomial coefficients (logs), in [0, 1]. */
function pValue(logChoose: readonly number[], { m, r, v }: OneRunCounts, epsilon: number, delta: number): number {
  const logQ = -Math.log1p(Math.exp(-epsilon)); // log(e^eps / (1 + e^eps))
  const log1mQ = -epsilon + logQ; // log(1 / (1 + e^eps))
  const logPmf = (k: number) => (logChoose[k] as number) + k * logQ + (r - k) * log1mQ;
  let logTail = -Infinity;
  for (let k = r; k >= v; k--) logTail = logAddExp(logTail, logPmf(k));
  let worst = 0; // max over i of P[v - i <= B < v] / i
  if (delta > 0) {
    const below = new CompensatedSum();
    for (let i = 1; i <= v; i++) {
      below.add(Math.exp(logPmf(v - i)));
      worst = Math.max(worst, below.value / i);
    }
  }
  return Math.min(1, Math.exp(logTail) + 2 * m * delta * worst);
}

/** p(eps, delta; v): an upper bound on P[>= v correct out of r] for an (eps, delta)-DP training run. */
export function oneRunPValue(counts: OneRunCounts, epsilon: number, delta: number): number {
  checkCounts(counts);
  if (!(epsilon >= 0 && Number.isFinite(epsilon))) throw new RangeError(`epsilon must be finite and >= 0: ${epsilon}`);
  if (!(delta >= 0 && delta <= 1)) throw new RangeError(`delta must be in [0, 1], got ${delta}`);
  return pValue(logBinomialCoefficients(counts.r), counts, epsilon, delta);
}

/** eps_lb of the file comment: the empirical epsilon lower bound at confidence 1 - beta. */
export function oneRunEpsilonLowerBound(counts: OneRunCounts, delta: number, confidence: number): number {
  checkCounts(counts);
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`delta must be in [0, 1), got ${delta}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const beta = 1 - confidence;
  const logChoose = logBinomialCoefficients(counts.r);
  const rejected = (epsilon: number) => pValue(logChoose, counts, epsilon, delta) < beta;
  if (!rejected(0)) return 0;
  let lo = 0; // rejected(lo) throughout
  let hi = 1; // not rejected(hi) once found: as eps grows, P[B >= v] -> 1 > beta since v <= r
  while (rejected(hi)) [lo, hi] = [hi, 2 * hi];
  while (hi - lo > 1e-9 * Math.max(1, hi)) {
    const mid = (lo + hi) / 2;
    if (rejected(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface OneRunAuditResult {
  readonly m: number;
  readonly k_plus: number;
  readonly k_minus: number;
  /** r = k_plus + k_minus. */
  readonly guesses: number;
  /** v, the number of correct guesses. */
  readonly correct: number;
  readonly delta: number;
  readonly confidence: number;
  readonly epsilon_lower_bound: number;
}

/** The whole audit, from the canaries' scores and their inclusion coins (same order). */
export function oneRunAudit(input: {
  scores: readonly number[];
  included: readonly boolean[];
  kPlus: number;
  kMinus: number;
  delta: number;
  confidence: number;
}): OneRunAuditResult {
  const { scores, included, kPlus, kMinus, delta, confidence } = input;
  if (included.length !== scores.length) {
    throw new RangeError(`${scores.length} scores but ${included.length} inclusion flags`);
  }
  const guesses = oneRunGuesses(scores, kPlus, kMinus);
  const correct = guesses.filter((g, i) => (g === 1 && included[i]) || (g === -1 && !included[i])).length;
  const counts = { m: scores.length, r: kPlus + kMinus, v: correct };
  return {
    m: counts.m,
    k_plus: kPlus,
    k_minus: kMinus,
    guesses: counts.r,
    correct,
    delta,
    confidence,
    epsilon_lower_bound: oneRunEpsilonLowerBound(counts, delta, confidence),
  };
}
