// The one-run audit (Steinke, Nasr and Jagielski): guesses, the p-value of a guess count and the epsilon lower bound.
import { describe, expect, it } from "vitest";
import { seededUniform } from "../../trainer/contract/seeded-random";
import { oneRunAudit, oneRunEpsilonLowerBound, oneRunGuesses, oneRunPValue } from "./one-run-audit";

/** Seeded uniforms (the trainer's mulberry32), so the simulations are reproducible. */
const uniforms = seededUniform;

const logit = (p: number) => Math.log(p / (1 - p));

describe("oneRunGuesses", () => {
  it("guesses in for the k+ highest, out for the k- lowest, ties broken by index", () => {
    expect(oneRunGuesses([5, 1, 9, 3, 7], 2, 1)).toEqual([0, -1, 1, 0, 1]);
    expect(oneRunGuesses([2, 2, 2, 2], 1, 1)).toEqual([1, 0, 0, -1]);
    expect(oneRunGuesses([1, 2], 0, 0)).toEqual([0, 0]);
    expect(() => oneRunGuesses([1, 2], 2, 1)).toThrow(/exceeds/);
    expect(() => oneRunGuesses([1, 2], -1, 1)).toThrow(/k_plus/);
  });
});

describe("oneRunPValue", () => {
  it("is the exact binomial tail for delta = 0", () => {
    // r = 4, v = 3, eps = log 3: q = 3/4, P[B >= 3] = 4 q^3 (1 - q) + q^4 = 108/256 + 81/256.
    expect(oneRunPValue({ m: 10, r: 4, v: 3 }, Math.log(3), 0)).toBeCloseTo(189 / 256, 14);
    expect(oneRunPValue({ m: 10, r: 4, v: 0 }, 2, 0)).toBeCloseTo(1, 15);
  });

  it("adds 2 m delta max_i P[v-i <= B < v]/i for delta > 0 (hand computation)", () => {
    const q = Math.E / (1 + Math.E);
    const pmf = [(1 - q) ** 3, 3 * q * (1 - q) ** 2, 3 * q * q * (1 - q), q ** 3];
    const worst = Math.max(pmf[2]!, (pmf[2]! + pmf[1]!) / 2, (pmf[2]! + pmf[1]! + pmf[0]!) / 3);
    expect(worst).toBe(pmf[2]);
    expect(oneRunPValue({ m: 10, r: 3, v: 3 }, 1, 0.01)).toBeCloseTo(pmf[3]! + 2 * 10 * 0.01 * worst, 14);
  });

  it("stays accurate far in the tail for r = 10^4", () => {
    // All correct: P[B >= r] = q^r, computed in log space without underflow to a wrong value.
    const p = oneRunPValue({ m: 10_000, r: 10_000, v: 10_000 }, 3, 0);
    expect(Math.log(p) / (10_000 * -Math.log1p(Math.exp(-3)))).toBeCloseTo(1, 10);
  });
});

