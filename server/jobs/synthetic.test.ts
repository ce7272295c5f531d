// Synthetic datasets made by the job runner with the real trainer, from a tiny model fine-tuned on tickets: the records
// are sampled from a template per label, into a version of kind synthetic whose report is masked (with train on
// synthetic, test on real beside it) and whose guarantee is the model's; nobody trains on or downloads it before a privacy officer approves it; then a run on it needs no
// budget and charges nothing to the source lineage, and the model it makes carries the source model's guarantee (in
// its provenance too). A failed validation opens an incident linked to the version and its model; a cancel stops a job;
// refused requests change nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { budgets, datasetVersions, incidentLinks, incidents, runs, syntheticJobs } from "../../db/schema";
import { actorOf } from "../actor";
import { verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { guarantees } from "../models/service";
import { provenanceStatement } from "../provenance/export";
import { launchRun } from "../runs/service";
import { handleUpload } from "../datasets/upload";
import { handleSyntheticDownload } from "../synthetic/download";
import type { SyntheticRequest } from "../synthetic/request";
import { callerAs, pretrainTinyModel, refusal, registerTinyModel, snapshot, testWorld, tinyRunRequest, until, uploadTickets, type TestWorld } from "../testing";
import { Runner } from "./runner";
import { TRAINER_COMMAND } from "./trainer-process";

let dataDir: string;
let world: TestWorld;
let runner: Runner;
let baseId: string;
let sourceDatasetId: string;
let modelId: string;

/** Every printable ASCII character is a training record of its own: a one-token record is then nearly always an exact copy. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c.trim() !== "");

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-synthetic-"));
  await pretrainTinyModel(dataDir);
  world = await testWorld();
  baseId = await registerTinyModel(world.db, dataDir);
  const tickets = Array.from({ length: 120 }, (_, i) => ({ text: `Ticket ${i}: my order ${i * 7} is late again`, who: `c${i}`, kind: i % 2 ? "spam" : "ham" }));
  // The one-character records carry no label: they are trained as they are.
  const uploaded = await uploadTickets(world, dataDir, [...tickets, ...PRINTABLE.map((c, i) => ({ text: c, who: `p${i}` }))]);
  sourceDatasetId = uploaded.datasetId;
  const task = { labelField: "kind", labels: ["spam", "ham"] };
  const { runId } = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), {
    ...tinyRunRequest(uploaded.versionId, baseId, { noiseMultiplier: 1.2, samplingRate: 0.25, steps: 3 }),
    task,
  });
  runner = new Runner({ db: world.db, dataDir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 30_000, log: () => {} });
  await runner.start();
  await until(async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId !== null, "the run's model version");
  modelId = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId!;
}, 120_000);
afterAll(async () => {
  await runner.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const engineer = () => callerAs(world.db, world.users.engineer);
const officer = () => callerAs(world.db, world.users.privacy_officer);
const request = (overrides: Partial<SyntheticRequest> = {}): SyntheticRequest => ({
  dataset_name: "synthetic tickets",
  records: 40,
  template: "{label}: ",
  prompts: [],
  labels: ["spam", "ham"],
  label_field: "kind",
  max_tokens: 16,
  decoding: { kind: "sample", temperature: 1, top_k: 50, top_p: 0.95 },
  ...overrides,
});
const jobOf = async (jobId: string) => (await first(world.db.select().from(syntheticJobs).where(eq(syntheticJobs.id, jobId))))!;
const finished = (jobId: string) => until(async () => ["done", "failed", "cancelled"].includes((await jobOf(jobId)).status), "the synthetic job", 60_000);
const download = async (versionId: string) =>
  handleSyntheticDownload({ db: world.db, user: world.users.engineer }, versionId, dataDir);

describe("synthetic data from a DP model", () => {
  it("refuses a draft version, an empty template and 10^7 records, changing nothing", async () => {
    const before = await snapshot(world.db);
    expect(await refusal(engineer().synthetic.request({ versionId: modelId, request: request() }))).toEqual({
      code: "CONFLICT",
      message: "Only an approved or deployed version may generate synthetic data; this one is draft.",
    });
    await officer().models.setStatus({ versionId: modelId, status: "approved" });
    const approved = await snapshot(world.db);
    const empty = await refusal(engineer().synthetic.request({ versionId: modelId, request: request({ template: "  ", labels: [] }) }));
    expect(empty.code).toBe("BAD_REQUEST");
    expect(empty.message).toContain("Give a template or at least one prompt: the template is empty");
    const huge = await refusal(engineer().synthetic.request({ versionId: modelId, request: request({ records: 10_000_000 }) }));
    expect(huge.message).toContain("At most 10,000 records per synthetic version");
    expect(await refusal(officer().synthetic.request({ versionId: modelId, request: request() }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await snapshot(world.db)).toEqual(approved);
    expect(Object.keys(before)).toEqual(Object.keys(approved));
  });

  it("generates a synthetic version with its report; approval gates training and download; training on it charges the source nothing", async () => {
    await officer().synthetic.setThresholds({ near_duplicate_jaccard: 0.7, max_duplicate_share: 1, max_closer_share: 1, max_copied_pii: 1000 });
    const { jobId, datasetId } = await engineer().synthetic.request({ versionId: modelId, request: request() });
    await finished(jobId);
    const job = await jobOf(jobId);
    expect({ status: job.status, error: job.error, generated: job.generated, verdict: job.verdict }).toEqual({ status: "done", error: null, generated: 40, verdict: "passed" });
    const version = (await first(world.db.select().from(datasetVersions).where(eq(datasetVersions.id, job.datasetVersionId!))))!;
    expect(version).toMatchObject({ datasetId, sourceModelVersionId: modelId, recordCount: 40, subjectField: null });
    const detail = await engineer().datasets.get({ datasetId });
    expect(detail.versions[0]).toMatchObject({ kind: "synthetic", sourceModelVersionId: modelId, fields: ["kind"] });

    // The page: the job with its masked report, and the guarantee (the model's, on the source lineage).
    const side = (await engineer().synthetic.ofDataset({ datasetId }))!;
    const modelGuarantee = await guarantees(world.db, modelId);
    expect(side.guarantees).toEqual(modelGuarantee);
    expect(side.guarantees.map((g) => g.datasetId)).toEqual([sourceDatasetId]);
    const report = side.jobs[0]!.report!;
    expect(report).toMatchObject({ records: 40, passed: true, thresholds: { max_duplicate_share: 1 } });
    expect(report.training_records).toBeGreaterThan(100);
    expect(report.dcr.reference_records).toBeGreaterThan(0);
    expect(report.samples.map((s) => s.label)).toEqual(["spam", "ham", "spam", "ham", "spam", "ham", "spam", "ham", "spam", "ham"]);
    // Train on synthetic, test on real: both classifiers label the run's held-out tickets.
    expect(report.utility).toMatchObject({ labels: ["spam", "ham"], test_records: expect.any(Number), synthetic: { accuracy: expect.any(Number) }, real: { accuracy: expect.any(Number) } });

    // Not approved: no training, no download.
    const runOnIt = { ...tinyRunRequest(version.id, baseId, { noiseMultiplier: 1, samplingRate: 0.25, steps: 2 }), privacyUnit: "record" as const };
    const unapproved = await refusal(engineer().runs.launch(runOnIt));
    expect(unapproved).toEqual({ code: "CONFLICT", message: expect.stringContaining("not approved: a privacy officer must approve its leakage validation report") });
    expect((await download(version.id)).status).toBe(409);

    await officer().synthetic.approve({ jobId });
    const file = await download(version.id);
    expect(file.status).toBe(200);
    const lines = (await file.text()).trim().split("\n").map((l) => JSON.parse(l) as { fields: { kind: string } });
    expect(lines.map((l) => l.fields.kind).slice(0, 4)).toEqual(["spam", "ham", "spam", "ham"]);

    // Training on it: no budget of its own, nothing charged to the source lineage.
    const sourceBefore = await lineageSpend(world.db, sourceDatasetId, 1e-5);
    const launched = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runOnIt);
    expect(launched.projection.syntheticOf).toBe(modelId);
    await until(async () => (await first(world.db.select().from(runs).where(eq(runs.id, launched.runId))))!.resultModelVersionId !== null, "the run on synthetic data");
    const run = (await first(world.db.select().from(runs).where(eq(runs.id, launched.runId))))!;
    expect(run).toMatchObject({ datasetId, status: "finished" });
    expect(await first(world.db.select().from(budgets).where(eq(budgets.datasetId, datasetId)))).toBeUndefined();
    expect(await lineageSpend(world.db, sourceDatasetId, 1e-5)).toEqual(sourceBefore);

    // The model it made carries the source model's guarantee on the source lineage, and says so in its provenance.
    const made = run.resultModelVersionId!;
    const [g] = await guarantees(world.db, made);
    expect(g).toMatchObject({ datasetId: sourceDatasetId, epsilon: modelGuarantee[0]!.epsilon, delta: modelGuarantee[0]!.delta, viaSyntheticOf: [modelId] });
    const { statement } = await provenanceStatement(world.db, made);
    expect(statement.predicate.privacy.lineages.map((l) => [l.dataset_id, l.via_synthetic_of])).toEqual([[sourceDatasetId, [modelId]]]);
    expect(statement.predicate.synthetic_data).toEqual([
      expect.objectContaining({ dataset_version_id: version.id, content_digest: version.contentDigest, source_model_version_id: modelId, validation_passed: true, approved_by: world.users.privacy_officer.email }),
    ]);

    // The budgets page says why there is none; once someone adds real data to it, a run on that needs a budget.
    expect(await engineer().budgets.status({ datasetId })).toMatchObject({ budget: null, postProcessing: true });
    const real = await handleUpload(
      new Request(`http://localhost/api/datasets/upload?datasetId=${datasetId}&format=jsonl&textField=text`, {
        method: "POST",
        headers: { "x-epsilon-upload": "1" },
        body: Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `A real note ${i}` })).join("\n"),
      }),
      { db: world.db, user: world.users.engineer },
      { dataDir, maxBytes: 1e6, publicUrl: "http://localhost" },
    );
    expect(real.status).toBe(201);
    const { versionId: realVersionId } = (await real.json()) as { versionId: string };
    expect(await engineer().budgets.status({ datasetId })).toMatchObject({ budget: null, postProcessing: false });
    expect(await refusal(engineer().runs.launch({ ...runOnIt, datasetVersionId: realVersionId }))).toEqual({
      code: "CONFLICT",
      message: "This dataset has no privacy budget yet; a privacy officer must set one.",
    });
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 120_000);

  it("opens an incident linked to the version and its model when a check fails, and refuses its approval", async () => {
    await officer().synthetic.setThresholds({ near_duplicate_jaccard: 0.7, max_duplicate_share: 0, max_closer_share: 0.6, max_copied_pii: 0 });
    // One token per record: a printable character copies a training record exactly.
    const { jobId } = await engineer().synthetic.request({ versionId: modelId, request: request({ dataset_name: "one-character records", template: "Ticket", labels: [], max_tokens: 1 }) });
    await finished(jobId);
    const job = await jobOf(jobId);
    expect({ status: job.status, verdict: job.verdict }).toEqual({ status: "done", verdict: "failed" });
    const report = (await engineer().synthetic.ofDataset({ datasetId: job.datasetId }))!.jobs[0]!.report!;
    expect(report.duplicates.exact).toBeGreaterThan(0);
    expect(report.failures[0]).toMatch(/duplicate a training record at Jaccard ≥ 0\.7; at most 0\.0% may\.$/);
    const incident = (await first(world.db.select().from(incidents).where(eq(incidents.id, job.incidentId!))))!;
    expect(incident).toMatchObject({ source: "synthetic_validation", severity: "high", status: "open" });
    const links = await world.db.select().from(incidentLinks).where(eq(incidentLinks.incidentId, incident.id));
    expect(links.map((l) => [l.entityType, l.entityId]).sort()).toEqual([["dataset_version", job.datasetVersionId], ["model_version", modelId]].sort());
    const before = await snapshot(world.db);
    expect(await refusal(officer().synthetic.approve({ jobId }))).toEqual({ code: "CONFLICT", message: expect.stringContaining("failed its leakage validation") });
    expect(await snapshot(world.db)).toEqual(before);
  }, 90_000);

  it("stops a job at a cancel, making no version", async () => {
    const { jobId } = await engineer().synthetic.request({ versionId: modelId, request: request({ dataset_name: "cancelled", records: 2000, max_tokens: 8 }) });
    await until(async () => (await jobOf(jobId)).generated > 0, "the first batch", 60_000);
    await engineer().synthetic.cancel({ jobId });
    await finished(jobId);
    const job = await jobOf(jobId);
    expect({ status: job.status, datasetVersionId: job.datasetVersionId }).toEqual({ status: "cancelled", datasetVersionId: null });
    expect(job.generated).toBeLessThan(2000);
    expect(await refusal(engineer().synthetic.cancel({ jobId }))).toMatchObject({ code: "CONFLICT" });
  }, 90_000);
});
