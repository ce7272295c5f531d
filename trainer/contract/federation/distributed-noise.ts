// Distributed noise for DP-FedAvg (the distributed discrete Gaussian of Kairouz, Liu and Steinke 2021): each party
// scales its clipped delta to integer units, rounds it at random, adds its share of discrete Gaussian noise, and
// sends it masked; secure aggregation reveals only the sum, which already carries all the noise, so the coordinator
// adds none. Here: the units (a fixed-point scale leaving room for the noise in a signed 32-bit sum), each party's
// share of the noise, and the Gaussian noise multiplier the ledger charges for a round (trainer/privacy's bound).
import { equivalentNoiseMultiplier } from "../../privacy";
import { discreteGaussians, randomizedRound } from "../secure-random";

/** How far (in standard deviations of the whole noise) the sum may reach without wrapping around 2^32. */
const NOISE_REACH = 12;

/**
 * The fixed-point scale (integer units per unit of the update) for `parties` clipped deltas of norm at most
 * `clipNorm` with noise multiplier `noiseMultiplier`: the largest power of two keeping the sum of the deltas, their
 * rounding and NOISE_REACH standard deviations of the noise inside a signed 32-bit integer.
 */
export function distributedScale(parties: number, clipNorm: number, noiseMultiplier: number): number {
  if (!(parties >= 1 && clipNorm > 0 && noiseMultiplier > 0)) throw new RangeError("parties ≥ 1, a positive clip norm and noise multiplier");
  const reach = clipNorm * (parties + NOISE_REACH * noiseMultiplier * Math.sqrt(parties));
  return 2 ** Math.floor(Math.log2((2 ** 31 - 1 - parties) / reach));
}

/** One party's noise standard deviation (integer units) when at least `threshold` parties' noise is in the sum. */
export const partyNoiseStd = (scale: number, clipNorm: number, noiseMultiplier: number, threshold: number): number =>
  (noiseMultiplier * clipNorm * scale) / Math.sqrt(threshold);

/**
 * The noise multiplier the ledger charges per round: the Gaussian's with the same zCDP as the sum, at the worst the
 * rounds of a run can meet, every one of its `parties` keyed (the smallest scale) and as the threshold (each share
 * the smallest). Sensitivities in integer units: a clipped delta of norm C·scale, plus rounding, under one unit per
 * coordinate of `dimension`.
 */
export function chargedNoiseMultiplier(settings: { parties: number; clipNorm: number; noiseMultiplier: number; dimension: number }): number {
  const { parties, clipNorm, noiseMultiplier, dimension } = settings;
  const scale = distributedScale(parties, clipNorm, noiseMultiplier);
  const l2 = clipNorm * scale + Math.sqrt(dimension);
  return equivalentNoiseMultiplier({
    l2Sensitivity: l2,
    l1Sensitivity: Math.min(Math.sqrt(dimension) * l2, l2 * l2),
    partyVariance: partyNoiseStd(scale, clipNorm, noiseMultiplier, parties) ** 2,
    parties,
  });
}

/** A party's clipped delta in integer units, rounded at random, with its share of the noise, as 32-bit words. */
export function encodeWithNoise(delta: ArrayLike<number>, scale: number, noiseStd: number): Uint32Array {
  const rounded = randomizedRound(Float64Array.from(delta, (v) => v * scale));
  const noise = discreteGaussians(rounded.length, noiseStd);
  return Uint32Array.from(rounded, (v, i) => (v + noise[i]!) >>> 0);
}
