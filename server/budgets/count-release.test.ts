// DP count releases: charged to the lineage's ledger (composed with its runs, never added; seen by the Budgets spend and
// the next launch's projection), refused over budget, frozen, expired, twice, or to other roles; subject-level counts
// count each person's records up to k; the noise is Gaussian with the stated standard deviation.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { transaction } from "../../db/client";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { budgets, countReleases, runs } from "../../db/schema";
import { composed, createAccountant, dpSgdEvent, parseEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { listAudit, verifyChain } from "../audit/service";
import { serialiseRecord } from "../datasets/ingest/records";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { callerAs, ingestedVersion, registerTestBaseModel, runRequest, refusal, snapshot, testWorld, type TestWorld } from "../testing";
import { recordsPerSubject, releaseCounts } from "./count-release";
import { clippedCounts, countReleaseEvent, noisyCounts } from "./dp-counts";

const rdp = createAccountant("rdp");
const dataDir = mkdtempSync(path.join(tmpdir(), "ledger-counts-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let world: TestWorld;
let datasetId: string;
let versionId: string;

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const version = await registerUpload(world.db, engineer, actorOf(engineer), { name: "clinic" }, ingestedVersion({ recordCount: 10_000, subjectCount: 2_000, maxRecordsPerSubject: 9 }));
  datasetId = version.datasetId;
  versionId = version.id;
});

const officer = () => callerAs(world.db, world.users.privacy_officer);
const engineer = () => callerAs(world.db, world.users.engineer);
/** Changes the budget's row directly (as an incident or time would), in a transaction. */
const setBudgetRow = (values: Partial<typeof budgets.$inferInsert>, id = datasetId) =>
  transaction(world.db, async (tx) => {
    await tx.update(budgets).set(values).where(eq(budgets.datasetId, id));
  });
const setBudget = (epsilon: number, privacyUnit: "record" | "subject" = "record") =>
  officer().budgets.set({ datasetId, epsilon, delta: 1e-5, privacyUnit, renewsOn: "2099-01-01" });

describe("releasing DP counts", () => {
  it("charges the lineage's ledger: composed with its runs in the Budgets spend and in the next launch's projection", async () => {
    await setBudget(8);
    const base = await registerTestBaseModel(world.db);
    const request = runRequest(versionId, base.id, { privacy: { mode: "noise_multiplier", noiseMultiplier: 1.2 }, length: { by: "steps", steps: 500 } });
    const { runId } = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), request);
    await transaction(world.db, async (tx) => {
      await tx.update(runs).set({ status: "finished", chargedSteps: 500 }).where(eq(runs.id, runId));
    });

    const release = await officer().budgets.releaseCounts({ datasetVersionId: versionId, noiseMultiplier: 5 });
    expect(parseEvent(release.event)).toEqual({ type: "self_composed", event: { type: "gaussian", noise_multiplier: 5 }, count: 2 });
    expect(JSON.parse(release.event)).toEqual({ version: 1, event: { type: "self_composed", event: { type: "gaussian", noise_multiplier: 5 }, count: 2 } });
    expect(release).toMatchObject({ recordNoiseStd: 5, subjectNoiseStd: 5, datasetId, datasetVersionId: versionId, releasedBy: world.users.privacy_officer.id });

    const runEvent = dpSgdEvent(0.01, 1.2, 500);
    const composedEpsilon = rdp.epsilon(composed([runEvent, countReleaseEvent(5)]), 1e-5);
    const { spend, leftEpsilon } = await officer().budgets.status({ datasetId });
    expect(spend!.epsilon).toBeCloseTo(composedEpsilon, 10);
    expect(spend!.chargedEpsilon).toBeCloseTo(composedEpsilon, 10);
    const { entries } = (await officer().spend.breakdown({ datasetId }))!;
    expect(entries.map((s) => s.kind)).toEqual(["run", "count release"]);
    const [runShare, releaseShare] = entries;
    expect(releaseShare).toMatchObject({ kind: "count release", id: release.id, reserved: false });
    expect(releaseShare!.epsilonAlone).toBeCloseTo(rdp.epsilon(countReleaseEvent(5), 1e-5), 10);
    // Composed, not added: less than the two epsilons' sum, which the naive sum shows.
    expect(spend!.epsilon).toBeLessThan(runShare!.epsilonAlone + releaseShare!.epsilonAlone);
    expect(spend!.naiveEpsilonSum).toBeCloseTo(runShare!.epsilonAlone + releaseShare!.epsilonAlone, 10);
    expect(leftEpsilon).toBeCloseTo(8 - composedEpsilon, 10);

    const preview = await engineer().runs.preview(request);
    expect(preview.spentEpsilon).toBeCloseTo(composedEpsilon, 10);
    expect(preview.projectedEpsilon).toBeCloseTo(rdp.epsilon(composed([runEvent, countReleaseEvent(5), dpSgdEvent(0.01, 1.2, 500)]), 1e-5), 10);

    expect((await listAudit(world.db, { action: "budget.release_counts" }, 1, 10)).entries).toMatchObject([{ entityType: "dataset_version", entityId: versionId }]);
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("refuses a release that would overspend, naming the figures, and changes nothing", async () => {
    await setBudget(1);
    const before = await snapshot(world.db);
    const refused = await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId, noiseMultiplier: 1 }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/^This count release would exceed the budget: on its own it costs ε = [\d.]+; .* over the limit of ε = 1\.00 at δ = 0\.00001\.$/);
    expect(await snapshot(world.db)).toEqual(before);
    // With enough noise it fits.
    await officer().budgets.releaseCounts({ datasetVersionId: versionId, noiseMultiplier: 20 });
  });

  it("refuses a frozen or expired budget, a version with no budget, and a second release of the same version", async () => {
    expect(await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId }))).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/no privacy budget/) });
    await setBudget(8);
    await setBudgetRow({ frozen: true });
    expect(await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId }))).toEqual({
      code: "CONFLICT",
      message: "This dataset's budget is frozen by an incident; no count may be released.",
    });
    await setBudgetRow({ frozen: false, renewsOn: "2000-01-01" });
    expect(await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId }))).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/expired on 2000-01-01/) });
    await setBudgetRow({ renewsOn: "2099-01-01" });

    const first = await officer().budgets.releaseCounts({ datasetVersionId: versionId });
    expect(first.recordNoiseStd).toBe(10); // the default noise multiplier
    const before = await snapshot(world.db);
    expect(await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId, noiseMultiplier: 50 }))).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already released/),
    });
    expect(await snapshot(world.db)).toEqual(before);
    // The release's noise was calibrated for the record-level unit: the budget can no longer change unit.
    expect(await refusal(setBudget(8, "subject"))).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/released for the current privacy unit/) });
    expect(await snapshot(world.db)).toEqual(before);
    // The table is append-only.
    await expect(
      transaction(world.db, async (tx) => {
        await tx.update(countReleases).set({ noisyRecordCount: 1 });
      }),
    ).rejects.toThrow();
  });

  it("is for privacy officers only, and refuses a noise multiplier out of range", async () => {
    await setBudget(8);
    for (const role of ["engineer", "auditor", "admin"] as const) {
      expect((await refusal(callerAs(world.db, world.users[role]).budgets.releaseCounts({ datasetVersionId: versionId }))).code).toBe("FORBIDDEN");
    }
    for (const noiseMultiplier of [0.5, 1001]) {
      expect((await refusal(officer().budgets.releaseCounts({ datasetVersionId: versionId, noiseMultiplier }))).code).toBe("BAD_REQUEST");
    }
  });

  it("with subjects as the unit, counts each person's records up to k (a record with no subject is its own person)", async () => {
    const subjects = ["a", "a", "a", "a", "a", "b", "c", "c", null, null];
    const text = subjects.map((subject, i) => serialiseRecord({ text: `note ${i}`, subject, fields: {} })).join("");
    writeFileSync(path.join(dataDir, "subjects.jsonl"), text);
    const digest = createHash("sha256").update(text).digest("hex");
    const engineerUser = world.users.engineer;
    const version = await registerUpload(
      world.db,
      engineerUser,
      actorOf(engineerUser),
      { name: "people" },
      ingestedVersion({ storagePath: "subjects.jsonl", contentDigest: digest, subjectField: "patient", recordCount: 10, subjectCount: 5, maxRecordsPerSubject: 5 }),
    );
    const histogram = await recordsPerSubject(path.join(dataDir, "subjects.jsonl"), digest);
    expect([...histogram].sort()).toEqual([
      [1, 3],
      [2, 1],
      [5, 1],
    ]);
    expect(clippedCounts(histogram, 3)).toEqual({ records: 3 + 1 + 2 + 1 + 1, subjects: 5 });
    expect(clippedCounts(histogram, 1)).toEqual({ records: 5, subjects: 5 });

    await officer().budgets.set({ datasetId: version.datasetId, epsilon: 8, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
    await setBudgetRow({ recordsPerPersonBound: 3 }, version.datasetId);
    const release = await releaseCounts(world.db, world.users.privacy_officer, actorOf(world.users.privacy_officer), { datasetVersionId: version.id, noiseMultiplier: 4 }, dataDir);
    // The record count's sensitivity is k: its noise is k times the subject count's.
    expect(release).toMatchObject({ recordNoiseStd: 12, subjectNoiseStd: 4 });

    // A file altered on disk is refused.
    const altered = await registerUpload(world.db, engineerUser, actorOf(engineerUser), { datasetId: version.datasetId }, ingestedVersion({ storagePath: "subjects.jsonl", contentDigest: "e".repeat(64) }));
    expect(await refusal(officer().budgets.releaseCounts({ datasetVersionId: altered.id }))).toMatchObject({ code: "CONFLICT" });
  });
});

