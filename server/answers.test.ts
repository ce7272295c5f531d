// Every procedure's answer in a realistic world (a dataset and its versions, a budget and a request, a run, base and
// fine-tuned models, an incident, users): no key names a storage path, a password hash or a hold-out key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROLES, type Role } from "../db/schema";
import { activeSessionUser } from "./context";
import { handleUpload } from "./datasets/upload";
import { appRouter } from "./root";
import { callerAs, registerTestBaseModel, registerTestFineTuned, runRequest, testWorld, type TestWorld } from "./testing";
import type { ProcedureMeta } from "./trpc";

const FORBIDDEN_KEYS = new Set(["storagePath", "weightsPath", "passwordHash", "holdoutKey"]);

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: ProcedureMeta } }>);

/** Every forbidden key anywhere in an answer, by its path ("versions.0.storagePath"). */
function forbiddenKeys(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => forbiddenKeys(v, `${at}${i}.`));
  if (value === null || typeof value !== "object" || value instanceof Date) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(FORBIDDEN_KEYS.has(k) ? [`${at}${k}`] : []), ...forbiddenKeys(v, `${at}${k}.`)]);
}

// The procedures that read or write files find them here (env() reads DATA_DIR when first called).
const dataDir = mkdtempSync(path.join(tmpdir(), "ledger-answers-"));
process.env.DATA_DIR = dataDir;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let world: TestWorld;
let inputs: Record<string, unknown>;
const answers = new Map<string, unknown>();

function call(role: Role, path: string, input: unknown): Promise<unknown> {
  let target: unknown = callerAs(world.db, world.users[role]);
  for (const part of path.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (i: unknown) => Promise<unknown>)(input);
}

const RUN = { privacyUnit: "subject" as const, maxRecordsPerSubject: 1 };

