// Tests for the RDP accountant: published values from opacus, TensorFlow Privacy and dp_accounting, the defining
// integral evaluated independently, exact cases, stability and monotonicity.
import { describe, expect, it } from "vitest";
import { PrivacyEventError, composed, dpSgdEvent, gaussian, selfComposed } from "./events";
import { DEFAULT_RDP_ORDERS, cachedRdpOfEvent, deltaFromRdp, epsilonFromRdp, rdpOfEvent, subsampledGaussianRdp } from "./rdp";

const rdpEpsilon = (q: number, sigma: number, steps: number, delta: number, orders = DEFAULT_RDP_ORDERS) =>
  epsilonFromRdp(orders, rdpOfEvent(dpSgdEvent(q, sigma, steps), orders), delta);

describe("published values", () => {
  it("matches opacus tests/accountants_test.py test_rdp_accountant: 7.32911117143", () => {
    // sigma 1.5, q 0.04, steps int(90 / 0.04) = 2250, delta 1e-5, with opacus' DEFAULT_ALPHAS
    // ([1 + x / 10 for x in 1..99] + 12..63), asserted there with assertAlmostEqual (7 places).
    const opacusAlphas = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => 12 + i)];
    expect(rdpEpsilon(0.04, 1.5, 2250, 1e-5, opacusAlphas).value).toBeCloseTo(7.32911117143, 9);
    // The default grid (a superset around the optimum, order 3.9) gives the same figure.
    expect(rdpEpsilon(0.04, 1.5, 2250, 1e-5).value).toBeCloseTo(7.32911117143, 9);
  });

  it("matches TensorFlow Privacy's DP-SGD privacy statement: 1.616 with RDP under Poisson sampling", () => {
    // compute_dp_sgd_privacy_test.py, test_dp_sgd_privacy_statement_no_user_dp_with_rdp: N 10000, batch 64,
    // noise multiplier 2.0, 5 epochs, delta 1e-6 -> "Epsilon assuming Poisson sampling (*): 1.616".
    // Two details make this figure: the statement assumes microbatching by default, which doubles the sensitivity,
    // so the accounted noise multiplier is 2.0 / 2 = 1.0; and steps = ceil(epochs / q) = ceil(5 / 0.0064) = 782.
    // dp_accounting's RdpAccountant default orders are our DEFAULT_RDP_ORDERS.
    expect(Math.ceil(5 / (64 / 10000))).toBe(782);
    expect(rdpEpsilon(64 / 10000, 2.0 / 2, 782, 1e-6).value).toBeCloseTo(1.616, 3);
  });

  it("matches TensorFlow Privacy's _compute_dp_sgd_example_privacy tests (RDP)", () => {
    // compute_dp_sgd_privacy_test.py, test_compute_dp_sgd_example_privacy: 1.2 epochs, noise multiplier 0.7,
    // delta 1e-5; microbatching halves the noise multiplier; without subsampling count = ceil(1.2) = 2 Gaussian
    // steps, with subsampling q = 0.01 count = ceil(1.2 / 0.01) = 120.
    const gaussianEpsilon = (sigma: number) =>
      epsilonFromRdp(DEFAULT_RDP_ORDERS, rdpOfEvent(selfComposed(gaussian(sigma), 2)), 1e-5).value;
    expect(gaussianEpsilon(0.7)).toBeCloseTo(10.8602036, 6); // no_microbatching_no_subsampling_rdp
    expect(gaussianEpsilon(0.35)).toBeCloseTo(26.2880374, 6); // microbatching_no_subsampling_rdp
    // With subsampling the figures are 3.2392676 (no microbatching) and 22.6248601 (microbatching); we certify
    // 3.2391922 and 22.5970358, slightly lower. The difference is not the conversion: dp_accounting's
    // _compute_log_a_frac adds |terms| of the alternating series for fractional orders (a valid upper bound on
    // A_alpha, but not the value), while we sum the signed series and add a bound on its remainder. Our per-step
    // RDP equals the defining integral (see 'per-step RDP' below); re-evaluating the |term| series independently
    // (in Python) gives exactly 3.23926765 (order 4.4) and 22.62486008 (order 1.7).
    const small = rdpEpsilon(0.01, 0.7, 120, 1e-5);
    expect(small.value).toBeCloseTo(3.2391922, 6);
    expect(small.value).toBeLessThan(3.2392676);
    const large = rdpEpsilon(0.01, 0.35, 120, 1e-5);
    expect(large.value).toBeCloseTo(22.5970358, 6);
    expect(large.value).toBeLessThan(22.6248601);
  });

  it("matches TensorFlow Privacy's older compute_dp_sgd_privacy tests, which use their own order grid", () => {
    // compute_dp_sgd_privacy_test.py (2019-2022): (n, batch, sigma, epochs, delta) -> (epsilon, order), with
    // orders [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + 5..63 + [128, 256, 512], steps ceil(epochs n / batch).
    const tfOrders = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...Array.from({ length: 59 }, (_, i) => 5 + i), 128, 256, 512];
    const cases: [number, number, number, number, number, number, number][] = [
      [60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19],
      [100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13],
      [100000000, 1024, 0.1, 10, 1e-7, 5907982.3113978775, 1.25],
    ];
    for (const [n, batch, sigma, epochs, delta, epsilon, order] of cases) {
      const result = rdpEpsilon(batch / n, sigma, Math.ceil((epochs * n) / batch), delta, tfOrders);
      expect(result.value / epsilon - 1).toBeLessThan(1e-9);
      expect(result.value / epsilon - 1).toBeGreaterThan(-1e-9);
      expect(result.order).toBe(order);
    }
  });

  it("uses the tighter CKS conversion, not eps = rdp + log(1/delta)/(alpha - 1) alone", () => {
    // With the classic conversion the first case above would be 0.94187 (at order 19), not 0.72422.
    const tfOrders = [19];
    const rdp = rdpOfEvent(dpSgdEvent(150 / 60000, 1.3, 6000), tfOrders)[0] as number;
    expect(rdp - Math.log(1e-5) / 18).toBeCloseTo(0.9418705671678959, 9);
    expect(epsilonFromRdp(tfOrders, [rdp], 1e-5).value).toBeCloseTo(0.7242234026109595, 9);
  });
});

