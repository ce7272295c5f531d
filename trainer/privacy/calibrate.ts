// Calibration: the smallest noise multiplier whose DP-SGD run (steps Poisson-sampled Gaussian steps) meets a target
// (epsilon, delta) under a given accountant. The answer never overshoots the target: it is the upper end of a
// bisection bracket whose lower end is known to miss it, and the bracket is narrower than `precision`.

import { z } from "zod";
import { createAccountant, type Accountant } from "./accountant";
import { dpSgdEvent } from "./events";

export const DEFAULT_CALIBRATION_PRECISION = 1e-3;

export const calibrationRequestSchema = z.strictObject({
  targetEpsilon: z.number().gt(0, "target epsilon must be > 0").refine(Number.isFinite, "target epsilon must be finite"),
  delta: z.number().gt(0, "delta must be > 0").lt(1, "delta must be < 1"),
  samplingRate: z.number().gt(0, "sampling rate must be > 0").max(1, "sampling rate must be <= 1"),
  steps: z.number().int("steps must be a whole number").min(1, "steps must be >= 1"),
  precision: z.number().gt(0).max(1).default(DEFAULT_CALIBRATION_PRECISION),
});
export type CalibrationRequest = z.input<typeof calibrationRequestSchema>;

export interface Calibration {
  /** The calibrated noise multiplier: meets the target, and noiseMultiplier - precision does not. */
  noiseMultiplier: number;
  /** Epsilon at that noise multiplier (<= the target). */
  epsilon: number;
}

const MAX_NOISE_MULTIPLIER = 1e4;

export function calibrateNoiseMultiplier(request: CalibrationRequest, accountant: Accountant): Calibration {
  const parsed = calibrationRequestSchema.safeParse(request);
  if (!parsed.success) throw new RangeError(parsed.error.issues.map((i) => i.message).join("; "));
  const { targetEpsilon, delta, samplingRate, steps, precision } = parsed.data;
  const epsilonAt = (sigma: number) => accountant.epsilon(dpSgdEvent(samplingRate, sigma, steps), delta);

  // The PLD accountant is costly and close to RDP, so start it at the RDP answer; RDP itself starts at 1.
  const start =
    accountant.name === "pld"
      ? calibrateNoiseMultiplier({ ...parsed.data, precision: 0.01 }, createAccountant("rdp")).noiseMultiplier
      : 1;
  const factor = accountant.name === "pld" ? 1.1 : 2;

  // Bracket: epsilonAt(high) <= target < epsilonAt(low). The smallest candidate is `precision` itself.
  let high = start;
  let highEpsilon = epsilonAt(high);
  let low = high;
  if (highEpsilon > targetEpsilon) {
    do {
      low = high;
      high *= factor;
      if (high > MAX_NOISE_MULTIPLIER) {
        throw new RangeError(`no noise multiplier up to ${MAX_NOISE_MULTIPLIER} reaches epsilon ${targetEpsilon}`);
      }
      highEpsilon = epsilonAt(high);
    } while (highEpsilon > targetEpsilon);
  } else {
    for (;;) {
      low = Math.max(high / factor, precision);
      const lowEpsilon = epsilonAt(low);
      if (lowEpsilon > targetEpsilon) break;
      if (low === precision) return { noiseMultiplier: low, epsilon: lowEpsilon };
      high = low;
      highEpsilon = lowEpsilon;
    }
  }
  while (high - low > precision) {
    const mid = (low + high) / 2;
    const midEpsilon = epsilonAt(mid);
    if (midEpsilon <= targetEpsilon) {
      high = mid;
      highEpsilon = midEpsilon;
    } else {
      low = mid;
    }
  }
  return { noiseMultiplier: high, epsilon: highEpsilon };
}
