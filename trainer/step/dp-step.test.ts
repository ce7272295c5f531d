// The DP step's guarantees, each checked directly: clipped contributions have norm at most C, the noise has standard
// deviation sigma C, batch sizes follow Poisson sampling, an empty batch is a step, and with clipping off and no
// noise the step is plain SGD. Statistical tests use a fixed false-alarm rate of 1e-6 each (|z| > 4.9).

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { makeBatch, disposeBatch } from "../model/batch";
import { addNoise, clipCoefficients, clippedSums, dpStep, sampleUnits, type DpSettings } from "./dp-step";
import { disposeModel, readWeights } from "../model/model";
import { Optimizer } from "../model/optimizer";
import { unitGradients } from "./per-example";
import { plainStep } from "./plain-step";
import { RunPrivacy } from "../run/run-privacy";
import { poissonSample } from "../contract/secure-random";
import { expectClose, randomUnits, referenceGradients, testModel } from "../testing";

const Z = 4.9; // two-sided false-alarm rate about 1e-6

const settings = (overrides: Partial<DpSettings> = {}): DpSettings => ({
  samplingRate: 1,
  noiseMultiplier: 0,
  clipNorm: 1,
  clipping: "flat",
  maxPhysicalBatch: 64,
  recordsPerUnit: 4,
  ...overrides,
});

/** z statistic of a sample's variance against a known standard deviation (chi-square, normal approximation). */
function varianceZ(values: ArrayLike<number>, std: number, mean = 0): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i] as number) - mean) ** 2;
  const n = values.length;
  return (sum / (std * std) - n) / Math.sqrt(2 * n);
}
const meanZ = (values: ArrayLike<number>, std: number) =>
  Array.from(values).reduce((s, v) => s + v, 0) / (std * Math.sqrt(values.length));

beforeAll(async () => {
  await initBackend("wasm");
});