describe("per-step RDP", () => {
  it("equals the defining integral E_mu0[(mu/mu0)^alpha] (mpmath quadrature, 40 digits)", () => {
    // log(integral of N(x; 0, s^2) ((1-q) + q exp((2x-1)/(2 s^2)))^alpha dx) / (alpha - 1)
    const reference: [number, number, number, number][] = [
      [0.01, 0.35, 1.5, 0.0299892620420123],
      [0.01, 0.35, 1.6, 0.0431082945039896],
      [0.01, 0.35, 2.5, 2.54424722873143],
      [0.01, 0.35, 10.5, 37.767217914735],
      [0.04, 1.5, 1.5, 0.000663111693911725],
      [0.04, 1.5, 1.6, 0.000709030387218084],
      [0.04, 1.5, 2.5, 0.00113280346647016],
      [0.04, 1.5, 10.5, 0.00622135427391391],
    ];
    for (const [q, sigma, order, expected] of reference) {
      expect(Math.abs(subsampledGaussianRdp(q, sigma, order) / expected - 1)).toBeLessThan(1e-11);
    }
  });

  it("is alpha / (2 sigma^2) without subsampling, and tends to it as q -> 1", () => {
    for (const sigma of [0.5, 1, 3]) {
      for (const order of [1.5, 2, 7.3, 32]) {
        const exact = order / (2 * sigma * sigma);
        expect(subsampledGaussianRdp(1, sigma, order)).toBe(exact);
        expect(subsampledGaussianRdp(1 - 1e-9, sigma, order)).toBeCloseTo(exact, 6);
      }
    }
  });

  it("joins up between fractional and integer orders", () => {
    for (const [q, sigma] of [[0.001, 0.8], [0.05, 1.2], [0.3, 2]] as const) {
      const integer = subsampledGaussianRdp(q, sigma, 4);
      expect(subsampledGaussianRdp(q, sigma, 4 - 1e-9) / integer).toBeCloseTo(1, 6);
      expect(subsampledGaussianRdp(q, sigma, 4 + 1e-9) / integer).toBeCloseTo(1, 6);
    }
  });

  it("stays finite and sane for tiny sampling rates, large orders and many steps", () => {
    // At order 2 the RDP is exactly log(1 + q^2 (e^{1/sigma^2} - 1)); check it down to q = 1e-6.
    for (const q of [0.3, 1e-3, 1e-6]) {
      const exact = Math.log1p(q * q * Math.expm1(1 / 4));
      expect(Math.abs(subsampledGaussianRdp(q, 2, 2) / exact - 1)).toBeLessThan(1e-6);
    }
    for (const order of [1.5, 32, 1024]) {
      const value = subsampledGaussianRdp(1e-6, 2, order);
      expect(value).toBeGreaterThan(0);
      expect(Number.isFinite(value)).toBe(true);
    }
    const large = subsampledGaussianRdp(0.01, 0.5, 1024);
    expect(large).toBeGreaterThan(10);
    expect(large).toBeLessThan(1024 / (2 * 0.25)); // never worse than no subsampling
    const many = rdpEpsilon(1e-4, 0.9, 100_000_000, 1e-9);
    expect(Number.isFinite(many.value)).toBe(true);
    expect(many.value).toBeGreaterThan(0);
  });

  it("refuses orders <= 1 and bad parameters", () => {
    expect(() => subsampledGaussianRdp(0.1, 1, 1)).toThrow(RangeError);
    expect(() => subsampledGaussianRdp(0, 1, 2)).toThrow(RangeError);
    expect(() => subsampledGaussianRdp(0.1, 0, 2)).toThrow(RangeError);
  });
});

