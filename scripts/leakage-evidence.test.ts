// Evidence that the leakage tests can fail (issue 6): a tiny model fine-tuned without DP on a dozen records and 8
// canaries, 4 of them inserted 8 times each, memorises the inserted canaries (each ranks first among 2,000 random
// members of its space, extrapolated exposure near log2|R|), its members (membership AUC near 1), and the one-run
// audit gives a positive epsilon lower bound; the same data with DP at epsilon 1, each canary's copies one privacy
// unit (a subject), leaves the inserted canaries' exposure near chance.
//
// Not flaky by construction. Without DP the gaps are wide. The inclusion coins are fixed (every other canary) rather
// than tossed, so that the audit's 3 + 3 guesses always have canaries of both kinds to find. With DP, exposure is a
// post-processing of the model, so under (1, 1e-5)-DP for a canary, P(exposure >= t) <= e * P(exposure of a canary
// never trained on >= t) + 1e-5 = e * 2^-t + 1e-5: about 1e-4 per canary at the threshold used, t = log2|R| / 2 = 15
// bits (the DP noise comes from node:crypto).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  drawCanaries,
  extrapolatedExposure,
  fitSkewNormal,
  membershipSummary,
  oneRunAudit,
  parseCanarySpace,
  sampleCanaryCandidates,
} from '../server/leakage';
import { disposeModel, loadModel } from '../trainer/model';
import { parseRunSpec, type Message, type RunSpecInput } from '../trainer/protocol';
import { scoreTexts } from '../trainer/score';
import { writeRunFixture } from '../trainer/testing';
import { runTraining } from '../trainer/train';

const work = mkdtempSync(path.join(tmpdir(), 'leakage-evidence-'));
const { baseModel } = writeRunFixture(work); // byte-level, context 24, random weights
afterAll(() => rmSync(work, { recursive: true, force: true }));

const space = parseCanarySpace('my SSN is {ddd}-{dd}-{dddd}'); // |R| = 10^9, log2|R| = 29.9
const canaries = drawCanaries(space, 8);
const included = canaries.map((_, i) => i % 2 === 0);
const REPEATS = 8;
const record = (i: number) => `Ann ${i} <a${i}@ex.org>`;
const members = Array.from({ length: 12 }, (_, i) => record(i));
const nonMembers = Array.from({ length: 12 }, (_, i) => record(50 + i));
const train = path.join(work, 'train.jsonl');
writeFileSync(
  train,
  [
    ...members.map((text, i) => ({ text, subject_id: `person-${i}` })),
    ...canaries.flatMap((text, i) => (included[i] ? Array.from({ length: REPEATS }, () => ({ text, subject_id: `canary-${i}` })) : [])),
  ]
    .map((r) => `${JSON.stringify(r)}\n`)
    .join(''),
);
const reference = sampleCanaryCandidates(space, 2000);

async function leakage(runId: string, privacy: RunSpecInput['privacy'], expectedBatchSize: number) {
  const messages: Message[] = [];
  const spec = parseRunSpec({
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
  } satisfies RunSpecInput);
  await runTraining(spec, { emit: (m) => messages.push(m), log: () => {}, stopRequested: () => false }, { resume: false });
  const finished = messages.find((m) => m.type === 'finished');
  if (finished?.type !== 'finished') throw new Error(`run ${runId} did not finish`);
  const { model } = loadModel(finished.model_dir);
  const losses = scoreTexts(model, [...canaries, ...reference, ...members, ...nonMembers]).map((s) => s.loss);
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

describe('leakage tests can fail', () => {
  it('without DP: inserted canaries rank first with exposure near log2|R|, membership AUC is near 1, the lower bound positive', async () => {
    const open = await leakage('no-dp', { mode: 'none' }, 14);
    expect(open.referenceAtOrBelow).toEqual([0, 0, 0, 0]);
    for (const exposure of open.exposures) expect(exposure).toBeGreaterThan(0.75 * space.log2Size);
    expect(open.auc).toBeGreaterThan(0.9);
    expect(open.audit.correct).toBe(6);
    expect(open.audit.epsilon_lower_bound).toBeGreaterThan(0.3);
  });

  it("with DP at epsilon 1 (a canary's copies one unit): the inserted canaries' exposure is near chance", async () => {
    const dp = await leakage('dp', { mode: 'dp', unit: 'subject', records_per_subject: REPEATS, target_epsilon: 1, delta: 1e-5 }, 6);
    expect(dp.epsilon).toBeLessThanOrEqual(1);
    for (const exposure of dp.exposures) expect(exposure).toBeLessThan(space.log2Size / 2);
  });
});
