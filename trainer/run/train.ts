// A fine-tuning run, from its spec to its final model: load the base model and the data, set up the privacy account
// (calibrating the noise to the target epsilon unless given), then the training loop, one step at a time, with
// evaluations and checkpoints between steps; it stops when the planned steps are done, before the target epsilon
// would be exceeded, or at the first step boundary after a stop request, and writes the model.

import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendInfo } from "./backend";
import type { Unit } from "../model/batch";
import { readChargedSteps, readCheckpoint, recordChargedSteps, writeCheckpoint, type Checkpoint } from "./checkpoint";
import { readDataset, toUnits, type Dataset } from "./data";
import { dpStep, sampleUnits, type DpSettings, type StepStats } from "../step/dp-step";
import { evaluate } from "../eval/evaluate";
import { createModel, disposeModel, initialLoraWeights, parameterCount, readWeights, type LoraConfig, type Model } from "../model/model";
import { codeVersion, readModelDir, readModelWeights, writeModelDir, type ModelDir } from "../contract/model-files";
import { Optimizer } from "../model/optimizer";
import { plainStep } from "../step/plain-step";
import { calibrateNoiseMultiplier, createAccountant, EVENT_FORMAT_VERSION, gaussian, poissonSampled, type PrivacyEvent, type PrivacyUnit } from "../privacy";
import { RunPrivacy } from "./run-privacy";
import { PROTOCOL_VERSION, type Message, type RunSpec } from "../contract/protocol";
import { sha256 } from "../contract/safetensors";
import { recordTokens } from "../model/tokenizer";

export interface RunIo {
  emit(message: Message): void;
  log(line: string): void;
  /** True once the run has been asked to stop (SIGTERM): it stops at the next step boundary. */
  stopRequested(): boolean;
}

export type Outcome = "completed" | "budget_exhausted" | "interrupted";

const eventDocument = (event: PrivacyEvent) => ({ version: EVENT_FORMAT_VERSION, event }) as const;

/** Nearest-rank quantiles of the units' gradient norms. */
function normQuantiles(norms: readonly number[]) {
  if (norms.length === 0) return null;
  const sorted = [...norms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] as number };
}

const specDigest = (spec: RunSpec): string => sha256(JSON.stringify(spec));

/** A run that failed, with the last step it charged (whose update may have been applied), or null if none. */
export class TrainingFailure extends Error {
  constructor(
    cause: unknown,
    readonly step: number | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface RunOptions {
  resume: boolean;
  /** Every step the server has charged to this run in earlier segments (its ledger is the authority). The trainer
   * then counts from there and may run the spec's remaining steps, which the server reserved when it resumed. */
  chargedSteps?: number;
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
        ? dpStep(model, optimizer, units, settings, account)
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
  }
}

/** Everything a run needs before its first step. */
interface Run {
  spec: RunSpec;
  backend: BackendInfo;
  base: ModelDir;
  train: Dataset;
  unitKind: PrivacyUnit;
  units: Unit[];
  /** The validation records' tokens (the first `evaluation_records`). */
  validation: Int32Array[];
  samplingRate: number;
  lora: LoraConfig | null;
  model: Model;
  optimizer: Optimizer;
  checkpointDir: string;
  /** The spec's digest, which a checkpoint and the charged steps are recorded under. */
  digest: string;
  checkpoint: Checkpoint | null;
  /** Null without DP. */
  account: RunPrivacy | null;
  /** The most steps charged in all (earlier segments included) that the run may reach. */
  affordable: number;
  /** Null without DP. */
  settings: DpSettings | null;
}

/** The backend, the base model and the data, the model to train and its optimiser, the checkpoint to resume from
 * (checked against the spec) and the privacy account. */
async function prepare(spec: RunSpec, options: RunOptions): Promise<Run> {
  const backend = await initBackend(spec.backend);
  const base = readModelDir(spec.base_model);
  const contextLength = base.config.context_length;
  const train = readDataset(spec.data.train);
  const unitKind = spec.privacy.mode === "dp" ? spec.privacy.unit : "record";
  const units = toUnits(train.records, unitKind, contextLength);
  const validation = spec.data.validation
    ? readDataset(spec.data.validation)
        .records.slice(0, spec.evaluation_records)
        .map((r) => recordTokens(r.text, contextLength + 1))
    : [];
  const samplingRate = spec.expected_batch_size / units.length;
  if (!(samplingRate <= 1)) throw new Error(`expected_batch_size ${spec.expected_batch_size} exceeds the ${units.length} units`);

  const lora = spec.fine_tuning.method === "lora" ? { rank: spec.fine_tuning.rank, alpha: spec.fine_tuning.alpha } : null;
  const model = createModel(base.config, readModelWeights(spec.base_model), {
    lora,
    adapters: lora ? initialLoraWeights(base.config, lora, spec.seed) : undefined,
  });
  const optimizer = new Optimizer(model, spec.optimizer);
  const checkpointDir = path.join(spec.output_dir, "checkpoint");
  const digest = specDigest(spec);
  const checkpoint = options.resume ? readCheckpoint(checkpointDir) : null;
  if (options.resume && !checkpoint) throw new Error(`--resume: no checkpoint in ${checkpointDir}`);
  if (checkpoint && checkpoint.meta.spec_sha256 !== digest) {
    throw new Error("--resume: the checkpoint was written for a different run spec");
  }

  const { account, affordable } = openAccount(spec, samplingRate, checkpoint, () => readChargedSteps(checkpointDir, digest), options);
  const settings: DpSettings | null =
    spec.privacy.mode === "dp"
      ? {
          samplingRate,
          noiseMultiplier: account!.noiseMultiplier,
          clipNorm: spec.privacy.clip_norm,
          clipping: spec.privacy.clipping,
          maxPhysicalBatch: spec.max_physical_batch,
          recordsPerUnit: spec.privacy.unit === "subject" ? spec.privacy.records_per_subject : 1,
        }
      : null;

  if (checkpoint) {
    for (const [name, host] of Object.entries(checkpoint.params)) {
      const variable = model.params.get(name);
      if (!variable || !model.trainable.has(name)) throw new Error(`checkpoint has unexpected parameter ${name}`);
      tf.tidy(() => variable.assign(tf.tensor(host.data, host.shape)));
    }
    optimizer.restore(checkpoint.optimizer, checkpoint.meta.optimizer_steps);
  }
  return { spec, backend, base, train, unitKind, units, validation, samplingRate, lora, model, optimizer, checkpointDir, digest, checkpoint, account, affordable, settings };
}
/** The privacy account (null without DP): sigma given, or calibrated so that the planned steps reach the target
 * epsilon. A resumed run starts from every step charged so far (the server's count when it gives one, and never
 * fewer than this directory records: `chargedHere`), including any run after its checkpoint by a process that crashed
 * and the step that was in flight; `affordable` is the most steps in all that stay within the target, or, when the
 * server gave its count, that count plus the spec's remaining steps (the server checked and reserved those against
 * the budget). */
function openAccount(
  spec: RunSpec,
  samplingRate: number,
  checkpoint: Checkpoint | null,
  chargedHere: () => number,
  options: RunOptions,
): { account: RunPrivacy | null; affordable: number } {
  if (spec.privacy.mode !== "dp") return { account: null, affordable: spec.steps };
  const p = spec.privacy;
  const step = checkpoint?.meta.step ?? 0;
  const noiseMultiplier =
    checkpoint?.meta.privacy?.noise_multiplier ??
    p.noise_multiplier ??
    calibrateNoiseMultiplier(
      { targetEpsilon: p.target_epsilon, delta: p.delta, samplingRate, steps: spec.steps },
      createAccountant(p.accountant),
    ).noiseMultiplier;
  const charged = Math.max(checkpoint ? Math.max(checkpoint.meta.privacy?.steps ?? 0, chargedHere()) : 0, options.chargedSteps ?? 0);
  const account = new RunPrivacy(samplingRate, noiseMultiplier, p.delta, p.accountant, charged);
  const affordable =
    options.chargedSteps !== undefined ? charged + spec.steps - step : account.affordableSteps(p.target_epsilon, charged + spec.steps - step);
  return { account, affordable };
}

function startedMessage(run: Run, step: number): Message {
  const { spec, model, account, lora, units, train, samplingRate } = run;
  return {
    type: "started",
    protocol_version: PROTOCOL_VERSION,
    run_id: spec.run_id,
    backend: run.backend.name,
    backends_skipped: run.backend.skipped,
    model: run.base.config,
    parameters: { total: parameterCount(model), trainable: parameterCount(model, model.trainable) },
    fine_tuning: lora ? `lora rank ${lora.rank} alpha ${lora.alpha}` : "full",
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
            planned_epsilon: account!.epsilon(run.affordable),
          }
        : { mode: "none", sampling_rate: samplingRate, planned_steps: spec.steps },
    resumed_from_step: run.checkpoint ? step : null,
  };
}