describe("conversion and monotonicity", () => {
  it("converts epsilon to delta and back consistently", () => {
    const rdp = rdpOfEvent(dpSgdEvent(0.01, 1.1, 5000));
    for (const delta of [1e-3, 1e-5, 1e-9]) {
      const { value: epsilon } = epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, delta);
      expect(deltaFromRdp(DEFAULT_RDP_ORDERS, rdp, epsilon).value / delta).toBeCloseTo(1, 8);
    }
    expect(epsilonFromRdp(DEFAULT_RDP_ORDERS, rdpOfEvent(selfComposed(gaussian(1), 0)), 1e-5).value).toBe(0);
    expect(deltaFromRdp(DEFAULT_RDP_ORDERS, DEFAULT_RDP_ORDERS.map(() => 0), 0).value).toBe(0);
  });

  it("never gives a lower epsilon for more steps, a larger sampling rate or a smaller noise multiplier", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
    for (let trial = 0; trial < 25; trial++) {
      const q = 10 ** (-4 + 3.5 * random());
      const sigma = 0.5 + 4 * random();
      const steps = 1 + Math.floor(10 ** (5 * random()));
      const delta = 10 ** (-10 + 7 * random());
      const base = rdpEpsilon(q, sigma, steps, delta).value;
      expect(rdpEpsilon(q, sigma, steps + 1 + Math.floor(steps * random()), delta).value).toBeGreaterThanOrEqual(base);
      expect(rdpEpsilon(Math.min(1, q * (1 + random())), sigma, steps, delta).value).toBeGreaterThanOrEqual(base);
      expect(rdpEpsilon(q, sigma * (1 - 0.5 * random()), steps, delta).value).toBeGreaterThanOrEqual(base);
    }
  });
});

describe("cachedRdpOfEvent", () => {
  it("gives rdpOfEvent's curves to the last bit, remembered or not", () => {
    const curveOf = cachedRdpOfEvent(DEFAULT_RDP_ORDERS);
    const events = [
      dpSgdEvent(0.01, 1.1, 3000),
      dpSgdEvent(0.01, 1.1, 7), // the same mechanism again: its one-step curve remembered
      composed([dpSgdEvent(0.02, 0.9, 500), selfComposed(gaussian(3), 2), dpSgdEvent(0.02, 0.9, 700)]),
      dpSgdEvent(0.3, 0.7, 0),
    ];
    for (const event of [...events, ...events]) expect(curveOf(event)).toEqual(rdpOfEvent(event));
    expect(cachedRdpOfEvent([2, 8])(dpSgdEvent(0.01, 1.1, 10))).toEqual(rdpOfEvent(dpSgdEvent(0.01, 1.1, 10), [2, 8]));
  });

  it("refuses a malformed event, even one like a remembered event, and one that has no JSON (a BigInt)", () => {
    const curveOf = cachedRdpOfEvent(DEFAULT_RDP_ORDERS);
    curveOf(dpSgdEvent(0.01, 1.1, 10));
    const malformed = { ...dpSgdEvent(0.01, 1.1, 10), extra: 1 };
    expect(() => curveOf(malformed as never)).toThrow(PrivacyEventError);
    expect(() => curveOf({ type: "gaussian", noise_multiplier: 10n } as never)).toThrow(PrivacyEventError);
  });
});
