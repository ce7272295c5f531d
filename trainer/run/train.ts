// A fine-tuning run, from its spec to its final model: load the base model and the data, set up the privacy account
// (calibrating the noise to the target epsilon unless given), then the training loop, one step at a time, with
// evaluations and checkpoints between steps; it stops when the planned steps are done, before the target epsilon
// would be exceeded, or at the first step boundary after a stop request, and writes the model.

import type { Unit } from "../model/batch";
import { recordChargedSteps } from "./checkpoint";
import { dpStep, sampleUnits, type StepStats } from "../step/dp-step";
import type { Model } from "../model/model";
import { Optimizer } from "../model/optimizer";
import { plainStep } from "../step/plain-step";
import type { RunSpec } from "../contract/protocol";
import { prepare, type Outcome, type RunIo, type RunOptions } from "./prepare";
import { checkpoint, evaluation, isMultiple, startedLine, startedMessage, stepMessage, writeResult } from "./report";

export type { Outcome, RunIo, RunOptions };

/** A run that failed, with the last step it charged (whose update may have been applied), or null if none. */
export class TrainingFailure extends Error {
  constructor(
    cause: unknown,
    readonly step: number | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export async function runTraining(spec: RunSpec, io: RunIo, options: RunOptions): Promise<Outcome> {
  const run = await prepare(spec, options);
  const { model, optimizer, units, account, settings } = run;
  let step = run.checkpoint?.meta.step ?? 0;
  io.emit(startedMessage(run, step));
  io.log(startedLine(run, step));

  // The training loop. `lastCharged`: the last step charged by this process (its update may have been applied),
  // reported if the run fails.
  let lastCharged: number | null = null;
  try {
    let outcome: Outcome = "completed";
    while (step < spec.steps) {
      if (io.stopRequested()) {
        outcome = "interrupted";
        break;
      }
      if (account && account.steps >= run.affordable) {
        outcome = "budget_exhausted";
        break;
      }
      const started = performance.now();
      // Charged before it runs (write-ahead): a crash or failure after its update was applied still counts it.
      if (account) recordChargedSteps(run.checkpointDir, run.digest, account.steps + 1);
      lastCharged = step + 1;
      const stats = settings
        ? run.pool
          ? await run.pool.dpStep(model, optimizer, units, settings, account)
          : dpStep(model, optimizer, units, settings, account)
        : nonPrivateStep(model, optimizer, units, run.samplingRate, spec.expected_batch_size);
      step += 1;
      const message = stepMessage(run, step, stats, started);
      io.emit(message);
      io.log(
        `step ${step}/${spec.steps}: loss ${message.loss?.toFixed(4) ?? "-"}, batch ${message.batch_size}` +
          (message.epsilon === null ? "" : `, epsilon ${message.epsilon.toFixed(4)}`),
      );
      if (isMultiple(step, spec.evaluation_every)) evaluation(run, step, io);
      if (isMultiple(step, spec.checkpoint_every)) checkpoint(run, step, io);
      await new Promise((resolve) => setImmediate(resolve)); // lets a SIGTERM handler run between steps
    }
    if (outcome === "interrupted") checkpoint(run, step, io);
    else if (!isMultiple(step, spec.evaluation_every)) evaluation(run, step, io);
    writeResult(run, step, outcome, io);
    return outcome;
  } catch (error) {
    throw new TrainingFailure(error, lastCharged);
  } finally {
    await run.pool?.close();
  }
}

/** A non-private step on a Poisson sample (the baseline for what DP costs). An empty sample changes nothing. */
function nonPrivateStep(model: Model, optimizer: Optimizer, units: readonly Unit[], samplingRate: number, expected: number): StepStats {
  const sampled = sampleUnits(units, samplingRate, Infinity);
  const records = sampled.reduce((n, u) => n + u.length, 0);
  const targetTokens = sampled.reduce((n, u) => n + u.reduce((m, s) => m + Math.max(0, s.length - 1), 0), 0);
  const loss = sampled.length > 0 ? plainStep(model, optimizer, sampled, expected).loss : null;
  return { batchSize: sampled.length, records, targetTokens, loss, clippedFraction: 0, unitNorms: [] };
}
