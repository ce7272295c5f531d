// Helpers for the end-to-end specs: seed users straight into the e2e database (through the services), sign in.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { expect, type Page } from "@playwright/test";
import { closeDatabase, first, transaction, type Db } from "../db/client";
import { openDatabase } from "../db/open";
import type { Role } from "../db/schema";
import { SYSTEM_ACTOR } from "../server/audit/service";
import { snapshot } from "../db/snapshot";
import { eq, inArray } from "drizzle-orm";
import { ACTIVE_RUN_STATUSES, INCIDENT_SEVERITIES, incidents, leakageReports, modelVersions, redTeamExercises, runs, syntheticJobs } from "../db/schema";
import { setBudget } from "../server/budgets/service";
import { openIncident, withdrawModel } from "../server/incidents/service";
import { launchRun } from "../server/runs/service";
import { createUser, setDisabled } from "../server/users/service";
import { E2E_DATABASE, E2E_URL } from "./env";

export const E2E_PASSWORD = "an e2e password, long enough";

export interface SeededUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

export async function withDb<T>(use: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    return await use(db);
  } finally {
    await closeDatabase(db);
  }
}

/** A new active user with a unique email, so that tests running in parallel never share one. */
export function seedUser(role: Role): Promise<SeededUser> {
  const email = `${role}-${randomUUID().slice(0, 8)}@e2e.example`;
  return withDb(async (db) => {
    const u = await createUser(db, SYSTEM_ACTOR, { email, name: `E2E ${role}`, role, password: E2E_PASSWORD });
    return { id: u.id, email: u.email, name: u.name, role: u.role, password: E2E_PASSWORD };
  });
}

export interface TrainedModel {
  datasetId: string;
  datasetName: string;
  versionId: string;
  engineer: SeededUser;
}

/**
 * A dataset uploaded (by a new engineer, signed in on `page`), budgeted and fine-tuned on, with the job runner of the
 * e2e server doing the training: a fine-tuned model version to govern, audit and export.
 */
