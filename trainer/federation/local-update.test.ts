// A party's local training: its trainable weights flatten and assign back exactly (a vector of the wrong length is
// refused); its delta from the global weights is what its steps moved them by; clipped per person, it is the sum of
// each person's clipped term (a one-person loop), none over C; and DP-FedAvg over secure aggregation
// with four parties, each fine-tuning the GPT model on its own units, lowers the loss on all of them.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { LocalRoundParty, federatedRound } from "../contract/federation/fedavg";
import type { Unit } from "../model/batch";
import type { Model } from "../model/model";
import { plainGradients } from "../step/plain-step";
import { randomUnits, testModel } from "../testing";
import { assignTrainable, flattenTrainable, localDelta, personClippedDelta, trainableOrder } from "./local-update";

const LORA = { rank: 2, alpha: 4 };

function meanLoss(model: Model, units: readonly Unit[]): number {
  const { grads, loss } = plainGradients(model, units, units.length);
  tf.dispose([...grads.values()]);
  return loss!;
}

describe("a party's local update", () => {
  it("flattens the trainable weights in name order and assigns them back exactly", async () => {
    const model = testModel(LORA);
    expect(trainableOrder(model).every((n) => n.includes(".lora_"))).toBe(true);
    const flat = await flattenTrainable(model);
    const moved = flat.map((v, i) => v + i * 1e-3);
    assignTrainable(model, moved);
    expect(await flattenTrainable(model)).toEqual(moved);
    expect(() => assignTrainable(model, new Float32Array(3))).toThrow(`3 values for ${flat.length} trainable parameters`);
  });

  it("gives the delta its steps made, from the global weights", async () => {
    const model = testModel(LORA);
    const units = randomUnits(6, 20, 6);
    const global = await flattenTrainable(model);
    expect((await localDelta(model, units, global, { steps: 0, batchSize: 4, learningRate: 0.02 })).every((v) => v === 0)).toBe(true);
    const delta = await localDelta(model, units, global, { steps: 3, batchSize: 4, learningRate: 0.02 });
    expect(delta).toHaveLength(global.length);
    expect(delta.some((v) => v !== 0)).toBe(true);
    const after = await flattenTrainable(model);
    for (let i = 0; i < global.length; i++) expect(after[i]!).toBeCloseTo(global[i]! + delta[i]!, 5);
  });

  it("clipping per person: the delta is the sum of each person's alone, and no person moves it by more than C", async () => {
    const model = testModel(LORA);
    const persons = randomUnits(5, 20, 6);
    const global = await flattenTrainable(model);
    const clip = { learningRate: 0.5, personClip: 0.01, recordsPerPerson: 8 };
    const all = await personClippedDelta(model, persons, global, clip);
    // One step from the same weights: the delta is linear in the persons, checked against a one-person loop.
    const alone = await Promise.all(persons.map((p) => personClippedDelta(model, [p], global, clip)));
    for (let i = 0; i < all.length; i++) expect(all[i]!).toBeCloseTo(alone.reduce((s, d) => s + d[i]!, 0), 6);
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (const d of alone) expect(norm(d)).toBeLessThanOrEqual(clip.personClip * (1 + 1e-4));
    // Removing a person moves the delta by its own term alone.
    const without = await personClippedDelta(model, persons.slice(1), global, clip);
    expect(norm(all.map((v, i) => v - without[i]!))).toBeLessThanOrEqual(clip.personClip * (1 + 1e-4));
  });

  it("DP-FedAvg over four parties fine-tuning the model lowers the loss on everyone's units", async () => {
    // Each party's units count upward (mod 20) from its own starts: a rule every party's data teaches.
    const counting = (start: number): Unit => [Int32Array.from({ length: 7 }, (_, i) => (start + i) % 20)];
    const data = Array.from({ length: 4 }, (_, k) => Array.from({ length: 8 }, (_, j) => counting(k * 5 + j * 3)));
    const models = data.map(() => testModel(null));
    const all = data.flat();
    const parties = data.map((units, k) => new LocalRoundParty(`p${k}`, (global) => localDelta(models[k]!, units, global, { steps: 5, batchSize: 4, learningRate: 0.02 })));
    let global = await flattenTrainable(models[0]!);
    const before = meanLoss(models[0]!, all);
    for (let round = 0; round < 8; round++) {
      const outcome = await federatedRound(global, parties, { roundId: `r${round}`, samplingRate: 1, clipNorm: 5, noiseMultiplier: 0.05 });
      expect(outcome.applied).toBe(true);
      global = outcome.weights;
    }
    assignTrainable(models[0]!, global);
    expect(meanLoss(models[0]!, all)).toBeLessThan(before - 1);
  }, 60_000);
});
