// The export built from the database verifies offline: a fine-tuned version with its run, approval, incident and the
// DP counts of its data (no exact counts, k as the budget states it); a withdrawn version is exported marked withdrawn
// (why, the incident, the audit entry), and still verifies; only auditors and privacy officers export.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { budgets, runs } from "../../db/schema";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { callerAs, ingestedVersion, registerTestBaseModel, registerTestFineTuned, runRequest, testWorld, type TestWorld } from "../testing";
import { exportProvenance, handleProvenanceDownload } from "./export";
import { auditLog } from "../../db/schema";
import { signingKey } from "./keys";
import { verifyBundle } from "./verify";

let world: TestWorld;
let versionId: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "ledger-export-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeAll(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const dv = await registerUpload(world.db, engineer, actorOf(engineer), { name: "mail" }, ingestedVersion({ recordCount: 5000, subjectCount: 1200, maxRecordsPerSubject: 7 }));
  const base = await registerTestBaseModel(world.db);
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId: dv.datasetId, epsilon: 8, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  // k, the records-per-person bound the officer states.
  await transaction(world.db, async (tx) => {
    await tx.update(budgets).set({ recordsPerPersonBound: 7 }).where(eq(budgets.datasetId, dv.datasetId));
  });
  const { runId } = await launchRun(
    world.db,
    engineer,
    actorOf(engineer),
    runRequest(dv.id, base.id, { privacy: { mode: "noise_multiplier", noiseMultiplier: 1.1 }, batch: { by: "expected_batch_size", expectedBatchSize: 50 }, length: { by: "steps", steps: 300 } }),
  );
  // What the runner records when the trainer stops early, after 280 of 300 steps.
  await transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status: "finished", chargedSteps: 280 }).where(eq(runs.id, runId));
  });
  versionId = (await registerTestFineTuned(world.db, { familyName: "base/mail", parentVersionId: base.id, datasetVersionId: dv.id, runId })).id;
  const officer = callerAs(world.db, world.users.privacy_officer);
  await officer.models.setStatus({ versionId, status: "approved" });
  await officer.incidents.open({ title: "Review exposure", severity: "low", links: [{ entityType: "model_version", entityId: versionId }] });
  await officer.budgets.releaseCounts({ datasetVersionId: dv.id, noiseMultiplier: 20 });
});

it("exports a statement, proofs and tree head that verify offline, epsilon recomputed", async () => {
  const text = await exportProvenance(world.db, versionId, signingKey(dataDir));
  const report = verifyBundle(text);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ok).toBe(true);
  const bundle = JSON.parse(text) as { envelope: { payload: string }; audit: { entries: { entry: { action: string } }[] } };
  const statement = JSON.parse(Buffer.from(bundle.envelope.payload, "base64").toString("utf8")) as {
    predicate: {
      privacy: { lineages: { runs: { steps_charged: number; expected_batch_size: number | null }[]; person_level: unknown; dataset_versions: Record<string, unknown>[] }[] };
      approvals: unknown[];
      incidents: unknown[];
      architecture: { tokenizer: string; parameters: number } | null;
    };
  };
  // What the model is, from its config.json, as its page says it.
  const page = await callerAs(world.db, world.users.auditor).models.get({ versionId });
  expect(statement.predicate.architecture).toEqual(page.architecture);
  expect(statement.predicate.privacy.lineages[0]!.runs[0]!.steps_charged).toBe(280);
  // The run's own setting, not a figure derived from the exact population.
  expect(statement.predicate.privacy.lineages[0]!.runs[0]!.expected_batch_size).toBe(50);
  const data = statement.predicate.privacy.lineages[0]!.dataset_versions[0]!;
  expect(Object.keys(data).sort()).toEqual(["content_digest", "dp_counts", "id", "minimisation", "records_per_person_bound"]);
  expect(data.records_per_person_bound).toBe(7);
  expect(data.dp_counts).toMatchObject({
    record_noise_std: 20,
    subject_noise_std: 20,
    noise_multiplier: 20,
    records_counted_up_to: null,
    event: { version: 1, event: { type: "self_composed", event: { type: "gaussian", noise_multiplier: 20 }, count: 2 } },
  });
  expect(report.checks.find((c) => c.name.startsWith("DP counts of"))?.ok).toBe(true);
  expect(bundle.audit.entries.map((e) => e.entry.action)).toContain("budget.release_counts");
  expect(statement.predicate.privacy.lineages[0]!.person_level).not.toBeNull();
  expect(statement.predicate.approvals).toHaveLength(1);
  expect(statement.predicate.incidents).toHaveLength(1);
  expect(bundle.audit.entries.map((e) => e.entry.action)).toEqual(expect.arrayContaining(["run.launch", "model.approve", "incident.open", "budget.set"]));
  // Claiming fewer steps than were charged breaks the envelope's signature.
  const payload = Buffer.from(bundle.envelope.payload, "base64").toString("utf8").replace('"steps_charged":280', '"steps_charged":200');
  const tampered = text.replace(bundle.envelope.payload, Buffer.from(payload, "utf8").toString("base64"));
  expect(tampered).not.toBe(text);
  const failed = verifyBundle(tampered).checks.filter((c) => !c.ok).map((c) => c.name);
  expect(failed).toContain("envelope signature");
});