describe("noisyCounts", () => {
  it("adds Gaussian noise of standard deviation sigma times each sensitivity, rounded and floored at zero", () => {
    const exact = { records: 100_000, subjects: 40_000 };
    const draws = Array.from({ length: 200 }, () => noisyCounts(exact, { records: 3, subjects: 1 }, 10));
    const stats = (xs: number[]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return { mean, std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) };
    };
    const records = stats(draws.map((d) => d.noisyRecordCount - exact.records));
    const subjects = stats(draws.map((d) => d.noisySubjectCount - exact.subjects));
    // The sample std of 200 draws is within 20% of the true one (4 of its standard errors) and the mean within 5 of them.
    expect(records.std).toBeGreaterThan(30 * 0.8);
    expect(records.std).toBeLessThan(30 * 1.2);
    expect(subjects.std).toBeGreaterThan(10 * 0.8);
    expect(subjects.std).toBeLessThan(10 * 1.2);
    expect(Math.abs(records.mean)).toBeLessThan((5 * 30) / Math.sqrt(200));
    expect(Math.abs(subjects.mean)).toBeLessThan((5 * 10) / Math.sqrt(200));
    expect(draws.filter((d) => d.noisyRecordCount === exact.records).length).toBeLessThan(20);
    for (const d of draws) {
      expect(Number.isInteger(d.noisyRecordCount) && Number.isInteger(d.noisySubjectCount)).toBe(true);
      expect(d).toMatchObject({ recordNoiseStd: 30, subjectNoiseStd: 10 });
    }
    // Small counts are never negative.
    expect(Array.from({ length: 50 }, () => noisyCounts({ records: 0, subjects: 0 }, { records: 1, subjects: 1 }, 100)).every((d) => d.noisyRecordCount >= 0 && d.noisySubjectCount >= 0)).toBe(true);
  });
});
