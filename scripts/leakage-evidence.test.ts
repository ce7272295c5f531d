// Evidence that the leakage tests can fail, asserted (scripts/leakage-evidence.ts runs it): without DP the
// inserted canaries rank first among 2,000 random members of their space (exposure near log2|R|), membership AUC is
// near 1 and the one-run audit gives a positive lower bound; with DP at epsilon 1 the inserted canaries' exposure
// stays near chance. The bounds leave room for chance: without DP the extrapolated exposure of a canary that ranks
// first varies from run to run (the fitted tail of the reference losses does): 22.4 to 29.9 bits over ten runs, so
// it is required above 2/3 log2|R| = 19.9 bits (ranking first among 2,000 alone says 11); with DP the threshold
// t = log2|R| / 2 = 15 bits is crossed with probability about 1e-4 per canary (the DP noise comes from node:crypto).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_SPACE, leakageEvidence, type EvidenceFigures } from './leakage-evidence';

const work = mkdtempSync(path.join(tmpdir(), 'leakage-evidence-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let figures: { noDp: EvidenceFigures; dp: EvidenceFigures };
beforeAll(async () => {
  figures = await leakageEvidence(work);
}, 120_000);

describe('leakage tests can fail', () => {
  it('without DP: inserted canaries rank first with exposure near log2|R|, membership AUC is near 1, the lower bound positive', () => {
    const open = figures.noDp;
    expect(open.referenceAtOrBelow).toEqual([0, 0, 0, 0]);
    for (const exposure of open.exposures) expect(exposure).toBeGreaterThan((2 / 3) * EVIDENCE_SPACE.log2Size);
    expect(open.auc).toBeGreaterThan(0.9);
    expect(open.audit.correct).toBe(6);
    expect(open.audit.epsilon_lower_bound).toBeGreaterThan(0.3);
  });

  it("with DP at epsilon 1 (a canary's copies one unit): the inserted canaries' exposure is near chance", () => {
    const { dp } = figures;
    expect(dp.epsilon).toBeLessThanOrEqual(1);
    for (const exposure of dp.exposures) expect(exposure).toBeLessThan(EVIDENCE_SPACE.log2Size / 2);
  });
});
