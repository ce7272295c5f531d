// One DP-SGD step, in named stages:
//   sample            Poisson sampling of units (records or subjects) from a CSPRNG; a subject gives at most k records
//   per-unit norms    per-unit gradient norms of every trainable parameter, physical micro-batch by micro-batch
//   clip and sum      each unit's gradient scaled to norm at most C (flat, or per layer), summed over the batch
//   noise             Gaussian noise N(0, sigma^2 C^2) on every coordinate, from a CSPRNG
//   update            the noisy sum divided by the expected batch size q N, handed to the optimiser
//   account           the step charged to the privacy account
// An empty sample is a step like any other: only noise, still charged.

import * as tf from "@tensorflow/tfjs";
import { disposeBatch, makeBatch, type Unit } from "../model/batch";
import type { Model } from "../model/model";
import type { Optimizer } from "../model/optimizer";
import { unitGradients, type UnitGradients } from "./per-example";
import type { RunPrivacy } from "../run/run-privacy";
import { chooseWithoutReplacement, gaussians, poissonSample } from "../contract/secure-random";

export type ClippingMode = "flat" | "per_layer";

export interface DpSettings {
  samplingRate: number; // q: each unit joins a step's batch independently with this probability
  noiseMultiplier: number; // sigma: the noise's standard deviation is sigma * clipNorm (0: no noise)
  clipNorm: number; // C: bound on a unit's gradient norm (Infinity: no clipping)
  clipping: ClippingMode; // flat: one norm over all parameters; per_layer: C / sqrt(#parameters) per parameter
  maxPhysicalBatch: number; // units per micro-batch (memory bound; does not change the result)
  recordsPerUnit: number; // k: records of one unit used in a step, at most
}

export interface StepStats {
  batchSize: number; // units sampled
  records: number;
  targetTokens: number;
  loss: number | null; // mean token loss (nats) of the sampled records; null for an empty batch
  clippedFraction: number; // share of sampled units whose gradient was scaled down (0 for an empty batch)
  unitNorms: number[]; // each sampled unit's gradient norm before clipping
}

/** Stage 1: the units of this step, each cut to at most k records chosen at random. */
export function sampleUnits(units: readonly Unit[], samplingRate: number, recordsPerUnit: number): Unit[] {
  return poissonSample(units.length, samplingRate).map((i) => chooseWithoutReplacement(units[i] as Unit, recordsPerUnit));
}

export interface Clipping {
  /** Per parameter, the factor each unit's gradient is multiplied by (at most 1). */
  coefficients: Map<string, Float32Array>;
  /** Per unit, the norm of its whole gradient before clipping. */
  norms: number[];
  /** Units scaled down (in any parameter, for per-layer clipping). */
  clipped: number;
}

/** Stage 3a: clipping factors min(1, C / norm), from squared norms per parameter and unit. A non-finite norm gets
 * factor 0 (the unit contributes nothing), which is as private as any other clipping. */
export function clipCoefficients(
  squaredNorms: ReadonlyMap<string, Float32Array>,
  clipNorm: number,
  mode: ClippingMode,
): Clipping {
  const params = [...squaredNorms.keys()];
  const units = squaredNorms.get(params[0] ?? "")?.length ?? 0;
  const factor = (norm: number, bound: number) => (Number.isFinite(norm) ? Math.min(1, bound / norm) : 0);
  const norms = Array.from({ length: units }, (_, u) =>
    Math.sqrt(params.reduce((s, p) => s + (squaredNorms.get(p)![u] as number), 0)),
  );
  const coefficients = new Map<string, Float32Array>();
  const clippedUnits = new Set<number>();
  if (mode === "flat") {
    const shared = Float32Array.from(norms, (norm) => factor(norm, clipNorm));
    shared.forEach((c, u) => c < 1 && clippedUnits.add(u));
    for (const p of params) coefficients.set(p, shared);
  } else {
    const bound = clipNorm / Math.sqrt(params.length);
    for (const p of params) {
      const c = Float32Array.from(squaredNorms.get(p)!, (s) => factor(Math.sqrt(s), bound));
      c.forEach((v, u) => v < 1 && clippedUnits.add(u));
      coefficients.set(p, c);
    }
  }
  return { coefficients, norms, clipped: clippedUnits.size };
}

/** Stages 2 and 3 for one micro-batch: per-unit norms, then the clipped gradients added into `sums`. */
function clipAndAccumulate(grads: UnitGradients, settings: DpSettings, sums: Map<string, tf.Tensor>): Clipping {
  const squaredNorms = new Map([...grads.squaredNorms].map(([p, t]) => [p, t.dataSync() as Float32Array]));
  const clipping = clipCoefficients(squaredNorms, settings.clipNorm, settings.clipping);
  for (const [param, coefficients] of clipping.coefficients) {
    const previous = sums.get(param)!;
    // A unit with a non-finite gradient here has coefficient 0 and must add exactly 0 (NaN times 0 is NaN).
    const nonFinite = !squaredNorms.get(param)!.every(Number.isFinite);
    sums.set(param, tf.tidy(() => previous.add(grads.weightedSum(param, tf.tensor1d(coefficients), nonFinite))));
    previous.dispose();
  }
  return clipping;
}

