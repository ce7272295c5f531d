// The trainer benchmark: on one model, batch and backend, the DP-SGD step (per-unit norms by the mixed ghost-norm
// rule, clipping, noise, update) against the non-private step and against a naive DP step that backpropagates one
// example at a time; tokens per second and peak memory. Used by `npm run bench -- trainer` (scripts/bench.ts).

import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../run/backend";
import type { Unit } from "../model/batch";
import { addNoise, dpStep, type DpSettings } from "../step/dp-step";
import { createModel, disposeModel, initialLoraWeights, initialWeights, parameterCount, type LoraConfig, type Model } from "../model/model";
import { modelConfig, type ModelConfig } from "../contract/model-config";
import { Optimizer } from "../model/optimizer";
import { plainGradients, plainStep } from "../step/plain-step";
import type { BackendChoice, BackendName } from "../contract/protocol";
import { SharePool } from "../step/share-pool";
import { seededUniform } from "../contract/seeded-random";

export interface StepTimes {
  dp_step_ms: number; // on the benchmark's worker threads (1: its own thread)
  dp_one_thread_ms: number; // the same DP step on one thread
  workers_speedup: number; // dp_one_thread_ms / dp_step_ms
  nonprivate_step_ms: number;
  naive_step_ms: number;
  dp_over_nonprivate: number; // both on one thread
  naive_over_dp: number;
  tokens_per_s: number; // of the DP step
  trainable_parameters: number;
}

export interface TrainerBenchmark extends StepTimes {
  backend: string;
  /** Worker threads of the DP step (trainer/step/share-pool.ts); 1: the benchmark's own thread. */
  workers: number;
  model: ModelConfig;
  parameters: number;
  batch_size: number;
  tokens_per_step: number;
  fine_tuning: "full";
  lora: StepTimes & { rank: number };
  peak_rss_mb: number;
  rounds: number;
}

/**
 * The naive DP step, for comparison only: one backward pass per example, then the same clipping, noise and update.
 */
function naiveDpStep(model: Model, optimizer: Optimizer, units: readonly Unit[], settings: DpSettings): void {
  const sums = new Map([...model.trainable].map((p) => [p, tf.zerosLike(model.params.get(p)!) as tf.Tensor]));
  for (const unit of units) {
    const { grads } = plainGradients(model, [unit], 1);
    const norm = Math.sqrt([...grads.values()].reduce((s, g) => s + tf.tidy(() => g.square().sum().dataSync()[0] as number), 0));
    const factor = Math.min(1, settings.clipNorm / norm);
    for (const [p, g] of grads) {
      const previous = sums.get(p)!;
      sums.set(p, tf.tidy(() => previous.add(g.mul(factor))));
      previous.dispose();
    }
    tf.dispose([...grads.values()]);
  }
  addNoise(sums, settings.noiseMultiplier * settings.clipNorm);
  const gradients = new Map([...sums].map(([p, s]) => [p, s.div(settings.samplingRate * units.length)]));
  optimizer.apply(gradients);
  tf.dispose([...sums.values(), ...gradients.values()]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function timed(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Times the three steps on `units`, interleaved round by round so that machine load affects them alike; the DP step
 * on `workers` threads when more than 1. */
async function stepTimes(
  config: ModelConfig,
  lora: LoraConfig | null,
  units: readonly Unit[],
  rounds: number,
  backend: BackendName,
  workers: number,
): Promise<StepTimes> {
  const model = createModel(config, initialWeights(config, 1), {
    lora,
    adapters: lora ? initialLoraWeights(config, lora, 2) : undefined,
  });
  const optimizer = new Optimizer(model, { name: "sgd", learning_rate: 1e-4, momentum: 0 });
  const settings: DpSettings = {
    samplingRate: 1, // every unit every step: the batch size is fixed for timing
    noiseMultiplier: 1,
    clipNorm: 1,
    clipping: "flat",
    maxPhysicalBatch: units.length,
    recordsPerUnit: 1,
  };
  const pool = workers > 1 ? await SharePool.start(model, backend, workers) : null;
  const run = {
    dp: () => (pool ? pool.dpStep(model, optimizer, units, settings, null) : dpStep(model, optimizer, units, settings, null)),
    dpOne: () => dpStep(model, optimizer, units, settings, null),
    plain: () => plainStep(model, optimizer, units),
    naive: () => naiveDpStep(model, optimizer, units, settings),
  };
  for (const f of Object.values(run)) await f(); // warm-up
  const times = { dp: [] as number[], dpOne: [] as number[], plain: [] as number[], naive: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    times.plain.push(await timed(run.plain));
    times.dp.push(await timed(run.dp));
    if (pool) times.dpOne.push(await timed(run.dpOne));
    if (round < Math.max(1, Math.ceil(rounds / 3))) times.naive.push(await timed(run.naive));
  }
  await pool?.close();
  const tokens = units.reduce((n, u) => n + u.reduce((m, s) => m + s.length - 1, 0), 0);
  const oneThread = median(pool ? times.dpOne : times.dp);
  const result: StepTimes = {
    dp_step_ms: median(times.dp),
    dp_one_thread_ms: oneThread,
    workers_speedup: oneThread / median(times.dp),
    nonprivate_step_ms: median(times.plain),
    naive_step_ms: median(times.naive),
    dp_over_nonprivate: oneThread / median(times.plain),
    naive_over_dp: median(times.naive) / oneThread,
    tokens_per_s: tokens / (median(times.dp) / 1000),
    trainable_parameters: parameterCount(model, model.trainable),
  };
  optimizer.dispose();
  disposeModel(model);
  return result;
}

/** Full-length random byte sequences (the step's cost does not depend on the text). */
function randomBatch(count: number, length: number): Unit[] {
  const next = seededUniform(3);
  return Array.from({ length: count }, () => [Int32Array.from({ length }, () => Math.floor(next() * 256))]);
}

export async function benchmarkTrainer(
  options: { backend?: BackendChoice; batch?: number; rounds?: number; loraRank?: number; workers?: number } = {},
): Promise<TrainerBenchmark> {
  const { backend = "auto", batch = 32, rounds = 7, loraRank = 8, workers = 1 } = options;
  const info = await initBackend(backend);
  const config = modelConfig();
  const units = randomBatch(batch, config.context_length + 1);
  const full = await stepTimes(config, null, units, rounds, info.name, workers);
  const lora = await stepTimes(config, { rank: loraRank, alpha: 2 * loraRank }, units, rounds, info.name, workers);
  return {
    backend: info.name,
    workers,
    model: config,
    parameters: full.trainable_parameters,
    batch_size: batch,
    tokens_per_step: batch * config.context_length,
    fine_tuning: "full",
    ...full,
    lora: { rank: loraRank, ...lora },
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    rounds,
  };
}
