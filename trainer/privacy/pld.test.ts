// Tests for the PLD accountant: upper bound against closed forms, published values from Google's dp_accounting and
// TensorFlow Privacy, both adjacency directions, pessimistic truncation and monotonicity.
import { describe, expect, it } from "vitest";
import { composed, dpSgdEvent, gaussian, selfComposed, type PrivacyEvent } from "./events";
import { normalCdf } from "./math";
import {
  DEFAULT_DISCRETISATION_INTERVAL,
  pldDelta,
  pldDeltaForEpsilon,
  pldEpsilon,
  pldEpsilonForDelta,
  pldOfEvent,
  selfComposePld,
  subsampledGaussianPld,
  composePld,
  type PldOptions,
} from "./pld";

/** Exact delta(eps) of the Gaussian mechanism with mu = sensitivity / sigma (Balle & Wang 2018, Theorem 8). */
const gaussianDelta = (mu: number, epsilon: number) =>
  normalCdf(-epsilon / mu + mu / 2) - Math.exp(epsilon) * normalCdf(-epsilon / mu - mu / 2);

/** Exact delta(eps) of one Poisson-subsampled Gaussian step, worse of remove (mixture || N0) and add (N0 || mixture). */
function subsampledGaussianDelta(q: number, sigma: number, epsilon: number): number {
  // x where log(mixture / N0)(x) = u; the privacy loss is monotone in x, so its tails are Gaussian tails.
  const x = (u: number) => (u <= Math.log1p(-q) ? -Infinity : sigma * sigma * (Math.log(Math.expm1(u) + q) - Math.log(q)) + 0.5);
  const mixBelow = (t: number) => (1 - q) * normalCdf(t / sigma) + q * normalCdf((t - 1) / sigma);
  const mixAbove = (t: number) => (1 - q) * normalCdf(-t / sigma) + q * normalCdf((1 - t) / sigma);
  const remove = mixAbove(x(epsilon)) - Math.exp(epsilon) * normalCdf(-x(epsilon) / sigma);
  const add = x(-epsilon) === -Infinity ? 0 : normalCdf(x(-epsilon) / sigma) - Math.exp(epsilon) * mixBelow(x(-epsilon));
  return Math.max(remove, add);
}

/** delta(eps) and eps(delta) of an event, from its PLD pair computed once. */
function accounted(event: PrivacyEvent, options: PldOptions = {}) {
  const { remove, add } = pldOfEvent(event, options);
  return {
    delta: (epsilon: number) => Math.max(pldDeltaForEpsilon(remove, epsilon), pldDeltaForEpsilon(add, epsilon)),
    epsilon: (delta: number) => Math.max(pldEpsilonForDelta(remove, delta), pldEpsilonForDelta(add, delta)),
  };
}

/** The eps where a decreasing delta(eps) crosses delta, by bisection. */
function solveEpsilon(deltaAt: (epsilon: number) => number, delta: number): number {
  let low = 0;
  let high = 1;
  while (deltaAt(high) > delta) high *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (deltaAt(mid) > delta) low = mid;
    else high = mid;
  }
  return high;
}

