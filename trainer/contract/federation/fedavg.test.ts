// DP-FedAvg rounds over secure aggregation, with parties in this process: without noise a round adds exactly the mean
// of the survivors' clipped deltas over the expected number of parties; with noise the update's spread is σC/(qN);
// parties dropping out at any step are left out, or abort the round below the threshold, which then applies and
// spends nothing; each applied round is one Poisson-sampled Gaussian event, and rounds compose by the accountant.
import { describe, expect, it } from "vitest";
import { composed, createAccountant, dpSgdEvent, type PrivacyEvent } from "../../privacy";
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
});
