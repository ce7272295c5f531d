// Evidence that the leakage tests can fail (issue 6): a tiny model fine-tuned without DP on a dozen records and one
// canary repeated many times memorises the canary (its loss below every one of 2,000 random members of its space,
// extrapolated exposure near log2|R|) and its members (membership AUC near 1); the same data with DP at epsilon 1,
// where the canary's copies are one privacy unit (a subject), leaves the canary's exposure near chance.
//
// Not flaky by construction: exposure is a post-processing of the model, so under (1, 1e-5)-DP for the canary,
// P(exposure >= t) <= e * P(exposure of a canary never trained on >= t) + 1e-5 = e * 2^-t + 1e-5, about 1e-4 at the
// threshold used, t = log2|R| / 2 = 15 bits (the DP noise comes from node:crypto).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drawCanaries, parseCanarySpace, sampleCanaryCandidates } from '../server/leakage/canaries';
import { extrapolatedExposure, fitSkewNormal } from '../server/leakage/exposure';
import { membershipSummary } from '../server/leakage/membership';
import { disposeModel, loadModel } from '../trainer/model';
import { parseRunSpec, type Message, type RunSpecInput } from '../trainer/protocol';
import { scoreTexts } from '../trainer/score';
import { writeRunFixture } from '../trainer/testing';
import { runTraining } from '../trainer/train';

const work = mkdtempSync(path.join(tmpdir(), 'leakage-evidence-'));
const { baseModel } = writeRunFixture(work); // byte-level, context 24, random weights
afterAll(() => rmSync(work, { recursive: true, force: true }));

const space = parseCanarySpace('my SSN is {ddd}-{dd}-{dddd}'); // |R| = 10^9, log2|R| = 29.9
const [canary] = drawCanaries(space, 1) as [string];
const REPEATS = 16;
const record = (i: number) => `Ann ${i} <a${i}@ex.org>`;
const members = Array.from({ length: 12 }, (_, i) => record(i));
const nonMembers = Array.from({ length: 12 }, (_, i) => record(50 + i));
const train = path.join(work, 'train.jsonl');
writeFileSync(
  train,
  [
    ...members.map((text, i) => ({ text, subject_id: `person-${i}` })),
    ...Array.from({ length: REPEATS }, () => ({ text: canary, subject_id: 'canary' })),
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
  const losses = scoreTexts(model, [canary, ...reference, ...members, ...nonMembers]).map((s) => s.loss);
  disposeModel(model);
  const [canaryLoss, ...rest] = losses as [number, ...number[]];
  const referenceLosses = rest.slice(0, reference.length);
  const memberLosses = rest.slice(reference.length, reference.length + members.length);
  return {
    epsilon: finished.epsilon,
    exposure: extrapolatedExposure(canaryLoss, fitSkewNormal(referenceLosses), space.log2Size),
    referenceAtOrBelow: referenceLosses.filter((l) => l <= canaryLoss).length,
    auc: membershipSummary(memberLosses, rest.slice(reference.length + members.length)).auc,
  };
}

describe('leakage tests can fail', () => {
  it('without DP: the repeated canary ranks first with exposure near log2|R|, and membership AUC is near 1', async () => {
    const open = await leakage('no-dp', { mode: 'none' }, 14);
    expect(open.referenceAtOrBelow).toBe(0);
    expect(open.exposure).toBeGreaterThan(0.75 * space.log2Size);
    expect(open.auc).toBeGreaterThan(0.9);
  });

  it("with DP at epsilon 1 (the canary's copies one unit): the canary's exposure is near chance", async () => {
    const dp = await leakage('dp', { mode: 'dp', unit: 'subject', records_per_subject: REPEATS, target_epsilon: 1, delta: 1e-5 }, 6);
    expect(dp.epsilon).toBeLessThanOrEqual(1);
    expect(dp.exposure).toBeLessThan(space.log2Size / 2);
  });
});
