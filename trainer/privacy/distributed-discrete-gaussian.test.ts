// Tests for the distributed discrete Gaussian's bound: its continuous limit is the Gaussian's, the sum's deviation
// only ever raises epsilon (and vanishes for a few units of noise), and more parties' noise lowers it.
import { describe, expect, it } from "vitest";
import { concentratedEpsilon, equivalentNoiseMultiplier, sumDeviation } from "./distributed-discrete-gaussian";

describe("the distributed discrete Gaussian", () => {
  it("is the Gaussian's zCDP, Δ2/σ_total, once each party's noise is a few units", () => {
    const m = { l2Sensitivity: 1000, l1Sensitivity: 30_000, partyVariance: 2000 ** 2 / 4, parties: 4 };
    expect(sumDeviation(m.partyVariance, m.parties)).toBe(0);
    expect(concentratedEpsilon(m)).toBeCloseTo(1000 / 2000, 12);
    expect(equivalentNoiseMultiplier(m)).toBeCloseTo(2, 12);
  });

  it("charges the sum's deviation from one discrete Gaussian when the noise is small", () => {
    const small = { l2Sensitivity: 1, l1Sensitivity: 1, partyVariance: 0.3, parties: 5 };
    const tau = sumDeviation(small.partyVariance, small.parties);
    // τ = 10 Σ_{k=1}^{4} exp(-2π²·0.3·k/(k+1)), by hand.
    const byHand = 10 * [1, 2, 3, 4].reduce((s, k) => s + Math.exp((-2 * Math.PI ** 2 * 0.3 * k) / (k + 1)), 0);
    expect(tau).toBeCloseTo(byHand, 12);
    const gaussianOnly = 1 / Math.sqrt(small.parties * small.partyVariance);
    expect(concentratedEpsilon(small)).toBeGreaterThan(gaussianOnly);
    expect(concentratedEpsilon(small)).toBeCloseTo(Math.min(Math.sqrt(gaussianOnly ** 2 + tau / 2), gaussianOnly + tau), 12);
  });

  it("falls as parties add noise, and refuses nonsense", () => {
    const at = (parties: number) => concentratedEpsilon({ l2Sensitivity: 10, l1Sensitivity: 100, partyVariance: 25, parties });
    expect(at(2)).toBeGreaterThan(at(3));
    expect(at(3)).toBeGreaterThan(at(10));
    expect(() => concentratedEpsilon({ l2Sensitivity: 0, l1Sensitivity: 1, partyVariance: 1, parties: 2 })).toThrow(RangeError);
    expect(() => concentratedEpsilon({ l2Sensitivity: 1, l1Sensitivity: 1, partyVariance: 0.2, parties: 2 })).toThrow(/σ ≥ 1\/2/);
  });
});
