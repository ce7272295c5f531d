// Canary exposure: Owen's T, the skew-normal distribution and its fit, exact and extrapolated exposure.
import { describe, expect, it } from "vitest";
import { seededUniform } from "../../trainer/contract/seeded-random";
import { normalCdf } from "../../trainer/privacy/math";
import {
  MAX_SKEW_NORMAL_SKEWNESS,
  exactExposures,
  extrapolatedExposure,
  fitSkewNormal,
  fitSkewNormalMoments,
  owensT,
  scoreHistogram,
  skewNormalCdf,
  skewNormalDensity,
  type SkewNormal,
} from "./exposure";

/** Seeded uniforms (the trainer's mulberry32), so the simulations are reproducible. */
const uniforms = seededUniform;

/** Draws from SN(xi, omega, alpha) as xi + omega (delta |Z0| + sqrt(1 - delta^2) Z1). */
function skewNormalSample(n: number, { xi, omega, alpha }: SkewNormal, seed: number): number[] {
  const u = uniforms(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const delta = alpha / Math.sqrt(1 + alpha * alpha);
  const draw = () => xi + omega * (delta * Math.abs(normal()) + Math.sqrt(1 - delta ** 2) * normal());
  return Array.from({ length: n }, draw);
}

/** Composite Simpson's rule, an independent check on the quadrature inside exposure.ts. */
function simpson(f: (x: number) => number, lo: number, hi: number, n = 20_000): number {
  const step = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * step);
  return (sum * step) / 3;
}

const relative = (got: number, want: number) => Math.abs(got / want - 1);

describe("owensT", () => {
  it("matches reference values (Patefield & Tandy 2000)", () => {
    expect(relative(owensT(0.0625, 0.25), 0.0389119302347013668966224771378)).toBeLessThan(1e-14);
    expect(relative(owensT(6.5, 0.4375), 2.00057730485083154100907167685e-11)).toBeLessThan(1e-13);
    expect(relative(owensT(7, 0.96875), 6.39906271938986853083219914429e-13)).toBeLessThan(1e-13);
    expect(relative(owensT(4.78125, 0.0625), 1.06329748046874638058307112826e-7)).toBeLessThan(1e-13);
    expect(relative(owensT(2, 0.5), 0.00862507798552150713113488319155)).toBeLessThan(1e-14);
  });

  it("satisfies T(h,0) = 0, T(0,a) = atan(a)/2pi, T(h,1) = Phi(h)(1-Phi(h))/2, T(h,inf) = (1-Phi(|h|))/2", () => {
    for (const h of [0.3, 2, 9]) expect(owensT(h, 0)).toBe(0);
    for (const a of [0.2, 1, 7, 1e6]) expect(relative(owensT(0, a), Math.atan(a) / (2 * Math.PI))).toBeLessThan(1e-15);
    for (const h of [0.01, 0.5, 1, 3, 8, 20]) {
      const want = (normalCdf(h) * normalCdf(-h)) / 2;
      expect(relative(owensT(h, 1), want)).toBeLessThan(1e-13);
      // Just above 1 the other branch (the identity for a > 1) must agree.
      expect(relative(owensT(h, 1 + 1e-13), want)).toBeLessThan(1e-12);
      expect(relative(owensT(h, 1e12), normalCdf(-h) / 2)).toBeLessThan(1e-12);
      expect(owensT(h, Infinity)).toBe(normalCdf(-h) / 2);
    }
  });

  it("is even in h, odd in a, and agrees with direct integration for a > 1", () => {
    expect(owensT(-1.3, 0.7)).toBe(owensT(1.3, 0.7));
    expect(owensT(1.3, -0.7)).toBe(-owensT(1.3, 0.7));
    for (const [h, a] of [
      [0.4, 2.5],
      [1.7, 6],
      [3.1, 1.5],
    ] as const) {
      const direct = simpson((x) => Math.exp((-h * h * (1 + x * x)) / 2) / (1 + x * x), 0, a) / (2 * Math.PI);
      expect(relative(owensT(h, a), direct)).toBeLessThan(1e-11);
    }
  });
});

describe("skewNormalCdf", () => {
  const standard = (alpha: number): SkewNormal => ({ xi: 0, omega: 1, alpha });

  it("is Phi for alpha = 0, Phi^2 for alpha = 1 and 2 Phi - Phi^2 for alpha = -1, deep into the lower tail", () => {
    for (const z of [-12, -6, -2, -0.3, 0, 0.4, 2.5]) {
      const phi = normalCdf(z);
      expect(relative(skewNormalCdf(z, standard(0)), phi)).toBeLessThan(1e-14);
      expect(relative(skewNormalCdf(z, standard(1)), phi * phi)).toBeLessThan(1e-13);
      expect(relative(skewNormalCdf(z, standard(-1)), 2 * phi - phi * phi)).toBeLessThan(1e-13);
    }
  });

  it("agrees with integrating the density, including the light tail and after location and scale", () => {
    const dist: SkewNormal = { xi: 3, omega: 2, alpha: 4 };
    for (const x of [-1, 1, 2.5, 3, 4, 8]) {
      const integral = simpson((t) => skewNormalDensity(t, dist), -10, x); // below -10 the mass is < 1e-100
      expect(relative(skewNormalCdf(x, dist), integral)).toBeLessThan(1e-10);
    }
    // Far in the light tail: P(X <= -1) for SN(0, 1, 4) ~ 1e-10, where Phi(z) - 2T(z, alpha) has no digits left.
    const deep = simpson((t) => skewNormalDensity(t, standard(4)), -12, -1.5, 40_000);
    expect(relative(skewNormalCdf(-1.5, standard(4)), deep)).toBeLessThan(1e-8);
    expect(skewNormalCdf(-1.5, standard(4))).toBeGreaterThan(0);
  });

  it("is continuous across z = 0 for alpha > 0 (where the two formulas meet)", () => {
    for (const alpha of [0.5, 3, 40]) {
      const at0 = 0.5 - Math.atan(alpha) / Math.PI;
      expect(relative(skewNormalCdf(-1e-12, standard(alpha)), at0)).toBeLessThan(1e-10);
      expect(relative(skewNormalCdf(0, standard(alpha)), at0)).toBeLessThan(1e-13);
    }
  });
});

