// "What this epsilon means": the largest true-positive rate any membership attack can reach at each false-positive
// rate when training is (epsilon, delta)-DP, for the model page's figure, and the check of an empirical ROC against
// that ceiling.
//
// The hypothesis-testing region of DP (Kairouz, Oh & Viswanath 2015, Theorem 2.1; Wasserman & Zhou 2010): if a
// mechanism is (epsilon, delta)-DP, every test telling neighbouring datasets apart has false-positive rate FPR and
// false-negative rate FNR with
//     FPR + e^eps FNR >= 1 - delta   and   e^eps FPR + FNR >= 1 - delta,
// so, with TPR = 1 - FNR,
//     TPR <= min(1, e^eps FPR + delta, 1 - e^-eps (1 - delta - FPR)).
// A mechanism satisfies (eps_j, delta_j)-DP for every pair of its privacy profile (an accountant's delta(eps) at
// several eps), so the minimum of these ceilings over the pairs is also a ceiling, and a tighter one: with the full
// profile it is the mechanism's exact trade-off curve (f-DP), e.g. Phi(Phi^-1(FPR) + 1/sigma) for one Gaussian.
import type { Accountant, PrivacyEvent } from "../../trainer/privacy";

export interface PrivacyGuarantee {
  readonly epsilon: number;
  readonly delta: number;
}

export interface TradeoffPoint {
  readonly fpr: number;
  readonly tpr: number;
}

function checkGuarantee({ epsilon, delta }: PrivacyGuarantee): void {
  if (!(epsilon >= 0)) throw new RangeError(`epsilon must be >= 0, got ${epsilon}`);
  if (!(delta >= 0 && delta <= 1)) throw new RangeError(`delta must be in [0, 1], got ${delta}`);
}

/** The largest TPR at `fpr` allowed by every guarantee in `profile` (one guarantee is a profile of one). */
export function maxTpr(profile: readonly PrivacyGuarantee[], fpr: number): number {
  if (profile.length === 0) throw new RangeError("need at least one (epsilon, delta) guarantee");
  if (!(fpr >= 0 && fpr <= 1)) throw new RangeError(`FPR must be in [0, 1], got ${fpr}`);
  let ceiling = 1;
  for (const guarantee of profile) {
    checkGuarantee(guarantee);
    const { epsilon, delta } = guarantee;
    ceiling = Math.min(ceiling, Math.exp(epsilon) * fpr + delta, 1 - Math.exp(-epsilon) * (1 - delta - fpr));
  }
  return ceiling;
}

/** `points` FPR values spaced evenly in log scale from `from` to 1 (default 1e-5 to 1 in 101 points). */
export function logFprGrid(points = 101, from = 1e-5): number[] {
  if (!Number.isSafeInteger(points) || points < 2) throw new RangeError(`need at least 2 points, got ${points}`);
  if (!(from > 0 && from < 1)) throw new RangeError(`the grid must start in (0, 1), got ${from}`);
  const step = -Math.log10(from) / (points - 1);
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? 1 : 10 ** (Math.log10(from) + i * step)));
}

/** The ceiling curve over an FPR grid: the "what this epsilon means" figure. */
export function maxTprCurve(
  profile: readonly PrivacyGuarantee[],
  grid: readonly number[] = logFprGrid(),
): TradeoffPoint[] {
  return grid.map((fpr) => ({ fpr, tpr: maxTpr(profile, fpr) }));
}

/**
 * The privacy profile of an event by an accountant: (epsilon, accountant.delta(event, epsilon)) for each epsilon.
 * Each delta is the accountant's upper bound, so the profile's ceiling is a valid one. Costs one accountant call per
 * epsilon (about 0.1 s for the PLD accountant on a single Gaussian; more for long DP-SGD runs).
 */
export function accountantProfile(
  accountant: Accountant,
  event: PrivacyEvent,
  epsilons: readonly number[],
): PrivacyGuarantee[] {
  return epsilons.map((epsilon) => ({ epsilon, delta: accountant.delta(event, epsilon) }));
}

export interface Exceedance extends TradeoffPoint {
  /** The ceiling at this FPR. */
  readonly maxTpr: number;
}

/**
 * Empirical ROC points above the ceiling: each one, taken at face value, is an attack the guarantee rules out.
 * These are point estimates, so with few members or non-members sampling noise alone can lift a point above the
 * curve; the statistically valid test of the accounting is the one-run audit (one-run-audit.ts).
 */
export function exceedances(
  roc: readonly TradeoffPoint[],
  profile: readonly PrivacyGuarantee[],
  tolerance = 0,
): Exceedance[] {
  return roc
    .map((point) => ({ ...point, maxTpr: maxTpr(profile, point.fpr) }))
    .filter((point) => point.tpr > point.maxTpr + tolerance);
}