describe("oneRunEpsilonLowerBound", () => {
  it("is 0 at chance level", () => {
    expect(oneRunEpsilonLowerBound({ m: 200, r: 100, v: 50 }, 0, 0.95)).toBe(0);
    expect(oneRunEpsilonLowerBound({ m: 200, r: 100, v: 55 }, 0, 0.95)).toBe(0); // P[Bin(100, 1/2) >= 55] = 0.18
    expect(oneRunEpsilonLowerBound({ m: 0, r: 0, v: 0 }, 0, 0.95)).toBe(0);
  });

  it("matches the closed form logit(beta^(1/r)) when all r guesses are right, growing like log r", () => {
    for (const r of [10, 100, 1000, 10_000]) {
      const bound = oneRunEpsilonLowerBound({ m: r, r, v: r }, 0, 0.95);
      expect(bound).toBeCloseTo(logit(0.05 ** (1 / r)), 7);
      // q^r = beta with 1 - q ~ ln(1/beta)/r, so eps ~ log r - log ln(1/beta).
      if (r >= 1000) expect(bound - Math.log(r)).toBeCloseTo(-Math.log(Math.log(20)), 2);
    }
    // By hand: x = ln(20)/1000 = 0.0029957, 1 - q = x - x^2/2 + x^3/6 = 0.0029912, eps = ln(0.9970088/0.0029912).
    expect(oneRunEpsilonLowerBound({ m: 1000, r: 1000, v: 1000 }, 0, 0.95)).toBeCloseTo(5.8091, 3);
  });

  it("is monotone in the number of correct guesses", () => {
    let previous = -1;
    for (let v = 100; v <= 200; v += 5) {
      const bound = oneRunEpsilonLowerBound({ m: 400, r: 200, v }, 0, 0.95);
      expect(bound).toBeGreaterThanOrEqual(previous);
      previous = bound;
    }
    expect(previous).toBeGreaterThan(3);
  });

  it("is lower with delta > 0 and lower still with more canaries", () => {
    const pure = oneRunEpsilonLowerBound({ m: 1000, r: 100, v: 90 }, 0, 0.95);
    const approx = oneRunEpsilonLowerBound({ m: 1000, r: 100, v: 90 }, 1e-5, 0.95);
    const more = oneRunEpsilonLowerBound({ m: 100_000, r: 100, v: 90 }, 1e-5, 0.95);
    expect(pure).toBeGreaterThan(approx);
    expect(approx).toBeGreaterThan(more);
    expect(more).toBeGreaterThan(0);
    // The bound it returns is rejected, and a little more is not.
    const counts = { m: 1000, r: 100, v: 90 };
    expect(oneRunPValue(counts, approx, 1e-5)).toBeLessThan(0.05);
    expect(oneRunPValue(counts, approx + 1e-6, 1e-5)).toBeGreaterThanOrEqual(0.05);
  });

  it("exceeds the true epsilon of randomised response at most about beta of the time", () => {
    // Scores from eps-DP randomised response on each coin (eps = 1): a mechanism that is exactly 1-DP.
    const epsilon = 1;
    const keep = Math.exp(epsilon) / (1 + Math.exp(epsilon));
    const u = uniforms(2023);
    let over = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const included = Array.from({ length: 1000 }, () => u() < 0.5);
      const scores = included.map((inc) => ((u() < keep) === inc ? 1 : 0) + 1e-3 * u());
      const audit = oneRunAudit({ scores, included, kPlus: 300, kMinus: 300, delta: 0, confidence: 0.95 });
      if (audit.epsilon_lower_bound > epsilon) over++;
    }
    expect(over).toBeLessThanOrEqual(20); // Binomial(200, <= 0.05): mean <= 10, sd ~ 3
  });
});

describe("oneRunAudit", () => {
  it("counts guesses and correct guesses and bounds epsilon for a model that leaks", () => {
    const u = uniforms(7);
    const included = Array.from({ length: 1000 }, () => u() < 0.5);
    const scores = included.map((inc) => (inc ? 2 : 0) + u()); // perfectly separable: every guess is right
    const audit = oneRunAudit({ scores, included, kPlus: 100, kMinus: 100, delta: 0, confidence: 0.95 });
    expect(audit).toMatchObject({ m: 1000, k_plus: 100, k_minus: 100, guesses: 200, correct: 200 });
    expect(audit.epsilon_lower_bound).toBeCloseTo(logit(0.05 ** (1 / 200)), 7);
    expect(() => oneRunAudit({ scores, included: [true], kPlus: 1, kMinus: 1, delta: 0, confidence: 0.95 })).toThrow(
      /inclusion flags/,
    );
  });

  it("finds nothing in a model that does not leak", () => {
    const u = uniforms(11);
    const included = Array.from({ length: 1000 }, () => u() < 0.5);
    const scores = included.map(() => u());
    const audit = oneRunAudit({ scores, included, kPlus: 250, kMinus: 250, delta: 1e-5, confidence: 0.95 });
    expect(audit.epsilon_lower_bound).toBeLessThan(0.3);
  });
});