describe("fitSkewNormal", () => {
  it("recovers the parameters of a large sample, by likelihood and by moments", () => {
    const truth: SkewNormal = { xi: 50, omega: 8, alpha: 3 };
    const sample = skewNormalSample(20_000, truth, 7);
    for (const fit of [fitSkewNormal(sample), fitSkewNormalMoments(sample)]) {
      expect(fit.xi).toBeCloseTo(50, 0);
      expect(fit.omega / 8).toBeCloseTo(1, 1);
      expect(Math.abs(fit.alpha - 3)).toBeLessThan(0.6);
    }
  });

  it("keeps the moments fit inside the admissible skewness and rejects degenerate input", () => {
    expect(MAX_SKEW_NORMAL_SKEWNESS).toBeCloseTo(0.99527, 5);
    const fit = fitSkewNormalMoments([0, 0, 0, 0, 0, 0, 0, 0, 0, 100]); // skewness 2.67, clamped to 0.99
    expect(Number.isFinite(fit.alpha) && fit.alpha > 5).toBe(true);
    expect(() => fitSkewNormal([1, 1, 1])).toThrow(/not all equal/);
    expect(() => fitSkewNormal([1, 2])).toThrow(/at least 3/);
  });
});

describe("exact exposure", () => {
  it("is log2|R| - log2 rank on a toy space, ties counted against the canary", () => {
    // A space of 8 candidates; lower score = more likely.
    const space = [5, 1, 7, 3, 3, 9, 2, 8];
    const [top, tied, worst] = exactExposures([1, 3, 9], space);
    expect(top).toBe(3); // rank 1 of 8
    expect(tied).toBe(3 - Math.log2(4)); // scores 1, 2, 3, 3 are <= 3: rank 4
    expect(worst).toBe(0); // rank 8
    expect(exactExposures([4], [4, 4, 4, 4])).toEqual([0]); // a model that scores everything alike exposes nothing
    expect(() => exactExposures([0.5], space)).toThrow(/not a member/);
  });
});

describe("extrapolated exposure", () => {
  it("is close to the exact exposure on a 10^4 space fitted on 1000 random candidates", () => {
    const log2Size = Math.log2(10_000);
    const errors: number[] = [];
    for (const alpha of [2, -2]) {
      for (let seed = 1; seed <= 8; seed++) {
        const space = skewNormalSample(10_000, { xi: 50, omega: 8, alpha }, seed);
        const pick = uniforms(1000 + seed);
        const sample = Array.from({ length: 1000 }, () => space[Math.floor(pick() * space.length)]!);
        const fit = fitSkewNormal(sample);
        const canary = [...space].sort((a, b) => a - b)[99]!; // rank 100: exposure log2(100) ~ 6.64 bits
        const [exact] = exactExposures([canary], space);
        errors.push(Math.abs(extrapolatedExposure(canary, fit, log2Size) - exact!));
      }
    }
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.5); // median over 16 spaces
    expect(errors.at(-1)).toBeLessThan(1); // worst (1000 samples pin a 1% tail only so far)
  });

  it("is capped at log2|R| and is 0 far above the bulk", () => {
    const fit: SkewNormal = { xi: 0, omega: 1, alpha: 2 };
    expect(extrapolatedExposure(-50, fit, 20)).toBe(20);
    expect(extrapolatedExposure(40, fit, 20)).toBe(0);
    expect(extrapolatedExposure(0, { xi: 0, omega: 1, alpha: 0 }, 20)).toBeCloseTo(1, 12);
  });
});

describe("scoreHistogram", () => {
  it("bins candidates and canaries on shared edges, with expected counts under the fit", () => {
    const candidates = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10];
    const h = scoreHistogram(candidates, [0.5, 10], 5, { xi: 5, omega: 3, alpha: 0 });
    expect(h.edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect(h.candidates).toEqual([2, 2, 2, 2, 2]);
    expect(h.canaries).toEqual([1, 0, 0, 0, 1]);
    const expectedTotal = h.expected!.reduce((a, b) => a + b, 0);
    expect(expectedTotal).toBeCloseTo(10 * (normalCdf(5 / 3) - normalCdf(-5 / 3)), 12);
    expect(scoreHistogram([1, 1], [], 2).edges).toEqual([0.5, 1, 1.5]);
    expect(() => scoreHistogram([], [], 3)).toThrow(RangeError);
  });
});
