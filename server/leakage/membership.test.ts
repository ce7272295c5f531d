// Membership inference figures: ROC and AUC, TPR at a low FPR, the log-log ROC and the summary.
import { describe, expect, it } from "vitest";
import { logLogRoc, membershipSummary, rocAuc, rocCurve, tprAtFpr } from "./membership";

/** AUC by brute force over all pairs: P(member loss < non-member loss) + P(equal) / 2. */
function pairwiseAuc(members: number[], nonMembers: number[]): number {
  let wins = 0;
  for (const a of members) for (const b of nonMembers) wins += a < b ? 1 : a === b ? 0.5 : 0;
  return wins / (members.length * nonMembers.length);
}

/** Deterministic, well-spread pseudo-random losses (a Weyl sequence mapped through a logit). */
function losses(n: number, offset: number, shift: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const u = ((i + 0.5) * 0.6180339887498949 + offset) % 1;
    return shift + Math.log(u / (1 - u));
  });
}

describe("rocCurve and rocAuc", () => {
  it("computes a small example by hand, ties grouped into one step", () => {
    // members 1, 2, 3, 5; non-members 2, 4, 6. Thresholds: 1, 2 (one member and one non-member tie), 3, 4, 5, 6.
    const roc = rocCurve([1, 2, 3, 5], [2, 4, 6]);
    expect(roc.points.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [-Infinity, 0, 0],
      [1, 0, 0.25],
      [2, 1 / 3, 0.5],
      [3, 1 / 3, 0.75],
      [4, 2 / 3, 0.75],
      [5, 2 / 3, 1],
      [6, 1, 1],
    ]);
    // Pairs: 1 beats 3 non-members; 2 ties 2 and beats 4, 6; 3 beats 4, 6; 5 beats 6. (3 + 2.5 + 2 + 1) / 12.
    expect(rocAuc(roc)).toBeCloseTo(8.5 / 12, 15);
    expect(rocAuc(roc)).toBeCloseTo(pairwiseAuc([1, 2, 3, 5], [2, 4, 6]), 15);
  });

  it("equals the pairwise Mann-Whitney statistic with many ties", () => {
    const members = [0, 0, 1, 1, 1, 2, 3, 3, 5];
    const nonMembers = [0, 1, 1, 2, 2, 2, 4, 5, 5, 5];
    expect(rocAuc(rocCurve(members, nonMembers))).toBeCloseTo(pairwiseAuc(members, nonMembers), 15);
    expect(rocAuc(rocCurve([7, 7], [7, 7, 7]))).toBe(0.5);
  });

  it("gives ~0.5 for identical distributions and 1 for perfectly separated ones", () => {
    expect(Math.abs(rocAuc(rocCurve(losses(5000, 0.1, 0), losses(5000, 0.37, 0))) - 0.5)).toBeLessThan(0.01);
    expect(rocAuc(rocCurve(losses(500, 0.1, -20), losses(500, 0.2, 20)))).toBe(1);
    expect(rocAuc(rocCurve(losses(500, 0.1, 20), losses(500, 0.2, -20)))).toBe(0);
  });

  it("rejects empty or non-finite losses", () => {
    expect(() => rocCurve([], [1])).toThrow(/member losses/);
    expect(() => rocCurve([1], [NaN])).toThrow(/non-member losses/);
  });
});

describe("tprAtFpr", () => {
  it("takes the largest TPR whose FPR does not exceed the target", () => {
    const roc = rocCurve([1, 2, 3, 5], [2, 4, 6]);
    expect(tprAtFpr(roc, 0)).toMatchObject({ tpr: 0.25, fpr: 0, threshold: 1, resolved: false });
    expect(tprAtFpr(roc, 0.5)).toMatchObject({ tpr: 0.75, fpr: 1 / 3, threshold: 3, resolved: true });
    expect(tprAtFpr(roc, 1)).toMatchObject({ tpr: 1, fpr: 1 });
    expect(() => tprAtFpr(roc, 2)).toThrow(RangeError);
  });

  it("is the zero-FPR point when there are fewer than 1/target non-members", () => {
    const members = losses(2000, 0.3, -1);
    const few = rocCurve(members, losses(999, 0.7, 0));
    const low = tprAtFpr(few, 0.001);
    expect(low.fpr).toBe(0);
    expect(low.resolved).toBe(false);
    const enough = tprAtFpr(rocCurve(members, losses(1000, 0.7, 0)), 0.001);
    expect(enough.resolved).toBe(true);
    expect(enough.fpr).toBeLessThanOrEqual(0.001);
  });
});

describe("logLogRoc and membershipSummary", () => {
  it("keeps FPR > 0 points, thinned, with the curve's end points and a floor below every rate", () => {
    const roc = rocCurve(losses(20_000, 0.3, -1), losses(20_000, 0.7, 0));
    const { points, floor } = logLogRoc(roc, 10);
    expect(floor).toBe(0.5 / 20_000);
    expect(points.length).toBeLessThan(2 * 10 * 5 + 2); // FPR spans 4.3 decades
    expect(points.every((p) => p.fpr > 0)).toBe(true);
    const positive = roc.points.filter((p) => p.fpr > 0);
    expect(points[0]).toEqual({ fpr: positive[0]!.fpr, tpr: positive[0]!.tpr });
    expect(points.at(-1)).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.fpr).toBeGreaterThanOrEqual(points[i - 1]!.fpr);
      expect(points[i]!.tpr).toBeGreaterThanOrEqual(points[i - 1]!.tpr);
    }
  });

  it("summarises the attack for the report", () => {
    const summary = membershipSummary(losses(3000, 0.3, -1.5), losses(2000, 0.7, 0));
    expect(summary.members).toBe(3000);
    expect(summary.non_members).toBe(2000);
    expect(summary.fpr_0_1pct_resolved && summary.fpr_1pct_resolved).toBe(true);
    expect(summary.auc).toBeGreaterThan(0.6);
    expect(summary.tpr_at_fpr_1pct).toBeGreaterThanOrEqual(summary.tpr_at_fpr_0_1pct);
    expect(membershipSummary([1], [2]).fpr_1pct_resolved).toBe(false);
  });
});
