// Every CPU core for the DP step: N worker threads (share-worker.ts), each with its own copy of the model on a
// single-threaded backend, compute the clipped, summed per-unit gradients of their share of the step's Poisson
// sample (stages 2 and 3). The parent samples, adds the shares and adds the noise once (dp-step.ts), so a step on
// threads is the one-thread step, and the accountant's event is unchanged.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "../contract/protocol";
import type { HostTensors } from "../contract/safetensors";
import type { Unit } from "../model/batch";
import type { Model } from "../model/model";
import type { Optimizer } from "../model/optimizer";
import type { RunPrivacy } from "../run/run-privacy";
import { combineShares, noisyUpdate, sampleUnits, shareSums, type DpSettings, type ShareSums, type StepStats } from "./dp-step";
import type { ShareAnswer, ShareRequest } from "./share-messages";

/** Backends that use one core, where threads add cores; the native and GPU backends use the device themselves. */
export const SINGLE_CORE_BACKENDS: readonly BackendName[] = ["wasm", "cpu"];

/** Below this much arithmetic per step (about a tenth of a second on one core), starting and feeding threads costs
 * more than they save. */
export const MIN_STEP_FLOPS_FOR_THREADS = 2e8;

/** An expected step's arithmetic: about 6 multiply-adds per parameter and token (forward and backward). */
export const stepFlops = (parameters: number, expectedTokens: number): number => 6 * parameters * expectedTokens;

/** The default number of worker threads: TRAINER_WORKERS when set, else one per core when a step's work pays for
 * them, else 1 (the trainer's own thread). */
export function defaultWorkers(flopsPerStep: number, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const given = env.TRAINER_WORKERS;
  if (given === undefined || given === "") return flopsPerStep < MIN_STEP_FLOPS_FOR_THREADS ? 1 : availableParallelism();
  const n = Number(given);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`TRAINER_WORKERS: expected a whole number >= 1, got ${given}`);
  return n;
}

async function hostTensors(model: Model, names: Iterable<string>): Promise<HostTensors> {
  const out: HostTensors = {};
  for (const name of names) {
    const t = model.params.get(name)!;
    out[name] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
  }
  return out;
}

/** Contiguous shares of the units with about equal token counts (a unit's cost grows with its tokens); at most
 * `parts` shares, none empty. */
export function splitShares(units: readonly Unit[], parts: number): Unit[][] {
  const cost = (u: Unit) => u.reduce((n, s) => n + s.length, 0);
  const total = units.reduce((n, u) => n + cost(u), 0);
  const shares: Unit[][] = [];
  let current: Unit[] = [];
  let done = 0;
  for (const unit of units) {
    current.push(unit);
    done += cost(unit);
    if (shares.length < parts - 1 && done >= (total * (shares.length + 1)) / parts) {
      shares.push(current);
      current = [];
    }
  }
  if (current.length > 0) shares.push(current);
  return shares;
}

/** One request to a worker, answered by its next message (a worker has at most one request in flight). */
function ask(worker: Worker, request: ShareRequest): Promise<ShareAnswer & { kind: "ready" | "sums" }> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (answer: ShareAnswer) => {
      settle();
      if (answer.kind === "error") reject(new Error(`share worker: ${answer.message}`));
      else resolve(answer);
    };
    const onError = (error: Error) => {
      settle();
      reject(new Error(`share worker failed: ${error.message}`));
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`share worker exited (code ${code})`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(request);
  });
}

export class SharePool {
  /** Why a worker stopped between requests (it fails the next step), or null. */
  private broken: string | null = null;

  private constructor(private readonly workers: Worker[]) {
    // A worker that fails while no request is waiting must not crash the trainer unheard: the next step fails instead.
    for (const w of workers) {
      w.on("error", (error: Error) => (this.broken ??= `share worker failed: ${error.message}`));
      w.on("exit", (code: number) => (this.broken ??= `share worker exited (code ${code})`));
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** `threads` workers, each with a copy of `model` (its current weights) on `backend`. */
  static async start(model: Model, backend: BackendName, threads: number): Promise<SharePool> {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number >= 1, got ${threads}`);
    const weights = await hostTensors(model, model.params.keys());
    const workers = Array.from({ length: threads }, () => new Worker(new URL("./share-worker-boot.mjs", import.meta.url)));
    const pool = new SharePool(workers);
    try {
      await Promise.all(workers.map((w) => ask(w, { kind: "init", backend, config: model.config, weights, lora: model.lora })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Stages 2 and 3 of a step on the threads: what clippedSums(model, sampled, settings) computes on one. */
  async clippedSums(model: Model, sampled: readonly Unit[], settings: DpSettings) {
    if (this.broken) throw new Error(this.broken);
    const parts = splitShares(sampled, this.workers.length);
    if (parts.length === 0) return combineShares(sampled, [shareSums(model, sampled, settings)]);
    const trainable = await hostTensors(model, model.trainable);
    const answers = await Promise.all(parts.map((units, i) => ask(this.workers[i]!, { kind: "share", trainable, units, settings })));
    const shares: ShareSums[] = answers.map((answer) => {
      if (answer.kind !== "sums") throw new Error("share worker answered out of turn");
      return {
        sums: new Map(Object.entries(answer.sums).map(([name, h]) => [name, tf.tensor(h.data, h.shape)])),
        lossSum: answer.lossSum,
        targetTokens: answer.targetTokens,
        norms: answer.norms,
        clipped: answer.clipped,
      };
    });
    return combineShares(sampled, shares);
  }

  /** dpStep on the threads: the parent samples (1), the threads clip and sum (2-3), the parent adds noise once,
   * updates and accounts (4-6). */
  async dpStep(model: Model, optimizer: Optimizer, units: readonly Unit[], settings: DpSettings, account: RunPrivacy | null): Promise<StepStats> {
    const sampled = sampleUnits(units, settings.samplingRate, settings.recordsPerUnit);
    const { sums, stats } = await this.clippedSums(model, sampled, settings);
    noisyUpdate(optimizer, sums, settings, units.length, account);
    return stats;
  }

  async close(): Promise<void> {
    this.broken ??= "the share pool was closed";
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
