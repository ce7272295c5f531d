// The evidence that the leakage tests can fail, shared by scripts/leakage-evidence.test.ts (which asserts
// it) and the "evidence" section of npm run bench (which records it in BENCHMARKS.md): a tiny model fine-tuned on a
// dozen records and 8 canaries, 4 of them inserted 8 times each, without DP and with DP at epsilon 1 (each canary's
// copies one subject); each model's exposure of the inserted canaries, membership AUC and one-run lower bound.
//
// The inclusion coins are fixed (every other canary) rather than tossed, so that the audit's 3 + 3 guesses always
// have canaries of both kinds to find. With DP, exposure is a post-processing of the model, so under (1, 1e-5)-DP
// for a canary, P(exposure >= t) <= e * P(exposure of a canary never trained on >= t) + 1e-5 = e * 2^-t + 1e-5.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  drawCanaries,
  extrapolatedExposure,
  fitSkewNormal,
  membershipSummary,
  oneRunAudit,
  parseCanarySpace,
  sampleCanaryCandidates,
} from '../server/leakage';
import { disposeModel, loadModel } from '../trainer/model/model';
import type { RunSpecInput } from '../trainer/contract/protocol';
import { runInProcess } from '../trainer/run/in-process';
import { scoreTexts } from '../trainer/eval/score';
import { writeRunFixture } from '../trainer/testing';

export const EVIDENCE_SPACE = parseCanarySpace('my SSN is {ddd}-{dd}-{dddd}'); // |R| = 10^9, log2|R| = 29.9
export const EVIDENCE_REPEATS = 8;
export const EVIDENCE_REFERENCE = 2000;

export interface EvidenceFigures {
  epsilon: number | null;
  /** Extrapolated exposure of each inserted canary, bits. */
  exposures: number[];
  /** For each inserted canary, how many of the reference candidates score at or below it (0: it ranks first). */
  referenceAtOrBelow: number[];
  auc: number;
  audit: ReturnType<typeof oneRunAudit>;
}

/** Trains both models in `work` (a fresh directory) and measures them. */
export async function leakageEvidence(work: string): Promise<{ noDp: EvidenceFigures; dp: EvidenceFigures }> {
  const { baseModel } = writeRunFixture(work); // byte-level, context 24, random weights
  const space = EVIDENCE_SPACE;
  const canaries = drawCanaries(space, 8);
  const included = canaries.map((_, i) => i % 2 === 0);
  const record = (i: number) => `Ann ${i} <a${i}@ex.org>`;
  const members = Array.from({ length: 12 }, (_, i) => record(i));
  const nonMembers = Array.from({ length: 12 }, (_, i) => record(50 + i));
  const train = path.join(work, 'train.jsonl');
  writeFileSync(
    train,
    [
      ...members.map((text, i) => ({ text, subject_id: `person-${i}` })),
      ...canaries.flatMap((text, i) => (included[i] ? Array.from({ length: EVIDENCE_REPEATS }, () => ({ text, subject_id: `canary-${i}` })) : [])),
    ]
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  const reference = sampleCanaryCandidates(space, EVIDENCE_REFERENCE);

  async function leakage(runId: string, privacy: RunSpecInput['privacy'], expectedBatchSize: number): Promise<EvidenceFigures> {
    const { finished } = await runInProcess({
      protocol_version: 1,
      run_id: runId,
      base_model: baseModel,
      output_dir: path.join(work, runId),
      data: { train },
      backend: 'wasm',
      fine_tuning: { method: 'full' },
      optimizer: { name: 'adam', learning_rate: 0.01 },
      steps: 150,
      expected_batch_size: expectedBatchSize,
      max_physical_batch: 64,
      privacy,
    });
    const { model, tokenizer } = loadModel(finished.model_dir);
    const losses = scoreTexts(model, tokenizer, [...canaries, ...reference, ...members, ...nonMembers]).map((s) => s.loss);
    disposeModel(model);
    const canaryLosses = losses.slice(0, canaries.length);
    const referenceLosses = losses.slice(canaries.length, canaries.length + reference.length);
    const fit = fitSkewNormal(referenceLosses);
    const inserted = canaryLosses.filter((_, i) => included[i]);
    const membersAt = canaries.length + reference.length;
    return {
      epsilon: finished.epsilon,
      exposures: inserted.map((loss) => extrapolatedExposure(loss, fit, space.log2Size)),
      referenceAtOrBelow: inserted.map((loss) => referenceLosses.filter((l) => l <= loss).length),
      auc: membershipSummary(losses.slice(membersAt, membersAt + members.length), losses.slice(membersAt + members.length)).auc,
      audit: oneRunAudit({ scores: canaryLosses.map((l) => -l), included, kPlus: 3, kMinus: 3, delta: 1e-5, confidence: 0.95 }),
    };
  }

  return {
    noDp: await leakage('no-dp', { mode: 'none' }, 14),
    dp: await leakage('dp', { mode: 'dp', unit: 'subject', records_per_subject: EVIDENCE_REPEATS, target_epsilon: 1, delta: 1e-5 }, 6),
  };
}
