// Tests for the CSPRNG draws that privacy rests on, here the discrete ones: the discrete Gaussian follows its pmf
// (chi-square over the likely integers), keeps its variance at large sigma, and randomized rounding is unbiased and
// never off by a whole unit.
import { describe, expect, it } from "vitest";
import { discreteGaussians, randomizedRound } from "./secure-random";

describe("discrete Gaussian draws", () => {
  it("follow N_Z(0, σ²)'s pmf at σ = 1.3 (chi-square, 12 degrees of freedom)", () => {
    const sigma = 1.3;
    const n = 200_000;
    const draws = discreteGaussians(n, sigma);
    const support = Array.from({ length: 13 }, (_, i) => i - 6);
    const weight = (x: number) => Math.exp((-x * x) / (2 * sigma * sigma));
    const total = Array.from({ length: 81 }, (_, i) => weight(i - 40)).reduce((a, b) => a + b, 0);
    const counts = new Map<number, number>();
    for (const d of draws) {
      expect(Number.isInteger(d)).toBe(true);
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    const chiSquare = support.reduce((s, x) => {
      const expected = (n * weight(x)) / total;
      return s + ((counts.get(x) ?? 0) - expected) ** 2 / expected;
    }, 0);
    // The 99.9th percentile of chi-square with 12 degrees of freedom is 32.9.
    expect(chiSquare).toBeLessThan(32.9);
  });

  it("keep mean 0 and variance σ² at a large σ", () => {
    const sigma = 3e6;
    const draws = discreteGaussians(100_000, sigma);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(draws.length));
    expect(Math.sqrt(variance) / sigma).toBeGreaterThan(0.98);
    expect(Math.sqrt(variance) / sigma).toBeLessThan(1.02);
  });
});

describe("randomized rounding", () => {
  it("is unbiased and stays within a unit", () => {
    const value = 2.3;
    const rounded = randomizedRound(new Float64Array(100_000).fill(value));
    expect(rounded.every((r) => r === 2 || r === 3)).toBe(true);
    const mean = rounded.reduce((a, b) => a + b, 0) / rounded.length;
    expect(Math.abs(mean - value)).toBeLessThan(5 * Math.sqrt(0.3 * 0.7 / rounded.length));
    expect([...randomizedRound([-1.5, 4, -7])].map((r, i) => Math.abs(r - [-1.5, 4, -7][i]!) < 1)).toEqual([true, true, true]);
  });
});