/** Stage 4: adds N(0, (sigma C)^2) to every coordinate of every sum. */
export function addNoise(sums: Map<string, tf.Tensor>, std: number): void {
  if (std === 0) return;
  for (const [param, sum] of sums) {
    sums.set(param, tf.tidy(() => sum.add(tf.tensor(gaussians(sum.size, std), sum.shape))));
    sum.dispose();
  }
}

/** Stages 2 and 3 over one share of the sampled units (all of them, or one worker thread's part): their clipped,
 * summed gradients, micro-batch by micro-batch, with what the step reports about them. */
export interface ShareSums {
  sums: Map<string, tf.Tensor>;
  lossSum: number; // summed token losses (nats)
  targetTokens: number;
  norms: number[]; // each unit's gradient norm before clipping, in order
  clipped: number; // units scaled down
}

export function shareSums(model: Model, units: readonly Unit[], settings: DpSettings): ShareSums {
  const sums = new Map([...model.trainable].map((p) => [p, tf.zerosLike(model.params.get(p)!) as tf.Tensor]));
  const share: ShareSums = { sums, lossSum: 0, targetTokens: 0, norms: [], clipped: 0 };
  for (let start = 0; start < units.length; start += settings.maxPhysicalBatch) {
    const batch = makeBatch(units.slice(start, start + settings.maxPhysicalBatch));
    const grads = unitGradients(model, batch);
    const clipping = clipAndAccumulate(grads, settings, sums);
    share.lossSum += grads.lossSum;
    share.targetTokens += batch.targetCount;
    share.norms.push(...clipping.norms);
    share.clipped += clipping.clipped;
    grads.dispose();
    disposeBatch(batch);
  }
  return share;
}

/** The shares of one sample (in order) as one: their sums added, and the step's figures. Takes the shares' tensors. */
export function combineShares(sampled: readonly Unit[], shares: readonly ShareSums[]) {
  const [first, ...rest] = shares;
  if (!first) throw new Error("no shares to combine");
  const sums = first.sums;
  for (const share of rest) {
    for (const [param, part] of share.sums) {
      const previous = sums.get(param)!;
      sums.set(param, previous.add(part));
      tf.dispose([previous, part]);
    }
  }
  const lossSum = shares.reduce((s, x) => s + x.lossSum, 0);
  const targetTokens = shares.reduce((n, x) => n + x.targetTokens, 0);
  const clipped = shares.reduce((n, x) => n + x.clipped, 0);
  const stats: StepStats = {
    batchSize: sampled.length,
    records: sampled.reduce((n, u) => n + u.length, 0),
    targetTokens,
    loss: targetTokens > 0 ? lossSum / targetTokens : null,
    clippedFraction: sampled.length > 0 ? clipped / sampled.length : 0,
    unitNorms: shares.flatMap((x) => x.norms),
  };
  return { sums, stats };
}

/** Clipped, summed gradients of a list of sampled units (stages 2 and 3 over physical micro-batches). */
export function clippedSums(model: Model, sampled: readonly Unit[], settings: DpSettings) {
  return combineShares(sampled, [shareSums(model, sampled, settings)]);
}

/** Stages 4 to 6: noise on the clipped sums (once per step, whoever computed them), the update, the account. Takes
 * the sums' tensors. */
export function noisyUpdate(
  optimizer: Optimizer,
  sums: Map<string, tf.Tensor>,
  settings: DpSettings,
  unitCount: number,
  account: RunPrivacy | null,
): void {
  addNoise(sums, settings.noiseMultiplier === 0 ? 0 : settings.noiseMultiplier * settings.clipNorm); // 4. noise
  const expectedBatchSize = settings.samplingRate * unitCount;
  const gradients = new Map([...sums].map(([p, s]) => [p, s.div(expectedBatchSize)])); // 5. update
  optimizer.apply(gradients);
  tf.dispose([...sums.values(), ...gradients.values()]);
  if (account) account.steps += 1; // 6. account
}

/** One DP-SGD step over `units` (the whole training set of units). */
export function dpStep(
  model: Model,
  optimizer: Optimizer,
  units: readonly Unit[],
  settings: DpSettings,
  account: RunPrivacy | null,
): StepStats {
  const sampled = sampleUnits(units, settings.samplingRate, settings.recordsPerUnit); // 1. sample
  const { sums, stats } = clippedSums(model, sampled, settings); // 2-3. per-unit norms, clip and accumulate
  noisyUpdate(optimizer, sums, settings, units.length, account); // 4-6. noise, update, account
  return stats;
}
