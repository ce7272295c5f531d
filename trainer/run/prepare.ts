// Before a run's first step: the backend, the base model and the data, the model to train and its optimiser, the
// checkpoint to resume from (checked against the spec) and the privacy account; and the types a run shares.

import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendInfo } from "./backend";
import { planMicroBatch, type MicroBatchPlan } from "./memory";
import type { Unit } from "../model/batch";
import { readChargedSteps, readCheckpoint, type Checkpoint } from "./checkpoint";
import { readDataset, toUnits, type Dataset } from "./data";
import type { DpSettings } from "../step/dp-step";
import { createModel, initialLoraWeights, parameterCount, type LoraConfig, type Model } from "../model/model";
import { readModelDir, readModelWeights, type ModelDir } from "../contract/model-files";
import { Optimizer } from "../model/optimizer";
import { calibrateNoiseMultiplier, createAccountant, type PrivacyUnit } from "../privacy";
import { RunPrivacy } from "./run-privacy";
import { defaultWorkers, SharePool, SINGLE_CORE_BACKENDS, stepFlops } from "../step/share-pool";
import type { Message, RunSpec } from "../contract/protocol";
import { checkpointDirectory, specDigest } from "../contract/charged-steps";
import { modelTokenizer, recordTokens, type Tokenizer } from "../model/tokenizer";
import { labelledText } from "../contract/labelled-text";

export interface RunIo {
  emit(message: Message): void;
  log(line: string): void;
  /** True once the run has been asked to stop (SIGTERM): it stops at the next step boundary. */
  stopRequested(): boolean;
}

export type Outcome = "completed" | "budget_exhausted" | "interrupted";

export interface RunOptions {
  resume: boolean;
  /** Every step the server has charged to this run in earlier segments (its ledger is the authority). The trainer
   * then counts from there and may run the spec's remaining steps, which the server reserved when it resumed. */
  chargedSteps?: number;
  /** Worker threads for the DP step on a single-core backend (wasm, cpu): default one per core (TRAINER_WORKERS);
   * 1 computes on the trainer's own thread. Default: TRAINER_WORKERS, else one per core when a step's work pays for
   * threads (share-pool.ts). */
  workers?: number;
}

/** Everything a run needs before its first step. */
export interface Run {
  spec: RunSpec;
  backend: BackendInfo;
  base: ModelDir;
  /** The base model's tokenizer (a fine-tuned model keeps it). */
  tokenizer: Tokenizer;
  train: Dataset;
  unitKind: PrivacyUnit;
  units: Unit[];
  /** The validation records' tokens (the first `evaluation_records`, in their labelled form with a task). */
  validation: Int32Array[];
  /** With a task: those of them with one of its labels, for the task metric. */
  labelled: { text: string; label: string }[];
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
  /** The worker threads that compute the DP step's clipped sums; null when the step runs on this thread. */
  pool: SharePool | null;
  /** The micro-batch chosen from the backend's memory; null without DP. */
  memory: MicroBatchPlan | null;
}

/** The backend, the base model and the data, the model to train and its optimiser, the checkpoint to resume from
 * (checked against the spec) and the privacy account. */
export async function prepare(spec: RunSpec, options: RunOptions): Promise<Run> {
  const backend = await initBackend(spec.backend);
  const base = readModelDir(spec.base_model);
  const contextLength = base.config.context_length;
  const train = readDataset(spec.data.train);
  const unitKind = spec.privacy.mode === "dp" ? spec.privacy.unit : "record";
  const tokenizer = modelTokenizer(spec.base_model, base.config);
  const labels = spec.task?.labels ?? null;
  const units = toUnits(train.records, unitKind, contextLength, tokenizer, labels);
  const validationRecords = spec.data.validation ? readDataset(spec.data.validation).records.slice(0, spec.evaluation_records) : [];
  const validation = validationRecords.map((r) => recordTokens(tokenizer, labelledText(r, labels), contextLength + 1));
  const labelled = labels ? validationRecords.flatMap((r) => (r.label !== undefined && labels.includes(r.label) ? [{ text: r.text, label: r.label }] : [])) : [];
  const samplingRate = spec.expected_batch_size / units.length;
  if (!(samplingRate <= 1)) throw new Error(`expected_batch_size ${spec.expected_batch_size} exceeds the ${units.length} units`);

  const lora = spec.fine_tuning.method === "lora" ? { rank: spec.fine_tuning.rank, alpha: spec.fine_tuning.alpha, targets: spec.fine_tuning.targets } : null;
  const model = createModel(base.config, readModelWeights(spec.base_model), {
    lora,
    adapters: lora ? initialLoraWeights(base.config, lora, spec.seed) : undefined,
  });
  const optimizer = new Optimizer(model, spec.optimizer);
  const checkpointDir = checkpointDirectory(spec);
  const digest = specDigest(spec);
  const checkpoint = options.resume ? readCheckpoint(checkpointDir) : null;
  if (options.resume && !checkpoint) throw new Error(`--resume: no checkpoint in ${checkpointDir}`);
  if (checkpoint && checkpoint.meta.spec_sha256 !== digest) {
    throw new Error("--resume: the checkpoint was written for a different run spec");
  }

  // Units per micro-batch: as many as the backend's memory holds (at most the spec's bound), for units of at most k
  // records (fewer when no unit has k). One unit that cannot fit alone fails the run here, before any step.
  const recordsPerUnit = Math.min(spec.privacy.mode === "dp" && spec.privacy.unit === "subject" ? spec.privacy.records_per_subject : 1, Math.max(1, ...units.map((u) => u.length)));
  const memory =
    spec.privacy.mode === "dp"
      ? planMicroBatch(backend.name, base.config, spec.fine_tuning.method === "lora" ? { method: "lora", rank: spec.fine_tuning.rank, targets: spec.fine_tuning.targets } : { method: "full" }, recordsPerUnit, spec.max_physical_batch)
      : null;

  const { account, affordable } = openAccount(spec, samplingRate, checkpoint, () => readChargedSteps(checkpointDir, digest), options);
  const settings: DpSettings | null =
    spec.privacy.mode === "dp"
      ? {
          samplingRate,
          noiseMultiplier: account!.noiseMultiplier,
          clipNorm: spec.privacy.clip_norm,
          clipping: spec.privacy.clipping,
          maxPhysicalBatch: memory!.microBatch,
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
  const expectedTokens = samplingRate * units.reduce((n, u) => n + u.reduce((m, s) => m + s.length, 0), 0);
  const workers = options.workers ?? defaultWorkers(stepFlops(parameterCount(model, model.params.keys()), expectedTokens));
  const pool = settings && workers > 1 && SINGLE_CORE_BACKENDS.includes(backend.name) ? await SharePool.start(model, backend.name, workers) : null;
  return { spec, backend, base, tokenizer, train, unitKind, units, validation, labelled, samplingRate, lora, model, optimizer, checkpointDir, digest, checkpoint, account, affordable, settings, memory, pool };
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