describe("upper bound on the true privacy loss", () => {
  it("states its discretisation interval", () => {
    expect(DEFAULT_DISCRETISATION_INTERVAL).toBe(1e-4);
  });

  it.each([
    [1, 1, 1e-5],
    [0.7, 2, 1e-5],
    [2, 100, 1e-6],
    [5, 200, 1e-5],
  ])("Gaussian, sigma %d composed %d times: never below the closed form, within 1e-6 of it", (sigma, count, delta) => {
    const pld = accounted(selfComposed(gaussian(sigma), count));
    const mu = Math.sqrt(count) / sigma; // T Gaussians compose to one with sensitivity sqrt(T)
    const exact = solveEpsilon((e) => gaussianDelta(mu, e), delta);
    expect(pld.epsilon(delta)).toBeGreaterThanOrEqual(exact);
    expect(pld.epsilon(delta) - exact).toBeLessThan(1e-6);
    // delta(eps): equal at grid points up to rounding, strictly above between them (chords of a convex curve).
    for (const e of [0, 0.5, 2]) expect(pld.delta(e)).toBeGreaterThanOrEqual(gaussianDelta(mu, e) - 1e-15);
    for (const e of [0.12345, 1.00005]) expect(pld.delta(e)).toBeGreaterThan(gaussianDelta(mu, e));
  });

  it.each([
    [3, 50, 1e-5],
    [8, 1000, 1e-6],
  ])("Gaussian sigma %d self-composed %d times by FFT (not merged analytically): above the closed form", (sigma, count, delta) => {
    // Exercises the composition path (pointwise power of the transform, Chernoff window, pessimistic truncation).
    const step = subsampledGaussianPld(1, sigma, 1e-3, "remove");
    const pld = selfComposePld(step, count);
    const mu = Math.sqrt(count) / sigma;
    const exact = solveEpsilon((e) => gaussianDelta(mu, e), delta);
    expect(pldEpsilonForDelta(pld, delta)).toBeGreaterThanOrEqual(exact);
    expect(pldEpsilonForDelta(pld, delta) - exact).toBeLessThan(1e-3);
    for (const e of [exact / 2, exact * 1.1]) expect(pldDeltaForEpsilon(pld, e)).toBeGreaterThanOrEqual(gaussianDelta(mu, e));
    // Two different Gaussians composed by convolution: sigma_eff = (1/3^2 + 1/4^2)^-1/2 = 2.4.
    const pair = composePld(subsampledGaussianPld(1, 3, 1e-3, "remove"), subsampledGaussianPld(1, 4, 1e-3, "remove"));
    const exactPair = solveEpsilon((e) => gaussianDelta(1 / 2.4, e), delta);
    expect(pldEpsilonForDelta(pair, delta)).toBeGreaterThanOrEqual(exactPair);
    expect(pldEpsilonForDelta(pair, delta) - exactPair).toBeLessThan(1e-3);
  });

  it.each([
    [0.01, 1],
    [0.2, 0.5],
    [0.5, 2],
    [0.001, 0.6],
  ])("one Poisson-subsampled Gaussian step, q %d sigma %d: never below the closed form", (q, sigma) => {
    const pld = accounted(dpSgdEvent(q, sigma, 1));
    for (const e of [0, 0.1, 0.5, 1, 3]) {
      const exact = subsampledGaussianDelta(q, sigma, e);
      expect(pld.delta(e)).toBeGreaterThanOrEqual(exact * (1 - 1e-12));
      expect(pld.delta(e)).toBeLessThanOrEqual(exact * (1 + 1e-9) + 1e-18);
    }
    for (const e of [0.03141, 0.77777]) expect(pld.delta(e)).toBeGreaterThan(subsampledGaussianDelta(q, sigma, e));
    const exactEpsilon = solveEpsilon((e) => subsampledGaussianDelta(q, sigma, e), 1e-6);
    expect(pld.epsilon(1e-6)).toBeGreaterThanOrEqual(exactEpsilon);
    expect(pld.epsilon(1e-6) - exactEpsilon).toBeLessThan(1e-6);
  });

  it("accounts both adjacency directions and reports the worse", () => {
    const event = dpSgdEvent(0.2, 0.5, 3);
    const options = { discretisationInterval: 1e-3 };
    const { remove, add } = pldOfEvent(event, options);
    const [epsRemove, epsAdd] = [pldEpsilonForDelta(remove, 1e-5), pldEpsilonForDelta(add, 1e-5)];
    expect(epsRemove).not.toBeCloseTo(epsAdd, 1);
    expect(pldEpsilon(event, 1e-5, options)).toBe(Math.max(epsRemove, epsAdd));
    const [deltaRemove, deltaAdd] = [pldDeltaForEpsilon(remove, 0.5), pldDeltaForEpsilon(add, 0.5)];
    expect(deltaRemove).not.toBeCloseTo(deltaAdd, 2);
    expect(pldDelta(event, 0.5, options)).toBe(Math.max(deltaRemove, deltaAdd));
  });

  it("gets looser, never tighter, on a coarser grid", () => {
    const event = dpSgdEvent(0.01, 1, 1000);
    const [coarse, medium, fine] = [1e-2, 1e-3, 1e-4].map((d) => pldEpsilon(event, 1e-5, { discretisationInterval: d }));
    expect(coarse).toBeGreaterThanOrEqual(medium as number);
    expect(medium).toBeGreaterThanOrEqual(fine as number);
    expect((medium as number) - (fine as number)).toBeLessThan(1e-3);
  });

  it("returns Infinity rather than a figure below the truth when delta is below its truncation floor", () => {
    expect(pldEpsilon(dpSgdEvent(0.5, 0.5, 1000), 1e-20, { discretisationInterval: 1e-2 })).toBe(Infinity);
  });

  it("refuses a grid it cannot hold, suggesting what to do", () => {
    expect(() => pldEpsilon(dpSgdEvent(0.01, 0.01, 10), 1e-5)).toThrow(/larger interval or the RDP accountant/);
  });
});