it("records each export in the audit log, after the tree head it carries, and the auditor's home page lists it", async () => {
  const before = (await world.db.select().from(auditLog)).length;
  const response = await handleProvenanceDownload({ db: world.db, user: world.users.auditor }, versionId, dataDir);
  expect(response.status).toBe(200);
  const entries = await world.db.select().from(auditLog);
  expect(entries).toHaveLength(before + 1);
  expect(entries.at(-1)).toMatchObject({ action: "provenance.export", entityType: "model_version", entityId: versionId, actorEmail: world.users.auditor.email });
  const bundle = JSON.parse(await response.text());
  expect(bundle.audit.tree_head.tree_size).toBe(before);
  const { exports } = await callerAs(world.db, world.users.auditor).home.todo().then((t) => t as Extract<typeof t, { role: "auditor" }>);
  expect(exports[0]).toMatchObject({ entityId: versionId, actorEmail: world.users.auditor.email });
  expect((await handleProvenanceDownload({ db: world.db, user: world.users.engineer }, versionId, dataDir)).status).toBe(403);
  expect(await world.db.select().from(auditLog)).toHaveLength(before + 1); // a refused export records nothing
});

it("is refused to other roles; a withdrawn version is exported marked withdrawn, with the incident, and verifies", async () => {
  const download = (role: "admin" | "engineer" | "auditor" | null) => handleProvenanceDownload({ db: world.db, user: role && world.users[role] }, versionId, dataDir);
  expect((await download(null)).status).toBe(401);
  expect((await download("admin")).status).toBe(403);
  expect((await download("engineer")).status).toBe(403);
  expect((await download("auditor")).status).toBe(200);
  const officer = callerAs(world.db, world.users.privacy_officer);
  const incidentId = await officer.incidents.open({ title: "Canary exposure too high", severity: "high", links: [] });
  await officer.incidents.withdrawModel({ incidentId, versionId, reason: "memorised canaries" });
  const response = await download("auditor");
  expect(response.status).toBe(200);
  const text = await response.text();
  const report = verifyBundle(text);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.find((c) => c.name === "withdrawal")?.detail).toMatch(/^WITHDRAWN by incident .* memorised canaries$/);
  const { envelope, audit } = JSON.parse(text) as { envelope: { payload: string }; audit: { entries: { entry: { seq: number; action: string } }[] } };
  const { predicate } = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
    predicate: { model_version: { status: string }; withdrawal: { reason: string; incident_id: string; audit_seq: number } };
  };
  expect(predicate.model_version.status).toBe("withdrawn");
  expect(predicate.withdrawal).toMatchObject({ reason: "memorised canaries", incident_id: incidentId });
  expect(audit.entries.find((e) => e.entry.seq === predicate.withdrawal.audit_seq)?.entry.action).toBe("incident.withdraw_model");
});