function startedLine(run: Run, step: number): string {
  const { spec, account } = run;
  return (
    `run ${spec.run_id}: ${run.backend.name} backend, ${run.units.length} ${run.unitKind}s, ` +
    (account ? `sigma ${account.noiseMultiplier.toFixed(4)}, q ${run.samplingRate.toPrecision(3)}, ` : "no DP, ") +
    `${run.checkpoint ? `resuming at step ${step} with ${account?.steps ?? step} steps charged, ` : ""}${spec.steps} steps planned`
  );
}

/** The `step` message of a step that began at `started` (performance.now()). */
function stepMessage(run: Run, step: number, stats: StepStats, started: number): Extract<Message, { type: "step" }> {
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
const isMultiple = (step: number, every: number): boolean => every > 0 && step % every === 0;

const epsilonOf = (account: RunPrivacy | null) => (account ? account.epsilon() : null);
const eventOf = (account: RunPrivacy | null) => (account ? eventDocument(account.event()) : null);

/** Validation loss and perplexity at `step` (nothing without validation data). */
function evaluation(run: Run, step: number, io: RunIo): void {
  if (run.validation.length === 0) return;
  const result = evaluate(run.model, run.validation);
  io.emit({ type: "evaluation", step, validation_loss: result.loss, perplexity: result.perplexity, tokens: result.tokens });
  io.log(`step ${step}: validation loss ${result.loss.toFixed(4)}, perplexity ${result.perplexity.toFixed(3)}`);
}

/** Writes the checkpoint at `step`: the trainable weights, the optimiser state and the privacy account. */
function checkpoint(run: Run, step: number, io: RunIo): void {
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
function writeResult(run: Run, step: number, outcome: Outcome, io: RunIo): void {
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
        max_physical_batch: spec.max_physical_batch,
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

/** A non-private step on a Poisson sample (the baseline for what DP costs). An empty sample changes nothing. */
function nonPrivateStep(model: Model, optimizer: Optimizer, units: readonly Unit[], samplingRate: number, expected: number): StepStats {
  const sampled = sampleUnits(units, samplingRate, Infinity);
  const records = sampled.reduce((n, u) => n + u.length, 0);
  const targetTokens = sampled.reduce((n, u) => n + u.reduce((m, s) => m + Math.max(0, s.length - 1), 0), 0);
  const loss = sampled.length > 0 ? plainStep(model, optimizer, sampled, expected).loss : null;
  return { batchSize: sampled.length, records, targetTokens, loss, clippedFraction: 0, unitNorms: [] };
}
