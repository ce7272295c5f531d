// DP-FedAvg rounds over secure aggregation, with parties in this process: without noise a round adds exactly the mean
// of the sampled survivors' clipped deltas over the expected number of parties (every party takes part, the unsampled
// with zeros); with noise the update's spread is σC/(qN); with distributed noise the parties' shares make it;
// parties dropping out at any step are left out, or abort the round below the threshold, which then applies and
// spends nothing; each applied round is one Poisson-sampled Gaussian event, and rounds compose by the accountant.
import { describe, expect, it } from "vitest";
import { composed, createAccountant, dpSgdEvent, type PrivacyEvent } from "../../privacy";
import { chargedNoiseMultiplier } from "./distributed-noise";
import { LocalRoundParty, clipToNorm, federatedRound } from "./fedavg";

const DIM = 64;
/** Party k's delta: a vector of k+1's scaled so that its norm is 0.2 (k even) or 3 (k odd, clipped to C = 1). */
const deltaOf = (k: number) => Float32Array.from({ length: DIM }, () => ((k % 2 ? 3 : 0.2) / Math.sqrt(DIM)) * (k % 3 === 0 ? -1 : 1));
const clipped = (k: number) => clipToNorm(deltaOf(k), 1);
const parties = (drops: Partial<Record<number, "advertise" | "share" | "update" | "unmask">> = {}) =>
  Array.from({ length: 5 }, (_, k) => new LocalRoundParty(`party-${k}`, () => deltaOf(k), drops[k] ?? null));
// A noise multiplier of 1e-9 (noise must be positive to be an event): the sum shows through to 1e-10.
const settings = (over: Partial<{ samplingRate: number; noiseMultiplier: number }> = {}) => ({ roundId: "r1", samplingRate: 1, clipNorm: 1, noiseMultiplier: 1e-9, ...over });

