// What a run reports and writes between and after its steps: the protocol messages (started, step), evaluations,
// checkpoints and the final model directory with its finished message.

import path from "node:path";
import { writeCheckpoint } from "./checkpoint";
import type { StepStats } from "../step/dp-step";
import { evaluate } from "../eval/evaluate";
import { taskMetrics } from "../eval/task";
import { disposeModel, parameterCount, readWeights } from "../model/model";
import { codeVersion, copyTokenizer, writeModelDir } from "../contract/model-files";
import { EVENT_FORMAT_VERSION, gaussian, poissonSampled, type PrivacyEvent } from "../privacy";
import type { RunPrivacy } from "./run-privacy";
import { PROTOCOL_VERSION, type Message } from "../contract/protocol";
import { LORA_TARGETS } from "../contract/model-config";
import type { Outcome, Run, RunIo } from "./prepare";

const eventDocument = (event: PrivacyEvent) => ({ version: EVENT_FORMAT_VERSION, event }) as const;

/** Nearest-rank quantiles of the units' gradient norms. */
function normQuantiles(norms: readonly number[]) {
  if (norms.length === 0) return null;
  const sorted = [...norms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] as number };
}

export function startedMessage(run: Run, step: number): Message {
  const { spec, model, account, lora, units, train, samplingRate } = run;
  return {
    type: "started",
    protocol_version: PROTOCOL_VERSION,
    run_id: spec.run_id,
    backend: run.backend.name,
    backends_skipped: run.backend.skipped,
    model: run.base.config,
    parameters: { total: parameterCount(model), trainable: parameterCount(model, model.trainable) },
    fine_tuning: lora ? `lora rank ${lora.rank} alpha ${lora.alpha} on ${(lora.targets ?? LORA_TARGETS).join(", ")}` : "full",
    dataset: { records: train.records.length, units: units.length, sha256: train.sha256 },
    privacy:
      spec.privacy.mode === "dp"
        ? {
            mode: "dp",
            unit: spec.privacy.unit,
            sampling_rate: samplingRate,
            noise_multiplier: account!.noiseMultiplier,
            clip_norm: spec.privacy.clip_norm,
            clipping: spec.privacy.clipping,
            delta: spec.privacy.delta,
            target_epsilon: spec.privacy.target_epsilon,
            accountant: spec.privacy.accountant,
            planned_steps: spec.steps,
            affordable_steps: run.affordable,
            charged_steps: run.account!.steps,
            planned_epsilon: account!.epsilon(run.affordable),
          }
        : { mode: "none", sampling_rate: samplingRate, planned_steps: spec.steps },
    resumed_from_step: run.checkpoint ? step : null,
    ...(run.memory && { memory: { backend_bytes: run.memory.backendBytes, micro_batch: run.memory.microBatch, planned_peak_bytes: run.memory.peakBytes } }),
  };
}

export function startedLine(run: Run, step: number): string {
  const { spec, account } = run;
  return (
    `run ${spec.run_id}: ${run.backend.name} backend${run.pool ? ` on ${run.pool.size} worker threads` : ""}, ${run.units.length} ${run.unitKind}s, ` +
    (account ? `sigma ${account.noiseMultiplier.toFixed(4)}, q ${run.samplingRate.toPrecision(3)}, ` : "no DP, ") +
    `${run.checkpoint ? `resuming at step ${step} with ${account?.steps ?? step} steps charged, ` : ""}${spec.steps} steps planned`
  );
}

/** The `step` message of a step that began at `started` (performance.now()). */
export function stepMessage(run: Run, step: number, stats: StepStats, started: number): Extract<Message, { type: "step" }> {
  const { account, settings } = run;
  return {
    type: "step",
    step,
    batch_size: stats.batchSize,
    records: stats.records,
    tokens: stats.targetTokens,
    loss: stats.loss,
    epsilon: epsilonOf(account),
    clipped_fraction: settings ? stats.clippedFraction : null,
    grad_norm_quantiles: settings ? normQuantiles(stats.unitNorms) : null,
    privacy_event: account ? eventDocument(poissonSampled(run.samplingRate, gaussian(account.noiseMultiplier))) : null,
    elapsed_ms: performance.now() - started,
  };
}

