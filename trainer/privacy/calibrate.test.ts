// Tests for noise calibration: never overshoots the target, and is within the stated precision of the smallest
// noise multiplier that meets it (property-based over random inputs, seeded).
import { describe, expect, it } from "vitest";
import { createAccountant, type Accountant } from "./accountant";
import { calibrateNoiseMultiplier, DEFAULT_CALIBRATION_PRECISION } from "./calibrate";
import { dpSgdEvent } from "./events";

function seeded(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
}
const logUniform = (random: () => number, low: number, high: number) =>
  Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low)));

function checkCalibration(accountant: Accountant, request: { targetEpsilon: number; delta: number; samplingRate: number; steps: number }) {
  const { noiseMultiplier, epsilon } = calibrateNoiseMultiplier(request, accountant);
  const epsilonAt = (sigma: number) =>
    accountant.epsilon(dpSgdEvent(request.samplingRate, sigma, request.steps), request.delta);
  expect(epsilon).toBe(epsilonAt(noiseMultiplier));
  expect(epsilon).toBeLessThanOrEqual(request.targetEpsilon); // never overshoots
  const justBelow = noiseMultiplier - DEFAULT_CALIBRATION_PRECISION;
  if (justBelow > 0) expect(epsilonAt(justBelow)).toBeGreaterThan(request.targetEpsilon); // and is (nearly) smallest
}

describe("calibrateNoiseMultiplier", () => {
  it("RDP: meets the target and is within 1e-3 of the smallest sigma that does, over random inputs", () => {
    const random = seeded(7);
    const accountant = createAccountant("rdp");
    for (let trial = 0; trial < 40; trial++) {
      checkCalibration(accountant, {
        targetEpsilon: logUniform(random, 0.1, 20),
        delta: logUniform(random, 1e-10, 1e-3),
        samplingRate: logUniform(random, 1e-4, 1),
        steps: Math.round(logUniform(random, 1, 1e5)),
      });
    }
  });

  it("PLD: the same properties, over random inputs (coarser grid to keep the test quick)", () => {
    const random = seeded(11);
    const accountant = createAccountant("pld", { discretisationInterval: 1e-3 });
    for (let trial = 0; trial < 4; trial++) {
      checkCalibration(accountant, {
        targetEpsilon: logUniform(random, 0.5, 8),
        delta: logUniform(random, 1e-8, 1e-4),
        samplingRate: logUniform(random, 1e-3, 0.1),
        steps: Math.round(logUniform(random, 10, 1000)),
      });
    }
  });

  it("inverts opacus' published accountant figure: epsilon 7.32911117143 at sigma 1.5 calibrates back to 1.5 (+ precision)", () => {
    // opacus tests/accountants_test.py test_rdp_accountant: q 0.04, 2250 steps, delta 1e-5, sigma 1.5 -> 7.32911117143
    // (reproduced in rdp.test.ts; our value is 7.3291111714844, 5e-11 above the rounded figure, so the smallest
    // sigma meeting the rounded target is a hair above 1.5). Calibration must land within precision above it.
    const { noiseMultiplier } = calibrateNoiseMultiplier(
      { targetEpsilon: 7.32911117143, delta: 1e-5, samplingRate: 0.04, steps: 2250 },
      createAccountant("rdp"),
    );
    expect(noiseMultiplier).toBeGreaterThan(1.5);
    expect(noiseMultiplier).toBeLessThanOrEqual(1.5 + DEFAULT_CALIBRATION_PRECISION);
  });

  it("refuses impossible or malformed requests", () => {
    const rdp = createAccountant("rdp");
    expect(() => calibrateNoiseMultiplier({ targetEpsilon: 0, delta: 1e-5, samplingRate: 0.01, steps: 10 }, rdp)).toThrow(
      /target epsilon must be > 0/,
    );
    expect(() => calibrateNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0.01, steps: 1.5 }, rdp)).toThrow(
      /steps must be a whole number/,
    );
    expect(() => calibrateNoiseMultiplier({ targetEpsilon: 1e-9, delta: 1e-12, samplingRate: 1, steps: 1e6 }, rdp)).toThrow(
      /no noise multiplier up to/,
    );
  });
});