describe("clipping", () => {
  it.each(["flat", "per_layer"] as const)("%s: every clipped contribution has norm at most C", (mode) => {
    const model = testModel(null);
    const units = randomUnits(12, model.config.vocab_size, 8, 2, 5);
    const reference = referenceGradients(model, units);
    const batch = makeBatch(units);
    const grads = unitGradients(model, batch);
    const squared = new Map([...grads.squaredNorms].map(([p, t]) => [p, t.dataSync() as Float32Array]));
    const norms = reference.map((r) => Math.sqrt([...r.values()].reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0)));
    const clipNorm = norms.sort((a, b) => a - b)[6]!; // about half the units get clipped
    const clipping = clipCoefficients(squared, clipNorm, mode);
    const params = [...model.trainable];
    reference.forEach((r, u) => {
      const perParam = params.map((p) => Math.sqrt(r.get(p)!.reduce((s, v) => s + v * v, 0)) * clipping.coefficients.get(p)![u]!);
      const total = Math.hypot(...perParam);
      expect(total).toBeLessThanOrEqual(clipNorm * (1 + 1e-5));
      if (mode === "per_layer") perParam.forEach((n) => expect(n).toBeLessThanOrEqual((clipNorm / Math.sqrt(params.length)) * (1 + 1e-5)));
    });
    expect(clipping.clipped).toBeGreaterThan(0);
    if (mode === "flat") expect(clipping.clipped).toBe(5);
    grads.dispose();
    disposeBatch(batch);
    disposeModel(model);
  });

  it("gives factor 1 below the bound, exactly C / norm above it, and 0 for a non-finite norm", () => {
    const clipping = clipCoefficients(new Map([["w", Float32Array.from([0, 0.25, 4, Infinity, NaN])]]), 1, "flat");
    expect(Array.from(clipping.coefficients.get("w")!)).toEqual([1, 1, 0.5, 0, 0]);
    expect(clipping.clipped).toBe(3);
    expect(clipping.norms.slice(0, 3)).toEqual([0, 0.5, 2]);
  });

  it.each([
    ["LoRA (materialised per-unit gradients)", { rank: 2, alpha: 2 }],
    ["full fine-tuning (ghost norms where they pay)", null],
  ] as const)("%s: a unit whose gradient is not finite contributes exactly zero", (_, lora) => {
    const model = testModel(lora);
    // One token's embedding overflows float32: every unit using it gets a NaN gradient, the others are untouched.
    const poison = 7;
    const row = model.params.get("wte.weight")!;
    tf.tidy(() => row.assign(row.add(tf.oneHot([poison], model.config.vocab_size).reshape([-1, 1]).mul(3e38))));
    const clean = randomUnits(6, model.config.vocab_size, 8, 2, 11).map((u) => u.map((s) => s.map((t) => (t === poison ? poison + 1 : t))));
    const poisoned = [[Int32Array.from([1, poison, 2, poison, 3])]];
    const units = [...clean.slice(0, 3), ...poisoned, ...clean.slice(3)];
    for (const strategy of ["flat", "per_layer"] as const) {
      const withPoison = clippedSums(model, units, settings({ clipNorm: 0.05, clipping: strategy }));
      const without = clippedSums(model, clean, settings({ clipNorm: 0.05, clipping: strategy }));
      expect(withPoison.stats.unitNorms[3]).toBeNaN();
      for (const [p, sum] of withPoison.sums) {
        const values = sum.dataSync();
        expect(values.every(Number.isFinite), p).toBe(true);
        expect(Array.from(values)).toEqual(Array.from(without.sums.get(p)!.dataSync()));
      }
      tf.dispose([...withPoison.sums.values(), ...without.sums.values()]);
    }
    disposeModel(model);
  });

  it("does not depend on how the batch is split into physical micro-batches", () => {
    const model = testModel({ rank: 2, alpha: 2 });
    const units = randomUnits(7, model.config.vocab_size, 8, 3, 9);
    const whole = clippedSums(model, units, settings({ clipNorm: 0.05 }));
    const split = clippedSums(model, units, settings({ clipNorm: 0.05, maxPhysicalBatch: 2 }));
    for (const [p, sum] of whole.sums) expectClose(split.sums.get(p)!.dataSync(), sum.dataSync(), p);
    expect(split.stats.clippedFraction).toBe(whole.stats.clippedFraction);
    expect(split.stats.loss).toBeCloseTo(whole.stats.loss!, 5);
    tf.dispose([...whole.sums.values(), ...split.sums.values()]);
    disposeModel(model);
  });
});

describe("noise", () => {
  it("has mean 0 and standard deviation sigma C", () => {
    const sums = new Map<string, tf.Tensor>([["w", tf.zeros([400, 500])]]);
    addNoise(sums, 0.7 * 2.5);
    const values = sums.get("w")!.dataSync();
    expect(Math.abs(varianceZ(values, 1.75))).toBeLessThan(Z);
    expect(Math.abs(meanZ(values, 1.75))).toBeLessThan(Z);
    // Power check: a 2% error in the standard deviation would be seen.
    expect(Math.abs(varianceZ(values, 1.75 * 1.02))).toBeGreaterThan(Z);
    tf.dispose([...sums.values()]);
  });

  it("is what moves the weights when the gradients are zero: sigma C / (q N) per coordinate with SGD at rate 1", () => {
    const model = testModel({ rank: 4, alpha: 4 });
    const before = readWeights(model, "trainable");
    const optimizer = new Optimizer(model, { name: "sgd", learning_rate: 1, momentum: 0 });
    // Records of a single token have no target, hence zero gradient: the update is the noise alone.
    const units = Array.from({ length: 20 }, () => [Int32Array.from([1])]);
    dpStep(model, optimizer, units, settings({ noiseMultiplier: 1.3, clipNorm: 2 }), null);
    const after = readWeights(model, "trainable");
    const deltas = Object.keys(before).flatMap((p) => Array.from(after[p]!.data, (v, i) => v - before[p]!.data[i]!));
    expect(deltas.length).toBeGreaterThan(500);
    expect(Math.abs(varianceZ(deltas, (1.3 * 2) / 20))).toBeLessThan(Z);
    optimizer.dispose();
    disposeModel(model);
  });
});

