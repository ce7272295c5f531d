// A fine-tuning run, from its spec to its final model: load the base model and the data, set up the privacy account
// (calibrating the noise to the target epsilon unless given), then the training loop, one step at a time, with
// evaluations and checkpoints between steps; it stops when the planned steps are done, before the target epsilon
// would be exceeded, or at the first step boundary after a stop request, and writes the model.

import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.js';
import type { Unit } from './batch.js';
import { readChargedSteps, readCheckpoint, recordChargedSteps, writeCheckpoint } from './checkpoint.js';
import { readDataset, toUnits } from './data.js';
import { dpStep, sampleUnits, type DpSettings, type StepStats } from './dp-step.js';
import { evaluate } from './evaluate.js';
import { createModel, disposeModel, initialLoraWeights, parameterCount, readWeights, type Model } from './model.js';
import { codeVersion, readModelDir, readModelWeights, writeModelDir } from './model-files.js';
import { Optimizer } from './optimizer.js';
import { plainStep } from './plain-step.js';
import { calibrateNoiseMultiplier, createAccountant, EVENT_FORMAT_VERSION, gaussian, poissonSampled, type PrivacyEvent } from './privacy/index.js';
import { PrivacyAccount } from './privacy-account.js';
import { PROTOCOL_VERSION, type Message, type RunSpec } from './protocol.js';
import { sha256 } from './safetensors.js';
import { recordTokens } from './tokenizer.js';

export interface RunIo {
  emit(message: Message): void;
  log(line: string): void;
  /** True once the run has been asked to stop (SIGTERM): it stops at the next step boundary. */
  stopRequested(): boolean;
}