export async function seedTrainedModel(page: Page): Promise<TrainedModel> {
  const engineer = await seedUser("engineer");
  const officer = await seedUser("privacy_officer");
  await signIn(page, engineer);
  const datasetName = `notes-${randomUUID().slice(0, 8)}`;
  // 200 patients: the keyed hold-out (a tenth of the units, each decided on its own) then surely leaves some
  // non-members for the leakage tests to compare with.
  const records = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `Note ${i}: patient ${i % 200} is doing fine`, patient: `p${i % 200}` }));
  const upload = await page.request.post(`/api/datasets/upload?name=${datasetName}&format=jsonl&textField=text&subjectField=patient`, {
    headers: { "x-epsilon-upload": "1", origin: E2E_URL, "content-type": "application/octet-stream" },
    data: records.join("\n"),
  });
  expect(upload.status()).toBe(201);
  const { datasetId, versionId } = (await upload.json()) as { datasetId: string; versionId: string };
  const runId = await withDb(async (db) => {
    await setBudget(db, { id: officer.id, email: officer.email, role: "privacy_officer" }, { datasetId, epsilon: 10, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
    const base = (await first(db.select().from(modelVersions).where(eq(modelVersions.kind, "base"))))!;
    const user = { id: engineer.id, email: engineer.email, name: engineer.name, role: "engineer" as const };
    const launched = await launchRun(db, user, user, {
      datasetVersionId: versionId,
      baseModelVersionId: base.id,
      privacyUnit: "subject",
      privacy: { mode: "noise_multiplier", noiseMultiplier: 1.5 },
      batch: { by: "expected_batch_size", expectedBatchSize: 3 },
      length: { by: "steps", steps: 4 },
      clipNorm: 1,
      learningRate: 0.01,
      fineTuning: { method: "lora", rank: 2 },
      maxRecordsPerSubject: 2,
      // A small space (10^3), so that exposure is exact and the post-training leakage tests are quick.
      canaries: { space: "my code is {ddd}", m: 8, repeats: 2, k_plus: 2, k_minus: 2, confidence: 0.95 },
    });
    return launched.runId;
  });
  await expect.poll(() => withDb(async (db) => (await first(db.select().from(runs).where(eq(runs.id, runId))))?.status), { timeout: 60_000 }).toBe("finished");
  const run = (await withDb((db) => first(db.select().from(runs).where(eq(runs.id, runId)))))!;
  return { datasetId, datasetName, versionId: run.resultModelVersionId!, engineer };
}

export function setUserDisabled(userId: string, disabled: boolean): Promise<void> {
  return withDb(async (db) => void (await setDisabled(db, SYSTEM_ACTOR, { userId, disabled })));
}

export function disableUser(userId: string): Promise<void> {
  return setUserDisabled(userId, true);
}

/**
 * The whole database, once the job runner has nothing queued or running: a run, leakage report, red-team exercise or
 * synthetic-data job left by an earlier spec, finishing between two snapshots, would otherwise show as a change the spec did not make.
 */
export function databaseSnapshot() {
  return withDb(async (db) => {
    for (const deadline = Date.now() + 90_000; ; ) {
      const busy = [
        ...(await db.select({ id: runs.id }).from(runs).where(inArray(runs.status, [...ACTIVE_RUN_STATUSES]))),
        ...(await db.select({ id: leakageReports.id }).from(leakageReports).where(inArray(leakageReports.status, ["queued", "running"]))),
        ...(await db.select({ id: redTeamExercises.id }).from(redTeamExercises).where(inArray(redTeamExercises.status, ["queued", "running"]))),
        ...(await db.select({ id: syntheticJobs.id }).from(syntheticJobs).where(inArray(syntheticJobs.status, ["queued", "running"]))),
      ];
      if (busy.length === 0) break;
      if (Date.now() > deadline) throw new Error(`the job runner is still busy with ${busy.map((b) => b.id).join(", ")} after 90 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return snapshot(db);
  });
}

export async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signIn(page: Page, user: SeededUser): Promise<void> {
  await fillSignIn(page, user.email, user.password);
  await expect(page.getByTestId("signed-in-user")).toContainText(user.email);
}

/** Our error messages (Next.js has a role="alert" route announcer of its own, which this leaves out). */
export function errorAlert(page: Page) {
  return page.locator(".error[role=alert]");
}

/** Follows a link in the sidebar's navigation. */
export async function openSection(page: Page, label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: label }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
}

/** The officer's "open incidents by severity" line as the e2e database has it now (other specs' incidents count too),
 * e.g. "0 critical · 2 high · 1 medium · 0 low". */
export function openIncidentsBySeverity(): Promise<string> {
  return withDb(async (db) => {
    const open = await db.select({ severity: incidents.severity }).from(incidents).where(inArray(incidents.status, ["open", "contained"]));
    return [...INCIDENT_SEVERITIES]
      .reverse()
      .map((severity) => `${open.filter((i) => i.severity === severity).length} ${severity}`)
      .join(" · ");
  });
}

/** An admin creates an engineer through the Admin page's New user form (the page must be open), and sees it done. */
export async function createUserInForm(page: Page, email: string): Promise<void> {
  const form = page.getByRole("form", { name: "New user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Name").fill("Nina New");
  await form.getByLabel("Role").selectOption("engineer");
  await form.getByLabel(/Password/).fill("a brand new password");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByText(`Created ${email}.`)).toBeVisible();
}

/** An incident opened by `officer` that withdraws the version (containment), through the services; its id. */
export function seedIncidentWithdrawal(officer: SeededUser, versionId: string, title: string, reason: string): Promise<string> {
  return withDb(async (db) => {
    const actor = { id: officer.id, email: officer.email, role: officer.role };
    const incidentId = await openIncident(db, actor, { title, description: "", severity: "high", links: [{ entityType: "model_version", entityId: versionId }] });
    await withdrawModel(db, actor, { incidentId, versionId, reason });
    return incidentId;
  });
}

/**
 * A red-team exercise on the version by `requester` whose one output held an e-mail address its prompt did not, as
 * the job runner records one (written straight to the database, done: the runner never sees it queued; the page reads
 * it back through the report's schema); its id.
 */
export function seedRedTeamFinding(requester: SeededUser, versionId: string): Promise<string> {
  const report = {
    verbatim_window: 32,
    training_records: 100,
    items: [{ source: "own", prompt: "Write to", output: " j***@e***.org", pii: { email: 1 }, verbatim_chars: 0, finding: true }],
    summary: { prompts: 1, findings: 1, with_pii: 1, verbatim: 0, pii_by_type: { email: 1 } },
    notes: [],
  };
  const id = randomUUID();
  return withDb(async (db) => {
    await transaction(db, async (tx) => {
      await tx.insert(redTeamExercises).values({
        id,
        modelVersionId: versionId,
        requestedBy: requester.id,
        request: JSON.stringify({ attack_sets: [], prompts: ["Write to"], max_tokens: 16, decoding: { kind: "greedy" } }),
        status: "done",
        report: JSON.stringify(report),
        unmasked: JSON.stringify([{ prompt: "Write to", output: " jane@example.org" }]),
        computedAt: new Date().toISOString(),
      });
    });
    return id;
  });
}

/**
 * POSTs `body` to the e2e server in chunks through node:http (no length declared) and resolves with the answer's
 * status. A server refusing an oversized body answers and closes while this client may still be writing: the answer
 * is what counts, not the broken pipe (an error with no answer at all rejects).
 */
export function postChunked(path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(`${E2E_URL}${path}`, { method: "POST", headers });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (err) => setTimeout(() => reject(err), 5_000));
    const chunk = 64 * 1024;
    let sent = 0;
    const write = () => {
      while (sent < body.length) {
        const next = body.subarray(sent, sent + chunk);
        sent += next.length;
        if (!req.write(next)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}
