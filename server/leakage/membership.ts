// Loss-based membership inference: the attack guesses "member" when a record's loss under the model is at most a
// threshold (lower loss = more likely a member). From member losses and held-out non-member losses: the ROC curve
// over every threshold, its AUC, the true-positive rate at low false-positive rates, and the ROC thinned for a
// log-log plot. Pure arithmetic; the losses are computed elsewhere.

export interface RocPoint {
  /** Fraction of non-members with loss <= threshold. */
  readonly fpr: number;
  /** Fraction of members with loss <= threshold. */
  readonly tpr: number;
  /** Guess "member" when loss <= threshold; -Infinity is the point (0, 0) that guesses nobody. */
  readonly threshold: number;
}

export interface Roc {
  /** From (0, 0) to (1, 1), one point per distinct loss: equal losses move FPR and TPR together, in one step. */
  readonly points: readonly RocPoint[];
  readonly members: number;
  readonly nonMembers: number;
}

function checkLosses(losses: readonly number[], what: string): void {
  if (losses.length === 0) throw new RangeError(`${what}: need at least one loss`);
  if (!losses.every(Number.isFinite)) throw new RangeError(`${what}: every loss must be a finite number`);
}

/** The ROC curve of the threshold attack at every threshold (every distinct loss value). */
export function rocCurve(memberLosses: readonly number[], nonMemberLosses: readonly number[]): Roc {
  checkLosses(memberLosses, "member losses");
  checkLosses(nonMemberLosses, "non-member losses");
  const labelled = [
    ...memberLosses.map((loss) => ({ loss, member: true })),
    ...nonMemberLosses.map((loss) => ({ loss, member: false })),
  ].sort((a, b) => a.loss - b.loss);
  const m = memberLosses.length;
  const n = nonMemberLosses.length;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: -Infinity }];
  let tp = 0;
  let fp = 0;
  labelled.forEach(({ loss, member }, i) => {
    if (member) tp++;
    else fp++;
    if (labelled[i + 1]?.loss !== loss) points.push({ fpr: fp / n, tpr: tp / m, threshold: loss });
  });
  return { points, members: m, nonMembers: n };
}

/**
 * Area under the ROC curve by the trapezoid rule over the grouped points, which equals the Mann-Whitney statistic
 * P(member loss < non-member loss) + P(equal)/2: a tie group is one diagonal segment, worth half of its rectangle.
 */
export function rocAuc(roc: Roc): number {
  let area = 0;
  for (let i = 1; i < roc.points.length; i++) {
    const a = roc.points[i - 1]!;
    const b = roc.points[i]!;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return area;
}

export interface TprAtFpr {
  readonly targetFpr: number;
  /** The largest TPR among thresholds whose FPR is <= targetFpr (no interpolation between thresholds). */
  readonly tpr: number;
  /** The FPR actually reached by that threshold (<= targetFpr). */
  readonly fpr: number;
  readonly threshold: number;
  /**
   * False when there are fewer than 1/targetFpr non-members: the only FPR <= target is then 0, so `tpr` is the
   * zero-false-positive point, not a measurement at the target rate.
   */
  readonly resolved: boolean;
}

/** The TPR of the best threshold whose false-positive rate does not exceed `targetFpr`. */
export function tprAtFpr(roc: Roc, targetFpr: number): TprAtFpr {
  if (!(targetFpr >= 0 && targetFpr <= 1)) throw new RangeError(`target FPR must be in [0, 1], got ${targetFpr}`);
  // FPR and TPR both rise along the curve, so the last point within the target has the largest TPR.
  let best = roc.points[0]!;
  for (const point of roc.points) if (point.fpr <= targetFpr) best = point;
  return { targetFpr, ...best, resolved: roc.nonMembers * targetFpr >= 1 };
}

export interface LogLogRoc {
  /** ROC points with FPR > 0, at most two per FPR bin (TPR may be 0: draw those on `floor`). */
  readonly points: { fpr: number; tpr: number }[];
  /**
   * Lower limit for both log axes: half of 1 / max(members, non-members), below every nonzero rate the data can
   * produce; points whose TPR is 0 are drawn on it.
   */
  readonly floor: number;
}

/**
 * The ROC thinned for a log-log plot: FPR from 1/non-members to 1 split into `binsPerDecade` log-spaced bins per
 * decade, keeping the first and last point of each bin (the curve is monotone, so this keeps its staircase shape).
 */
export function logLogRoc(roc: Roc, binsPerDecade = 20): LogLogRoc {
  const floor = 0.5 / Math.max(roc.members, roc.nonMembers);
  const positive = roc.points.filter((p) => p.fpr > 0);
  const bin = (fpr: number) => Math.floor(Math.log10(fpr) * binsPerDecade);
  const kept = positive.filter(
    (p, i) => bin(p.fpr) !== bin(positive[i - 1]?.fpr ?? 0) || bin(p.fpr) !== bin(positive[i + 1]?.fpr ?? 2),
  );
  return { points: kept.map(({ fpr, tpr }) => ({ fpr, tpr })), floor };
}

export interface MembershipSummary {
  readonly auc: number;
  readonly tpr_at_fpr_0_1pct: number;
  readonly tpr_at_fpr_1pct: number;
  readonly members: number;
  readonly non_members: number;
  /** Whether 1000 (resp. 100) non-members or more were available, so the 0.1% (resp. 1%) point is measured. */
  readonly fpr_0_1pct_resolved: boolean;
  readonly fpr_1pct_resolved: boolean;
  readonly roc: { fpr: number; tpr: number }[];
}

/** The membership-inference figures stored in a leakage report (see report.ts); `roc` is thinned for log-log. */
export function membershipSummary(
  memberLosses: readonly number[],
  nonMemberLosses: readonly number[],
): MembershipSummary {
  const roc = rocCurve(memberLosses, nonMemberLosses);
  const low = tprAtFpr(roc, 0.001);
  const high = tprAtFpr(roc, 0.01);
  return {
    auc: rocAuc(roc),
    tpr_at_fpr_0_1pct: low.tpr,
    tpr_at_fpr_1pct: high.tpr,
    members: roc.members,
    non_members: roc.nonMembers,
    fpr_0_1pct_resolved: low.resolved,
    fpr_1pct_resolved: high.resolved,
    roc: logLogRoc(roc).points,
  };
}