export type Outcome = 'completed' | 'budget_exhausted' | 'interrupted';

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
  const backend = await initBackend(spec.backend);
  const base = readModelDir(spec.base_model);
  const config = base.config;
  const train = readDataset(spec.data.train);
  const unitKind = spec.privacy.mode === 'dp' ? spec.privacy.unit : 'record';
  const units: Unit[] = toUnits(train.records, unitKind, config.context_length);
  const validation = spec.data.validation
    ? readDataset(spec.data.validation)
        .records.slice(0, spec.evaluation_records)
        .map((r) => recordTokens(r.text, config.context_length + 1))
    : [];
  const samplingRate = spec.expected_batch_size / units.length;
  if (!(samplingRate <= 1)) throw new Error(`expected_batch_size ${spec.expected_batch_size} exceeds the ${units.length} units`);

  const lora = spec.fine_tuning.method === 'lora' ? { rank: spec.fine_tuning.rank, alpha: spec.fine_tuning.alpha } : null;
  const model = createModel(config, readModelWeights(spec.base_model), {
    lora,
    adapters: lora ? initialLoraWeights(config, lora, spec.seed) : undefined,
  });
  const optimizer = new Optimizer(model, spec.optimizer);
  const checkpointDir = path.join(spec.output_dir, 'checkpoint');
  const checkpoint = options.resume ? readCheckpoint(checkpointDir) : null;
  if (options.resume && !checkpoint) throw new Error(`--resume: no checkpoint in ${checkpointDir}`);
  if (checkpoint && checkpoint.meta.spec_sha256 !== specDigest(spec)) {
    throw new Error('--resume: the checkpoint was written for a different run spec');
  }

  let step = checkpoint?.meta.step ?? 0;
  const digest = specDigest(spec);

  // The privacy account: sigma given, or calibrated so that the planned steps reach the target epsilon. A resumed
  // run starts from every step charged so far (the server's count when it gives one, and never fewer than this
  // directory records), including any run after its checkpoint by a process that crashed and the step that was in
  // flight; `affordable` is the most steps in all that stay within the target, or, when the server gave its count,
  // that count plus the spec's remaining steps (the server checked and reserved those against the budget).
  let account: PrivacyAccount | null = null;
  let affordable = spec.steps;
  if (spec.privacy.mode === 'dp') {
    const p = spec.privacy;
    const noiseMultiplier =
      checkpoint?.meta.privacy?.noise_multiplier ??
      p.noise_multiplier ??
      calibrateNoiseMultiplier(
        { targetEpsilon: p.target_epsilon, delta: p.delta, samplingRate, steps: spec.steps },
        createAccountant(p.accountant),
      ).noiseMultiplier;
    const charged = Math.max(
      checkpoint ? Math.max(checkpoint.meta.privacy?.steps ?? 0, readChargedSteps(checkpointDir, digest)) : 0,
      options.chargedSteps ?? 0,
    );
    account = new PrivacyAccount(samplingRate, noiseMultiplier, p.delta, p.accountant, charged);
    affordable =
      options.chargedSteps !== undefined
        ? charged + spec.steps - step
        : account.affordableSteps(p.target_epsilon, charged + spec.steps - step);
  }
  const settings: DpSettings | null =
    spec.privacy.mode === 'dp'
      ? {
          samplingRate,
          noiseMultiplier: account!.noiseMultiplier,
          clipNorm: spec.privacy.clip_norm,
          clipping: spec.privacy.clipping,
          maxPhysicalBatch: spec.max_physical_batch,
          recordsPerUnit: spec.privacy.unit === 'subject' ? spec.privacy.records_per_subject : 1,
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

  io.emit({
    type: 'started',
    protocol_version: PROTOCOL_VERSION,
    run_id: spec.run_id,
    backend: backend.name,
    backends_skipped: backend.skipped,
    model: config,
    parameters: { total: parameterCount(model), trainable: parameterCount(model, model.trainable) },
    fine_tuning: lora ? `lora rank ${lora.rank} alpha ${lora.alpha}` : 'full',
    dataset: { records: train.records.length, units: units.length, sha256: train.sha256 },
    privacy:
      spec.privacy.mode === 'dp'
        ? {
            mode: 'dp',
            unit: spec.privacy.unit,
            sampling_rate: samplingRate,
            noise_multiplier: account!.noiseMultiplier,
            clip_norm: spec.privacy.clip_norm,
            clipping: spec.privacy.clipping,
            delta: spec.privacy.delta,
            target_epsilon: spec.privacy.target_epsilon,
            accountant: spec.privacy.accountant,
            planned_steps: spec.steps,
            affordable_steps: affordable,
            planned_epsilon: account!.epsilon(affordable),
          }
        : { mode: 'none', sampling_rate: samplingRate, planned_steps: spec.steps },
    resumed_from_step: checkpoint ? step : null,
  });
  io.log(
    `run ${spec.run_id}: ${backend.name} backend, ${units.length} ${unitKind}s, ` +
      (account ? `sigma ${account.noiseMultiplier.toFixed(4)}, q ${samplingRate.toPrecision(3)}, ` : 'no DP, ') +
      `${checkpoint ? `resuming at step ${step} with ${account?.steps ?? step} steps charged, ` : ''}${spec.steps} steps planned`,
  );

  const epsilon = () => (account ? account.epsilon() : null);
  const runEvent = () => (account ? eventDocument(account.event()) : null);
  const saveCheckpoint = () => {
    writeCheckpoint(
      checkpointDir,
      {
        run_id: spec.run_id,
        spec_sha256: digest,
        step,
        optimizer_steps: optimizer.steps,
        privacy: account ? { sampling_rate: samplingRate, noise_multiplier: account.noiseMultiplier, steps: account.steps } : null,
      },
      readWeights(model, 'trainable'),
      optimizer.state(),
    );
    io.emit({ type: 'checkpoint', step, dir: checkpointDir, epsilon: epsilon(), privacy_event: runEvent() });
  };
  const runEvaluation = () => {
    if (validation.length === 0) return;
    const result = evaluate(model, validation);
    io.emit({ type: 'evaluation', step, validation_loss: result.loss, perplexity: result.perplexity, tokens: result.tokens });
    io.log(`step ${step}: validation loss ${result.loss.toFixed(4)}, perplexity ${result.perplexity.toFixed(3)}`);
  };

  // The last step charged by this process (its update may have been applied), reported if the run fails.
  let lastCharged: number | null = null;
  try {
    // The training loop.
    let outcome: Outcome = 'completed';
    while (step < spec.steps) {
      if (io.stopRequested()) {
        outcome = 'interrupted';
        break;
      }
      if (account && account.steps >= affordable) {
        outcome = 'budget_exhausted';
        break;
      }
      const started = performance.now();
      // Charged before it runs (write-ahead): a crash or failure after its update was applied still counts it.
      if (account) recordChargedSteps(checkpointDir, digest, account.steps + 1);
      lastCharged = step + 1;
      const stats: StepStats = settings
        ? dpStep(model, optimizer, units, settings, account)
        : nonPrivateStep(model, optimizer, units, samplingRate, spec.expected_batch_size);
      step += 1;
      const epsilonNow = epsilon();
      io.emit({
        type: 'step',
        step,
        batch_size: stats.batchSize,
        records: stats.records,
        tokens: stats.targetTokens,
        loss: stats.loss,
        epsilon: epsilonNow,
        clipped_fraction: settings ? stats.clippedFraction : null,
        grad_norm_quantiles: settings ? normQuantiles(stats.unitNorms) : null,
        privacy_event: account ? eventDocument(poissonSampled(samplingRate, gaussian(account.noiseMultiplier))) : null,
        elapsed_ms: performance.now() - started,
      });
      io.log(
        `step ${step}/${spec.steps}: loss ${stats.loss?.toFixed(4) ?? '-'}, batch ${stats.batchSize}` +
          (epsilonNow === null ? '' : `, epsilon ${epsilonNow.toFixed(4)}`),
      );
      if (spec.evaluation_every > 0 && step % spec.evaluation_every === 0) runEvaluation();
      if (spec.checkpoint_every > 0 && step % spec.checkpoint_every === 0) saveCheckpoint();
      await new Promise((resolve) => setImmediate(resolve)); // lets a SIGTERM handler run between steps
    }

    if (outcome === 'interrupted') saveCheckpoint();
    else if (!(spec.evaluation_every > 0 && step % spec.evaluation_every === 0)) runEvaluation();
    const modelDir = path.join(spec.output_dir, 'model');
    const digests = writeModelDir(
      modelDir,
      config,
      readWeights(model, 'merged'),
      {
        kind: 'fine-tuned',
        run_id: spec.run_id,
        base_model: { weights_sha256: base.digests.weights_sha256, config_sha256: base.digests.config_sha256 },
        dataset: { sha256: train.sha256, records: train.records.length, units: units.length },
        training: {
          outcome,
          backend: backend.name,
          fine_tuning: spec.fine_tuning,
          optimizer: spec.optimizer,
          planned_steps: spec.steps,
          expected_batch_size: spec.expected_batch_size,
          max_physical_batch: spec.max_physical_batch,
          seed: spec.seed,
        },
        privacy:
          spec.privacy.mode === 'dp'
            ? {
                mode: 'dp',
                unit: spec.privacy.unit,
                records_per_subject: settings!.recordsPerUnit,
                accountant: spec.privacy.accountant,
                delta: spec.privacy.delta,
                epsilon: account!.epsilon(),
                steps: account!.steps,
                privacy_event: eventDocument(account!.event()),
              }
            : { mode: 'none', steps: step },
        code_version: codeVersion(),
      },
      lora ? readWeights(model, 'trainable') : null,
    );
    io.emit({
      type: 'finished',
      outcome,
      steps: step,
      epsilon: epsilon(),
      delta: spec.privacy.mode === 'dp' ? spec.privacy.delta : null,
      privacy_event: runEvent(),
      model_dir: modelDir,
      ...digests,
    });
    io.log(`run ${spec.run_id}: ${outcome} after ${step} steps${account ? `, epsilon ${account.epsilon().toFixed(4)}` : ''}`);
    optimizer.dispose();
    disposeModel(model);
    return outcome;
  } catch (error) {
    throw new TrainingFailure(error, lastCharged);
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