describe("DP-FedAvg rounds", () => {
  it("clips each delta to C", () => {
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(norm(clipped(1))).toBeCloseTo(1, 5);
    expect(norm(clipped(2))).toBeCloseTo(0.2, 5);
  });

  it.each([
    { name: "every party", drops: {}, survivors: [0, 1, 2, 3, 4] },
    { name: "one dropping before its update", drops: { 2: "update" as const }, survivors: [0, 1, 3, 4] },
    { name: "one silent after advertising, one before unmasking", drops: { 0: "share" as const, 4: "unmask" as const }, survivors: [1, 2, 3, 4] },
    { name: "one that never advertised", drops: { 3: "advertise" as const }, survivors: [0, 1, 2, 4] },
  ])("adds the survivors' clipped deltas over qN (noise negligible): $name", async ({ drops, survivors }) => {
    const global = new Float32Array(DIM).fill(0.5);
    const outcome = await federatedRound(global, parties(drops), settings());
    expect(outcome.applied).toBe(true);
    expect(outcome.survivors).toEqual(survivors.map((k) => `party-${k}`));
    for (let i = 0; i < DIM; i++) {
      const expected = 0.5 + survivors.reduce((s, k) => s + clipped(k)[i]!, 0) / 5;
      expect(Math.abs(outcome.weights[i]! - expected)).toBeLessThan(1e-6);
    }
  });

  it("has every party take part, the sampled with their delta and the others with zeros: the sum is the sample's", async () => {
    const global = new Float32Array(DIM);
    const outcome = await federatedRound(global, parties(), settings({ samplingRate: 0.5 }));
    expect(outcome.applied).toBe(true);
    expect(outcome.survivors).toEqual([0, 1, 2, 3, 4].map((k) => `party-${k}`));
    const sampled = outcome.sampled.map((id) => Number(id.slice("party-".length)));
    for (let i = 0; i < DIM; i++) {
      const expected = sampled.reduce((s, k) => s + clipped(k)[i]!, 0) / (0.5 * 5);
      expect(Math.abs(outcome.weights[i]! - expected)).toBeLessThan(1e-6);
    }
  });

  it("adds Gaussian noise of spread σC/(qN) to the sum", async () => {
    const global = new Float32Array(20_000);
    const quiet = Array.from({ length: 5 }, (_, k) => new LocalRoundParty(`p${k}`, () => new Float32Array(20_000)));
    const outcome = await federatedRound(global, quiet, settings({ noiseMultiplier: 2 }));
    const std = Math.sqrt(outcome.weights.reduce((s, x) => s + x * x, 0) / outcome.weights.length);
    expect(std).toBeGreaterThan((2 / 5) * 0.9);
    expect(std).toBeLessThan((2 / 5) * 1.1);
  });

  it("aborts below the threshold: the weights stay, nothing is spent", async () => {
    const global = new Float32Array(DIM).fill(0.25);
    const outcome = await federatedRound(global, parties({ 0: "update", 1: "update", 2: "update" }), settings({ noiseMultiplier: 1 }));
    expect(outcome).toMatchObject({ applied: false, reason: "only 2 of 5 parties sent their masked update; at least 3 must", survivors: ["party-3", "party-4"] });
    expect(outcome.weights).toBe(global);
    expect("event" in outcome).toBe(false);
  });

  it("charges each applied round one Poisson-sampled Gaussian event at party level; rounds compose", async () => {
    const events: PrivacyEvent[] = [];
    let global: Float32Array = new Float32Array(DIM);
    for (let r = 0; r < 4; r++) {
      const outcome = await federatedRound(global, parties(r === 2 ? { 0: "update", 1: "update", 2: "update" } : {}), { ...settings({ samplingRate: 0.8, noiseMultiplier: 1.5 }), roundId: `r${r}` });
      global = outcome.weights;
      if (outcome.applied) events.push(outcome.event);
    }
    // The third round may abort (if at least three of its sampled parties were the dropping ones); every applied one spends.
    expect(events.every((e) => JSON.stringify(e) === JSON.stringify(dpSgdEvent(0.8, 1.5, 1)))).toBe(true);
    const rdp = createAccountant("rdp");
    expect(rdp.epsilon(composed(events), 1e-5)).toBeCloseTo(rdp.epsilon(dpSgdEvent(0.8, 1.5, events.length), 1e-5), 6);
  });

  it("with distributed noise: each party adds its discrete share, the sum carries σC·sqrt(survivors/threshold), the coordinator adds none", async () => {
    const dim = 20_000;
    const global = new Float32Array(dim);
    // Four of five parties answer (threshold 3): their shares make σ²C²·4/3 between them.
    const quiet = Array.from({ length: 5 }, (_, k) => new LocalRoundParty(`p${k}`, () => new Float32Array(dim).fill(k === 1 ? 0.001 : 0), k === 4 ? "update" : null));
    const outcome = await federatedRound(global, quiet, { ...settings({ noiseMultiplier: 2 }), noise: "distributed" });
    expect(outcome.applied).toBe(true);
    if (!outcome.applied) return;
    const sum = Float64Array.from(outcome.weights, (w) => w * 5); // the divisor qN
    const mean = sum.reduce((a, b) => a + b, 0) / dim;
    const std = Math.sqrt(sum.reduce((a, b) => a + (b - mean) ** 2, 0) / dim);
    expect(std / (2 * Math.sqrt(4 / 3))).toBeGreaterThan(0.97);
    expect(std / (2 * Math.sqrt(4 / 3))).toBeLessThan(1.03);
    expect(Math.abs(mean - 0.001)).toBeLessThan((5 * std) / Math.sqrt(dim));
    // Its event: the Gaussian of the same zCDP, without amplification by sampling.
    expect(outcome.event).toEqual(dpSgdEvent(1, chargedNoiseMultiplier({ parties: 5, clipNorm: 1, noiseMultiplier: 2, dimension: dim }), 1));
    expect(chargedNoiseMultiplier({ parties: 5, clipNorm: 1, noiseMultiplier: 2, dimension: dim })).toBeGreaterThan(2 * 0.999);
  });
});