beforeAll(async () => {
  world = await testWorld();
  const { engineer, privacy_officer: officer, admin } = world.users;
  const records = Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `Ticket ${i}: mail ann${i}@example.com`, who: `c${i}`, city: "Oslo" }));
  const uploaded = await handleUpload(
    new Request("http://localhost/api/datasets/upload?name=tickets&format=jsonl&textField=text&subjectField=who", {
      method: "POST",
      headers: { "x-epsilon-upload": "1" },
      body: records.join("\n"),
    }),
    { db: world.db, user: await activeSessionUser(world.db, engineer.id) },
    { dataDir, maxBytes: 1e6, publicUrl: "http://localhost" },
  );
  const { datasetId: uploadedDatasetId, versionId } = (await uploaded.json()) as { datasetId: string; versionId: string };
  const version = { id: versionId, datasetId: uploadedDatasetId };
  const base = await registerTestBaseModel(world.db);
  const datasetId = version.datasetId;
  const other = (await callerAs(world.db, admin).users.create({ email: "e2@test.example", name: "E2", role: "engineer", password: "a long enough secret" })) as { id: string };
  answers.set("budgets.set", await callerAs(world.db, officer).budgets.set({ datasetId, epsilon: 8, delta: 1e-3, privacyUnit: "subject", renewsOn: "2099-01-01" }));
  const asEngineer = callerAs(world.db, engineer);
  const request = await asEngineer.budgets.request({ datasetId, epsilon: 12, reason: "more experiments" });
  const runId = await asEngineer.runs.launch(runRequest(version.id, base.id, RUN));
  answers.set("budgets.request", request);
  answers.set("runs.launch", runId);
  const fineTuned = await registerTestFineTuned(world.db, { familyName: "base/tickets", parentVersionId: base.id, datasetVersionId: version.id, runId });
  // Another version of the same run, approved, to sample synthetic data from (the first is withdrawn by an incident).
  const approved = await registerTestFineTuned(world.db, { familyName: "base/tickets", parentVersionId: base.id, datasetVersionId: version.id, runId });
  await callerAs(world.db, officer).models.setStatus({ versionId: approved.id, status: "approved" });
  const incident = await callerAs(world.db, officer).incidents.open({
    title: "Suspected leak",
    severity: "high",
    links: [
      { entityType: "run", entityId: runId },
      { entityType: "dataset", entityId: datasetId },
    ],
  });
  answers.set("incidents.open", incident);
  const incidentId = typeof incident === "string" ? incident : (incident as { id: string }).id;
  const requestId = typeof request === "string" ? request : (request as { id: string }).id;
  const auditor = world.users.auditor;
  inputs = {
    "session.enterSection": { section: "datasets" },
    "users.create": { email: "new@test.example", name: "New", role: "auditor", password: "a long enough secret" },
    "users.changeRole": { userId: auditor.id, role: "auditor" },
    "users.setDisabled": { userId: auditor.id, disabled: false },
    "audit.list": {},
    "datasets.get": { datasetId },
    "datasets.minimise": { versionId: version.id, plan: { entities: { email: "redact" }, fields: { city: "drop" } } },
    "datasets.grantAccess": { datasetId, userId: other.id },
    "datasets.revokeAccess": { datasetId, userId: other.id },
    "datasets.setRetention": { datasetId, retentionDays: 365 },
    "budgets.status": { datasetId },
    "budgets.renew": { datasetId, renewsOn: "2099-06-01" },
    "budgets.decide": { requestId, approve: false, reason: "not now" },
    "spend.breakdown": { datasetId },
    "runs.get": { runId },
    "runs.cancel": { runId },
    "runs.preview": runRequest(version.id, base.id, RUN),
    "models.get": { versionId: fineTuned.id },
    "models.setStatus": { versionId: fineTuned.id, status: "approved" },
    "disclosure.get": { versionId: fineTuned.id },
    "incidents.get": { incidentId },
    "incidents.note": { incidentId, text: "Looking into it" },
    "incidents.setStatus": { incidentId, status: "contained", note: "Contained for now" },
    "incidents.assign": { incidentId, ownerId: officer.id },
    "incidents.withdrawModel": { incidentId, versionId: fineTuned.id, reason: "Leak suspected" },
    "incidents.keepRunFiles": { incidentId, runId, keep: true, reason: "Evidence for the review" },
    "incidents.freezeBudget": { incidentId, datasetId, frozen: true, reason: "until we know" },
    "leakage.overview": { versionId: fineTuned.id },
    "leakage.setThresholds": { versionId: fineTuned.id, maxAuc: 0.6, maxExposure: 10, maxPiiPer1000: 1, intervalMinutes: 0 },
    "redTeam.list": { versionId: fineTuned.id },
    "redTeam.run": { versionId: fineTuned.id, request: { attack_sets: ["divergence"], prompts: ["Repeat after me:"], max_tokens: 8, decoding: { kind: "greedy" } } },
    "synthetic.ofDataset": { datasetId },
    "synthetic.ofModel": { versionId: fineTuned.id },
    "synthetic.setThresholds": { near_duplicate_jaccard: 0.8, max_duplicate_share: 0, max_closer_share: 0.6, max_copied_pii: 0 },
    "synthetic.request": {
      versionId: approved.id,
      request: { dataset_name: "synthetic tickets", records: 10, template: "Ticket:", prompts: [], labels: [], label_field: "label", max_tokens: 8, decoding: { kind: "sample", temperature: 1, top_k: null, top_p: null } },
    },
    "provenance.consistency": { from: 1, to: 1 },
  };
  // Queries first, then changes (in router order), each by a role it names.
  const ordered = [...procedures.filter(([, p]) => p._def.type === "query"), ...procedures.filter(([, p]) => p._def.type !== "query")];
  for (const [path, proc] of ordered) {
    const access = proc._def.meta?.access;
    const role = access === "public" || access === "signedIn" ? "engineer" : (["engineer", ...ROLES] as const).find((r) => access?.includes(r))!;
    try {
      if (path in inputs || proc._def.type === "query") answers.set(path, await call(role, path, inputs[path]));
    } catch (err) {
      // A refusal answers nothing; the realistic inputs make the queries answer (checked below).
      console.log("REFUSED", path, (err as Error).message);
    }
  }
});

it("every query, and every change given an input here, answers in the realistic world", () => {
  const unanswered = procedures.filter(([path, p]) => (p._def.type === "query" || path in inputs) && !answers.has(path)).map(([path]) => path);
  expect(unanswered).toEqual([]);
});

it.each(procedures.map(([path]) => path))("%s answers no storage path, password hash or hold-out key", (path) => {
  expect(forbiddenKeys(answers.get(path) ?? null)).toEqual([]);
});
