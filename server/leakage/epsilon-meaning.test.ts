// What an (epsilon, delta) guarantee means for an attack: the largest true-positive rate at each false-positive rate.
import { describe, expect, it } from "vitest";
import { createAccountant, gaussian } from "../../trainer/privacy";
import { normalCdf, normalUpperQuantile } from "../../trainer/privacy/math";
import {
  accountantProfile,
  exceedances,
  logFprGrid,
  maxTpr,
  maxTprCurve,
  type PrivacyGuarantee,
} from "./epsilon-meaning";

/** The exact trade-off curve of one Gaussian mechanism with mu = sensitivity / sigma: Phi(Phi^-1(FPR) + mu). */
function gaussianTradeoff(mu: number, fpr: number): number {
  if (fpr === 1) return 1;
  const quantile = fpr <= 0.5 ? -normalUpperQuantile(fpr) : normalUpperQuantile(1 - fpr);
  return normalCdf(quantile + mu);
}

/** The exact privacy profile of the same mechanism (Balle & Wang 2018). */
function gaussianProfile(mu: number, epsilons: number[]): PrivacyGuarantee[] {
  return epsilons.map((epsilon) => ({
    epsilon,
    delta: normalCdf(-epsilon / mu + mu / 2) - Math.exp(epsilon) * normalCdf(-epsilon / mu - mu / 2),
  }));
}

describe("maxTpr", () => {
  it("is the diagonal for (0, 0)-DP and the hand-computed ceiling otherwise", () => {
    for (const fpr of [0, 1e-4, 0.3, 1]) expect(maxTpr([{ epsilon: 0, delta: 0 }], fpr)).toBeCloseTo(fpr, 15);
    const g = [{ epsilon: Math.log(2), delta: 0.01 }];
    expect(maxTpr(g, 0.1)).toBeCloseTo(0.21, 15); // e^eps FPR + delta = 0.2 + 0.01
    expect(maxTpr(g, 0.6)).toBeCloseTo(0.805, 15); // 1 - (1 - 0.01 - 0.6) / 2
    expect(maxTpr(g, 0.995)).toBe(1);
    expect(maxTpr([{ epsilon: 1, delta: 0 }], 1e-5)).toBeCloseTo(Math.E * 1e-5, 18);
  });

  it("takes the tightest guarantee of a profile", () => {
    const a = { epsilon: 1, delta: 1e-3 };
    const b = { epsilon: 3, delta: 1e-6 };
    for (const fpr of [1e-5, 1e-3, 0.1, 0.7]) {
      expect(maxTpr([a, b], fpr)).toBe(Math.min(maxTpr([a], fpr), maxTpr([b], fpr)));
    }
  });

  it("rejects bad input", () => {
    expect(() => maxTpr([], 0.1)).toThrow(/at least one/);
    expect(() => maxTpr([{ epsilon: -1, delta: 0 }], 0.1)).toThrow(/epsilon/);
    expect(() => maxTpr([{ epsilon: 1, delta: 2 }], 0.1)).toThrow(/delta/);
    expect(() => maxTpr([{ epsilon: 1, delta: 0 }], 1.5)).toThrow(/FPR/);
  });
});

describe("logFprGrid and maxTprCurve", () => {
  it("spans 1e-5 to 1 evenly in log scale", () => {
    const grid = logFprGrid();
    expect(grid).toHaveLength(101);
    expect(grid[0]).toBeCloseTo(1e-5, 18);
    expect(grid.at(-1)).toBe(1);
    expect(grid[20]).toBeCloseTo(1e-4, 15);
    const curve = maxTprCurve([{ epsilon: 2, delta: 1e-5 }]);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.tpr).toBeGreaterThanOrEqual(curve[i - 1]!.tpr);
    expect(curve.at(-1)).toEqual({ fpr: 1, tpr: 1 });
  });

  it("recovers the Gaussian trade-off curve from the Gaussian's privacy profile", () => {
    const epsilons = Array.from({ length: 501 }, (_, i) => i * 0.02);
    const curve = maxTprCurve(gaussianProfile(1, epsilons));
    for (const { fpr, tpr } of curve) {
      const exact = gaussianTradeoff(1, fpr);
      expect(tpr).toBeGreaterThanOrEqual(exact - 1e-12); // a ceiling: never below the true curve
      expect(tpr).toBeLessThanOrEqual(exact * 1.01 + 1e-12); // and tight with a dense profile
    }
    // Far tighter than one (epsilon, delta) pair at small FPR.
    const single = maxTpr(gaussianProfile(1, [3]), 1e-5);
    expect(maxTpr(gaussianProfile(1, epsilons), 1e-5)).toBeLessThan(single / 3);
  });
});

describe("accountantProfile", () => {
  it("gives a valid ceiling from the PLD accountant", () => {
    const profile = accountantProfile(createAccountant("pld"), gaussian(1), [0.5, 1, 2, 3, 4]);
    for (const fpr of logFprGrid(21)) {
      const ceiling = maxTpr(profile, fpr);
      expect(ceiling).toBeGreaterThanOrEqual(gaussianTradeoff(1, fpr) - 1e-9);
      expect(ceiling).toBeLessThanOrEqual(maxTpr([profile[2]!], fpr));
    }
  });
});

describe("exceedances", () => {
  it("lists ROC points above the ceiling", () => {
    const profile = [{ epsilon: 1, delta: 0 }];
    const roc = [
      { fpr: 0.001, tpr: 0.002 },
      { fpr: 0.01, tpr: 0.05 },
      { fpr: 0.5, tpr: 0.8 }, // ceiling 1 - 0.5/e = 0.816
    ];
    expect(exceedances(roc, profile)).toEqual([{ fpr: 0.01, tpr: 0.05, maxTpr: Math.E * 0.01 }]);
    expect(exceedances(roc, profile, 0.03)).toEqual([]);
  });
});