/** True when `every` > 0 and `step` is a multiple of it (evaluations and checkpoints). */
export const isMultiple = (step: number, every: number): boolean => every > 0 && step % every === 0;

const epsilonOf = (account: RunPrivacy | null) => (account ? account.epsilon() : null);
const eventOf = (account: RunPrivacy | null) => (account ? eventDocument(account.event()) : null);

/** Validation loss and perplexity at `step`, with a task its metric too (nothing without validation data). */
export function evaluation(run: Run, step: number, io: RunIo): void {
  if (run.validation.length === 0) return;
  const result = evaluate(run.model, run.validation);
  const labels = run.spec.task?.labels;
  const task = labels && run.labelled.length > 0 ? taskMetrics(run.model, run.tokenizer, run.labelled, labels) : null;
  io.emit({
    type: "evaluation",
    step,
    validation_loss: result.loss,
    perplexity: result.perplexity,
    tokens: result.tokens,
    ...(task ? { task: { records: task.records, accuracy: task.accuracy, macro_f1: task.macro_f1 } } : {}),
  });
  io.log(`step ${step}: validation loss ${result.loss.toFixed(4)}, perplexity ${result.perplexity.toFixed(3)}${task ? `, task accuracy ${task.accuracy.toFixed(3)}, macro-F1 ${task.macro_f1.toFixed(3)}` : ""}`);
}

/** Writes the checkpoint at `step`: the trainable weights, the optimiser state and the privacy account. */
export function checkpoint(run: Run, step: number, io: RunIo): void {
  const { account, checkpointDir } = run;
  writeCheckpoint(
    checkpointDir,
    {
      run_id: run.spec.run_id,
      spec_sha256: run.digest,
      step,
      optimizer_steps: run.optimizer.steps,
      privacy: account ? { sampling_rate: run.samplingRate, noise_multiplier: account.noiseMultiplier, steps: account.steps } : null,
    },
    readWeights(run.model, "trainable"),
    run.optimizer.state(),
  );
  io.emit({ type: "checkpoint", step, dir: checkpointDir, epsilon: epsilonOf(account), privacy_event: eventOf(account) });
}

/** Writes the model directory (merged weights, provenance, the adapters of a LoRA run), reports `finished` and frees
 * the model. */
export function writeResult(run: Run, step: number, outcome: Outcome, io: RunIo): void {
  const { spec, account, base, train } = run;
  const modelDir = path.join(spec.output_dir, "model");
  const digests = writeModelDir(
    modelDir,
    base.config,
    readWeights(run.model, "merged"),
    {
      kind: "fine-tuned",
      run_id: spec.run_id,
      base_model: { weights_sha256: base.digests.weights_sha256, config_sha256: base.digests.config_sha256 },
      dataset: { sha256: train.sha256, records: train.records.length, units: run.units.length },
      training: {
        outcome,
        backend: run.backend.name,
        fine_tuning: spec.fine_tuning,
        optimizer: spec.optimizer,
        planned_steps: spec.steps,
        expected_batch_size: spec.expected_batch_size,
        max_physical_batch: run.memory?.microBatch ?? spec.max_physical_batch ?? null, // the micro-batch used
        seed: spec.seed,
      },
      privacy:
        spec.privacy.mode === "dp"
          ? {
              mode: "dp",
              unit: spec.privacy.unit,
              records_per_subject: run.settings!.recordsPerUnit,
              accountant: spec.privacy.accountant,
              delta: spec.privacy.delta,
              epsilon: account!.epsilon(),
              steps: account!.steps,
              privacy_event: eventDocument(account!.event()),
            }
          : { mode: "none", steps: step },
      code_version: codeVersion(),
    },
    run.lora ? readWeights(run.model, "trainable") : null,
  );
  copyTokenizer(base.config, spec.base_model, modelDir);
  io.emit({
    type: "finished",
    outcome,
    steps: step,
    epsilon: epsilonOf(account),
    delta: spec.privacy.mode === "dp" ? spec.privacy.delta : null,
    privacy_event: eventOf(account),
    model_dir: modelDir,
    ...digests,
  });
  io.log(`run ${spec.run_id}: ${outcome} after ${step} steps${account ? `, epsilon ${account.epsilon().toFixed(4)}` : ""}`);
  run.optimizer.dispose();
  disposeModel(run.model);
}

