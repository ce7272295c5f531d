// The DP step on worker threads is the one-thread step: the same clipped sums, norms, clipped count and loss for the
// same sample, and the same update when the noise is the same (none); shares are contiguous and balanced; a failing
// worker fails the step with its reason.

import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import type { Unit } from "../model/batch";
import { disposeModel, readWeights, type Model } from "../model/model";
import { Optimizer } from "../model/optimizer";
import { RunPrivacy } from "../run/run-privacy";
import { expectClose, randomUnits, testModel } from "../testing";
import { clippedSums, noisyUpdate, type DpSettings } from "./dp-step";
import { defaultWorkers, SharePool, splitShares, stepFlops } from "./share-pool";

const settings = (overrides: Partial<DpSettings> = {}): DpSettings => ({
  samplingRate: 1,
  noiseMultiplier: 0,
  clipNorm: 0.05, // most units clipped, so the coefficients matter
  clipping: "flat",
  maxPhysicalBatch: 3,
  recordsPerUnit: 4,
  ...overrides,
});

const host = (sums: Map<string, tf.Tensor>) => new Map([...sums].map(([p, t]) => [p, t.dataSync() as Float32Array]));

beforeAll(async () => {
  await initBackend("wasm");
});

describe("splitShares", () => {
  it("cuts the units into at most N contiguous, non-empty shares of about equal tokens", () => {
    const units = randomUnits(40, 20, 8, 3, 9);
    for (const parts of [1, 2, 3, 7, 40, 100]) {
      const shares = splitShares(units, parts);
      expect(shares.length).toBeLessThanOrEqual(Math.min(parts, units.length));
      expect(shares.every((s) => s.length > 0)).toBe(true);
      expect(shares.flat()).toEqual(units); // contiguous, in order, nothing lost or repeated
    }
    const tokens = (s: readonly Unit[]) => s.reduce((n, u) => n + u.reduce((m, x) => m + x.length, 0), 0);
    const halves = splitShares(units, 2).map(tokens);
    expect(Math.abs(halves[0]! - halves[1]!)).toBeLessThan(tokens(units) * 0.2);
    expect(splitShares([], 4)).toEqual([]);
  });

  it("reads TRAINER_WORKERS, else one worker per core when a step's work pays for threads", () => {
    const big = stepFlops(870_000, 16 * 8 * 100);
    expect(defaultWorkers(big, { TRAINER_WORKERS: "3" })).toBe(3);
    expect(defaultWorkers(big, {})).toBe(availableParallelism());
    expect(defaultWorkers(stepFlops(2_000, 64), {})).toBe(1);
    expect(() => defaultWorkers(big, { TRAINER_WORKERS: "0" })).toThrow(/TRAINER_WORKERS/);
    expect(() => defaultWorkers(big, { TRAINER_WORKERS: "two" })).toThrow(/TRAINER_WORKERS/);
  });
});

describe.each([
  ["full fine-tuning", null],
  ["LoRA", { rank: 2, alpha: 4 }],
] as const)("%s on 2 threads", (_name, lora) => {
  let pool: SharePool;
  let model: Model;
  beforeAll(async () => {
    model = testModel(lora);
    pool = await SharePool.start(model, "wasm", 2);
  });
  afterAll(async () => {
    await pool.close();
    disposeModel(model);
  });

  it.each(["flat", "per_layer"] as const)("%s clipping: the same sums, norms, clipped count and loss as one thread", async (clipping) => {
    const sample = randomUnits(11, model.config.vocab_size, 8, 3, 4);
    const one = clippedSums(model, sample, settings({ clipping }));
    const two = await pool.clippedSums(model, sample, settings({ clipping }));
    const [a, b] = [host(one.sums), host(two.sums)];
    for (const [param, values] of a) expectClose(b.get(param)!, values, param);
    expectClose(two.stats.unitNorms, one.stats.unitNorms, "unit norms");
    expect(two.stats.clippedFraction).toBe(one.stats.clippedFraction);
    expect(two.stats.clippedFraction).toBeGreaterThan(0);
    expect(two.stats.targetTokens).toBe(one.stats.targetTokens);
    expect(two.stats.loss!).toBeCloseTo(one.stats.loss!, 5);
    expect(two.stats.batchSize).toBe(11);
    tf.dispose([...one.sums.values(), ...two.sums.values()]);
  });

  it("the same update for the same sample and noise, over two steps (the threads follow the parent's weights)", async () => {
    const threaded = testModel(lora);
    const single = testModel(lora);
    const [o1, o2] = [new Optimizer(threaded, { name: "sgd", learning_rate: 0.5, momentum: 0 }), new Optimizer(single, { name: "sgd", learning_rate: 0.5, momentum: 0 })];
    const stepPool = await SharePool.start(threaded, "wasm", 2);
    try {
      for (const seed of [7, 8]) {
        const sample = randomUnits(9, threaded.config.vocab_size, 8, 2, seed);
        const s = settings({ samplingRate: 0.5 });
        noisyUpdate(o1, (await stepPool.clippedSums(threaded, sample, s)).sums, s, 18, null);
        noisyUpdate(o2, clippedSums(single, sample, s).sums, s, 18, null);
      }
      const [a, b] = [readWeights(threaded, "trainable"), readWeights(single, "trainable")];
      for (const [param, { data }] of Object.entries(b)) expectClose(a[param]!.data, data, param);
    } finally {
      await stepPool.close();
      disposeModel(threaded);
      disposeModel(single);
    }
  });
});

describe("the pool's step", () => {
  it("samples in the parent, charges one step, and an empty sample is a step", async () => {
    const model = testModel(null);
    const pool = await SharePool.start(model, "wasm", 2);
    try {
      const account = new RunPrivacy(0.01, 1, 1e-5, "rdp");
      const units = randomUnits(20, model.config.vocab_size, 8, 1, 2);
      const optimizer = new Optimizer(model, { name: "sgd", learning_rate: 0.1, momentum: 0 });
      const stats = await pool.dpStep(model, optimizer, units, settings({ samplingRate: 1e-9, noiseMultiplier: 1 }), account);
      expect(stats.batchSize).toBe(0);
      expect(account.steps).toBe(1);
    } finally {
      await pool.close();
      disposeModel(model);
    }
  });

  it("fails the next step, not the trainer, when a worker stops between steps", async () => {
    const model = testModel(null);
    const pool = await SharePool.start(model, "wasm", 2);
    try {
      await pool["workers"][1]!.terminate();
      await expect(pool.clippedSums(model, randomUnits(4, 20, 8, 1, 3), settings())).rejects.toThrow(/share worker exited/);
    } finally {
      await pool.close();
      disposeModel(model);
    }
  });

  it("fails the step with the worker's reason when a worker fails", async () => {
    const model = testModel(null);
    const other = testModel({ rank: 2, alpha: 4 }); // trainable names the workers' model does not have
    const pool = await SharePool.start(model, "wasm", 2);
    try {
      await expect(pool.clippedSums(other, randomUnits(4, 20, 8, 1, 3), settings())).rejects.toThrow(/share worker: not a trainable parameter/);
    } finally {
      await pool.close();
      disposeModel(model);
      disposeModel(other);
    }
  });
});