describe("published values", () => {
  // Google dp_accounting, pld/pld_privacy_accountant_test.py (asserted there to within 1e-3).
  it("test_gaussian_basic: sigma sqrt(3), composed 1 + 2 times: delta(1) = 0.126936", () => {
    const pld = accounted(composed([gaussian(Math.sqrt(3)), selfComposed(gaussian(Math.sqrt(3)), 2)]));
    expect(pld.delta(1)).toBeCloseTo(0.126936, 5);
    expect(pld.epsilon(0.126936)).toBeCloseTo(1, 5);
  });

  it("test_poisson_subsampled_gaussian and test_self_composed_subsampled_gaussian: delta(1) = 0.15594", () => {
    // q 0.2, sigma 0.5, three steps (composed 1 + 2 times, or self-composed 3 times).
    const step = dpSgdEvent(0.2, 0.5, 1);
    expect(pldDelta(composed([step, selfComposed(step, 2)]), 1)).toBeCloseTo(0.15594, 4);
    const pld = accounted(dpSgdEvent(0.2, 0.5, 3));
    expect(pld.delta(1)).toBeCloseTo(0.15594, 4);
    expect(pld.epsilon(0.15594)).toBeCloseTo(1, 3);
  });

  it("TensorFlow Privacy's DP-SGD statement: 1.199 with PLD under Poisson sampling", () => {
    // compute_dp_sgd_privacy_test.py, test_dp_sgd_privacy_statement_no_user_dp_with_pld: N 10000, batch 64,
    // noise multiplier 2.0 halved for microbatching, steps ceil(5 / 0.0064) = 782, delta 1e-6 (see rdp.test.ts).
    expect(pldEpsilon(dpSgdEvent(64 / 10000, 1.0, 782), 1e-6)).toBeCloseTo(1.199, 3);
  });

  it("TensorFlow Privacy's _compute_dp_sgd_example_privacy tests (PLD)", () => {
    // test_compute_dp_sgd_example_privacy: 1.2 epochs, noise multiplier 0.7 (0.35 with microbatching), delta 1e-5.
    expect(pldEpsilon(selfComposed(gaussian(0.7), 2), 1e-5)).toBeCloseTo(10.1224946, 6);
    expect(pldEpsilon(selfComposed(gaussian(0.35), 2), 1e-5)).toBeCloseTo(24.7160779, 6);
    expect(pldEpsilon(dpSgdEvent(0.01, 0.7, 120), 1e-5)).toBeCloseTo(2.4612381, 6);
    expect(pldEpsilon(dpSgdEvent(0.01, 0.35, 120), 1e-5)).toBeCloseTo(18.6977407, 6);
  });
});

describe("monotonicity", () => {
  it("never gives a lower epsilon for more steps, a larger sampling rate or a smaller noise multiplier", () => {
    const options = { discretisationInterval: 1e-3 };
    const epsilon = (q: number, sigma: number, steps: number) => pldEpsilon(dpSgdEvent(q, sigma, steps), 1e-6, options);
    const base = epsilon(0.02, 1.2, 300);
    expect(epsilon(0.02, 1.2, 301)).toBeGreaterThanOrEqual(base);
    expect(epsilon(0.02, 1.2, 600)).toBeGreaterThan(base);
    expect(epsilon(0.021, 1.2, 300)).toBeGreaterThan(base);
    expect(epsilon(0.02, 1.19, 300)).toBeGreaterThan(base);
  });
});