describe("Poisson sampling", () => {
  it("gives batch sizes distributed as Binomial(N, q), i.e. Poisson(qN) for small q", () => {
    const n = 2000;
    const q = 0.01;
    const trials = 3000;
    const sizes = Array.from({ length: trials }, () => poissonSample(n, q).length);
    const mean = sizes.reduce((s, v) => s + v, 0) / trials;
    const variance = sizes.reduce((s, v) => s + (v - mean) ** 2, 0) / (trials - 1);
    const expectedVariance = n * q * (1 - q);
    expect(Math.abs(mean - n * q) / Math.sqrt(expectedVariance / trials)).toBeLessThan(Z);
    // Variance of the sample variance of a near-Poisson variable with mean m is about (2 m^2 + m) / trials.
    const m = n * q;
    expect(Math.abs(variance - expectedVariance) / Math.sqrt((2 * m * m + m) / trials)).toBeLessThan(Z);
    // Each unit is included with probability q, independently of its index.
    const firstHalf = sizes.length && Array.from({ length: 200 }, () => poissonSample(n, q).filter((i) => i < n / 2).length);
    const halfMean = (firstHalf as number[]).reduce((s, v) => s + v, 0) / 200;
    expect(Math.abs(halfMean - (n / 2) * q) / Math.sqrt(((n / 2) * q) / 200)).toBeLessThan(Z);
  });

  it("caps a subject at k records, chosen without repetition", () => {
    const records = Array.from({ length: 10 }, (_, i) => Int32Array.from([i, i]));
    const [subject] = sampleUnits([records], 1, 3);
    expect(subject).toHaveLength(3);
    expect(new Set(subject!.map((r) => r[0])).size).toBe(3);
    expect(sampleUnits([records.slice(0, 2)], 1, 3)[0]).toHaveLength(2);
  });
});

describe("the whole step", () => {
  it("with clipping off and no noise equals plain SGD on the mean gradient", () => {
    const dpModel = testModel({ rank: 2, alpha: 4 });
    const plainModel = testModel({ rank: 2, alpha: 4 });
    const units = randomUnits(6, dpModel.config.vocab_size, 8, 1, 21);
    const sgd = { name: "sgd", learning_rate: 0.5, momentum: 0 } as const;
    const dpOptimizer = new Optimizer(dpModel, sgd);
    const plainOptimizer = new Optimizer(plainModel, sgd);
    const stats = dpStep(dpModel, dpOptimizer, units, settings({ clipNorm: Infinity, maxPhysicalBatch: 4 }), null);
    plainStep(plainModel, plainOptimizer, units);
    expect(stats.batchSize).toBe(6);
    expect(stats.clippedFraction).toBe(0);
    const a = readWeights(dpModel, "trainable");
    const b = readWeights(plainModel, "trainable");
    for (const p of Object.keys(a)) expectClose(a[p]!.data, b[p]!.data, p);
    [dpOptimizer, plainOptimizer].forEach((o) => o.dispose());
    [dpModel, plainModel].forEach(disposeModel);
  });

  it("handles an empty batch: no loss, still noise, still charged", () => {
    const model = testModel(null);
    const optimizer = new Optimizer(model, { name: "sgd", learning_rate: 0.1, momentum: 0 });
    const account = new RunPrivacy(1e-12, 1, 1e-5, "rdp");
    const before = readWeights(model, "trainable")["wte.weight"]!.data;
    const units = randomUnits(10, model.config.vocab_size, 8);
    const stats = dpStep(model, optimizer, units, settings({ samplingRate: 1e-12, noiseMultiplier: 1 }), account);
    expect(stats).toMatchObject({ batchSize: 0, records: 0, loss: null, clippedFraction: 0, unitNorms: [] });
    expect(readWeights(model, "trainable")["wte.weight"]!.data).not.toEqual(before);
    expect(account.steps).toBe(1);
    optimizer.dispose();
    disposeModel(model);
  });
});
