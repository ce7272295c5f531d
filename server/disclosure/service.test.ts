// The disclosure report carries nothing computed from private data that the accountant does not cover: no exact record
// or subject counts and no observed maximum (DP counts once released, and k as the budget states it), and a run's
// expected batch size only where it was the run's setting. It reports the leakage tests that exist (membership and
// extraction probes named, their figures withheld) and a withdrawal with its reason and incident.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { budgets, leakageReports, runs } from "../../db/schema";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import type { RunRequest } from "../runs/run-request";
import { launchRun } from "../runs/service";
import { callerAs, ingestedVersion, registerTestBaseModel, registerTestFineTuned, runRequest, testWorld, type TestWorld } from "../testing";
import { recordEvaluation } from "../leakage/jobs";
import { storedLeakage } from "../leakage/testing";
import { disclosure } from "./service";

// Exact figures chosen to be recognisable anywhere in the report.
const EXACT = { recordCount: 48_611, subjectCount: 13_757, maxRecordsPerSubject: 29 };
/** A figure as a JSON value anywhere in the report. */
const asJsonValue = (figure: number) => new RegExp(`[:,\\[]${String(figure).replace(".", "\\.")}[,\\]}]`);

let world: TestWorld;
let datasetVersionId: string;
let modelVersionId: string;

async function train(parentVersionId: string, baseId: string, overrides: Partial<RunRequest>) {
  const engineer = world.users.engineer;
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(datasetVersionId, baseId, { length: { by: "steps", steps: 50 }, ...overrides }));
  await transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status: "finished", chargedSteps: 50 }).where(eq(runs.id, runId));
  });
  return (await registerTestFineTuned(world.db, { familyName: "base/clinic", parentVersionId, datasetVersionId, runId, metrics: { validation_loss: 2.5, perplexity: 12.2 } })).id;
}

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const dv = await registerUpload(world.db, engineer, actorOf(engineer), { name: "clinic" }, ingestedVersion(EXACT));
  datasetVersionId = dv.id;
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId: dv.datasetId, epsilon: 8, delta: 1e-6, privacyUnit: "record", renewsOn: "2099-01-01" });
  await transaction(world.db, async (tx) => {
    await tx.update(budgets).set({ recordsPerPersonBound: 4 }).where(eq(budgets.datasetId, dv.datasetId));
  });
  const base = await registerTestBaseModel(world.db);
  const firstId = await train(base.id, base.id, { batch: { by: "sampling_rate", samplingRate: 0.002 } });
  modelVersionId = await train(firstId, base.id, { batch: { by: "expected_batch_size", expectedBatchSize: 64 } });
});

it("states no exact count, no observed maximum and no batch size derived from them", async () => {
  const d = await disclosure(world.db, modelVersionId);
  const [version] = d.lineages[0]!.datasetVersions;
  expect(version).not.toHaveProperty("recordCount");
  expect(version).not.toHaveProperty("subjectCount");
  expect(version).not.toHaveProperty("maxRecordsPerSubject");
  expect(version).toMatchObject({ dpCounts: null, recordsPerPersonBound: 4 });
  const byRun = d.lineages[0]!.runs.map((r) => [r.samplingRate === 0.002 ? "by rate" : "by batch", r.expectedBatchSize]);
  expect(byRun.sort()).toEqual([
    ["by batch", 64],
    ["by rate", null],
  ]);
  const text = JSON.stringify(d);
  for (const figure of [...Object.values(EXACT), 0.002 * EXACT.recordCount]) expect(text).not.toMatch(asJsonValue(figure));
  expect(`{"n":${EXACT.maxRecordsPerSubject}}`).toMatch(asJsonValue(EXACT.maxRecordsPerSubject));
  // Internal metrics (validation loss, perplexity) are not in the report.
  expect(text).not.toMatch(/validation_loss|perplexity|12\.2/);
});

it("states the DP counts once released, with their noise", async () => {
  const release = await callerAs(world.db, world.users.privacy_officer).budgets.releaseCounts({ datasetVersionId, noiseMultiplier: 30 });
  const [version] = (await disclosure(world.db, modelVersionId)).lineages[0]!.datasetVersions;
  expect(version!.dpCounts).toEqual({
    releaseId: release.id,
    recordCount: release.noisyRecordCount,
    subjectCount: release.noisySubjectCount,
    recordNoiseStd: 30,
    subjectNoiseStd: 30,
    noiseMultiplier: 30,
    recordsCountedUpTo: null,
    event: { type: "self_composed", event: { type: "gaussian", noise_multiplier: 30 }, count: 2 },
    releasedAt: release.releasedAt,
  });
});

it("reports every leakage evaluation that exists: the one-run audit and canary exposure, membership probes named without their figures", async () => {
  expect((await disclosure(world.db, modelVersionId)).leakage).toEqual([]);
  const queued = (id: string, kind: "post_training" | "on_demand", requestedAt: string) =>
    transaction(world.db, async (tx) => {
      await tx.insert(leakageReports).values({ id, modelVersionId, kind, requestedAt });
    });
  await queued("7e0a0000-0000-4000-8000-000000000001", "post_training", "2026-01-01T00:00:00.000Z");
  await queued("7e0a0000-0000-4000-8000-000000000002", "on_demand", "2026-01-02T00:00:00.000Z");
  const job = (await first(world.db.select().from(leakageReports).where(eq(leakageReports.id, "7e0a0000-0000-4000-8000-000000000001"))))!;
  // A membership AUC and PII rate recognisable anywhere in the report.
  await recordEvaluation(world.db, job, storedLeakage(0.731, 0.5873, [3.25, 4.75], 7.125));
  const [done, pending] = (await disclosure(world.db, modelVersionId)).leakage;
  expect(done).toMatchObject({
    kind: "post_training",
    status: "done",
    alert: false,
    figures: {
      oneRunAudit: { canaries: 8, guesses: 4, correct: 4, confidence: 0.95, epsilonLowerBound: 0.731, accountantEpsilon: 2, consistent: true },
      exposure: { inserted: 2, others: 0, insertedMean: 4, othersMean: null, method: "exact" },
    },
  });
  expect(done!.figures!.internalProbes).toEqual(expect.arrayContaining([expect.stringMatching(/^membership inference/), "PII in sampled outputs"]));
  expect(pending).toMatchObject({ kind: "on_demand", status: "queued", figures: null });
  const text = JSON.stringify(await disclosure(world.db, modelVersionId));
  for (const figure of [0.5873, 7.125, 200]) expect(text).not.toMatch(asJsonValue(figure));
});

it("states when, why and through which incident a version was withdrawn, with the audit entry", async () => {
  expect((await disclosure(world.db, modelVersionId)).withdrawal).toBeNull();
  const officer = callerAs(world.db, world.users.privacy_officer);
  const incidentId = await officer.incidents.open({ title: "Exposure", severity: "high", links: [] });
  await officer.incidents.withdrawModel({ incidentId, versionId: modelVersionId, reason: "canaries memorised" });
  const d = await disclosure(world.db, modelVersionId);
  expect(d.withdrawal).toMatchObject({ reason: "canaries memorised", incidentId, action: "incident.withdraw_model" });
  expect(d.approvals.find((a) => a.seq === d.withdrawal!.auditSeq)?.at).toBe(d.withdrawal!.at);
  expect(d.incidents.map((i) => i.id)).toContain(incidentId);
});
