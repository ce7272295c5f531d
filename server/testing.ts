// Test helpers: a fresh migrated database (on the test engine), one user per role, callers acting as them, and ordinary fixtures.
import { TRPCError } from "@trpc/server";
import path from "node:path";
import { eq } from "drizzle-orm";
import { transaction, type Db } from "../db/client";
export { snapshot } from "../db/snapshot";
import { openTestDatabase } from "../db/open";
import { ROLES, runs, type ModelVersion, type Role } from "../db/schema";
import { actorOf } from "./actor";
import { SYSTEM_ACTOR } from "./audit/service";
import { activeSessionUser, type SessionUser } from "./context";
import { createCaller } from "./root";
import { createPiiScanner } from "./datasets/ingest/pii-report";
import { registerUpload, type IngestedVersion } from "./datasets/service";
import { handleUpload } from "./datasets/upload";
import { pretrainBaseModel } from "./jobs/pretrain";
import { registerBaseModel } from "./models/base-model";
import { insertModelVersion, registerModelVersion } from "./models/service";
import type { RunRequest } from "./runs/run-request";
import { launchRun } from "./runs/service";
import { createUser } from "./users/service";

export const TEST_PASSWORD = "correct horse battery staple";

export interface TestWorld {
  db: Db;
  users: Record<Role, SessionUser>;
}

/** A fresh database with one active user per role (each created through the service, so audited). */
export async function testWorld(): Promise<TestWorld> {
  const db = await openTestDatabase();
  const users = {} as Record<Role, SessionUser>;
  for (const role of ROLES) {
    const u = await createUser(db, SYSTEM_ACTOR, { email: `${role}@test.example`, name: role, role, password: TEST_PASSWORD });
    users[role] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
  return { db, users };
}

/** A caller as the request handler would build it: the user reloaded from the database, or anonymous. */
export function callerAs(db: Db, user: SessionUser | null) {
  return createCaller(async () => ({ db, user: user && (await activeSessionUser(db, user.id)) }));
}

/** A dataset version as ingesting would record it, with no file behind it: for tests that never read the records. */
export function ingestedVersion(overrides: Partial<IngestedVersion> = {}): IngestedVersion {
  return {
    format: "jsonl",
    textField: "text",
    subjectField: null,
    storagePath: "datasets/none.jsonl",
    sourceDigest: "a".repeat(64),
    contentDigest: "b".repeat(64),
    bytes: 1,
    recordCount: 1000,
    subjectCount: 1000,
    maxRecordsPerSubject: 1,
    fields: [],
    piiReport: createPiiScanner().report(),
    minimisation: null,
    ...overrides,
  };
}

/** A base model version registered without weight files: for tests that launch runs but never train. */
export function registerTestBaseModel(db: Db, familyName = "base"): Promise<ModelVersion> {
  return registerModelVersion(db, SYSTEM_ACTOR, {
    familyName,
    kind: "base",
    parentVersionId: null,
    datasetVersionId: null,
    runId: null,
    weightsPath: `models/${familyName}`,
    weightsDigest: "c".repeat(64),
    config: {},
    provenance: { kind: "pretrained" },
    metrics: {},
  });
}

/** A fine-tuned version registered from a run without weight files: for tests that never read the weights. */
export function registerTestFineTuned(
  db: Db,
  version: { familyName: string; parentVersionId: string | null; datasetVersionId: string | null; runId: string | null; metrics?: Record<string, number> },
): Promise<ModelVersion> {
  return registerModelVersion(db, SYSTEM_ACTOR, {
    kind: "fine_tuned",
    weightsPath: `runs/${version.runId ?? "none"}/model`,
    weightsDigest: "d".repeat(64),
    config: {},
    provenance: {},
    metrics: {},
    ...version,
  });
}

/** A run request with ordinary settings: sigma 1, q 0.01, 1000 steps, LoRA rank 4, record-level. */
export function runRequest(datasetVersionId: string, baseModelVersionId: string, overrides: Partial<RunRequest> = {}): RunRequest {
  return {
    datasetVersionId,
    baseModelVersionId,
    privacyUnit: "record",
    privacy: { mode: "noise_multiplier", noiseMultiplier: 1 },
    batch: { by: "sampling_rate", samplingRate: 0.01 },
    length: { by: "steps", steps: 1000 },
    clipNorm: 1,
    learningRate: 1e-3,
    fineTuning: { method: "lora", rank: 4 },
    maxRecordsPerSubject: 8,
    ...overrides,
  };
}

/** The code and message of a call that must be refused (a TRPCError); fails when the call succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected the call to be refused");
}

/** A subject-level LoRA run that a tiny model trains in seconds (rank 2, learning rate 0.01, C 1, 2 records a subject). */
export function tinyRunRequest(
  datasetVersionId: string,
  baseModelVersionId: string,
  settings: { noiseMultiplier: number; samplingRate: number; steps: number; canaries?: RunRequest["canaries"] },
): RunRequest {
  return runRequest(datasetVersionId, baseModelVersionId, {
    privacyUnit: "subject",
    privacy: { mode: "noise_multiplier", noiseMultiplier: settings.noiseMultiplier },
    batch: { by: "sampling_rate", samplingRate: settings.samplingRate },
    length: { by: "steps", steps: settings.steps },
    learningRate: 0.01,
    fineTuning: { method: "lora", rank: 2 },
    maxRecordsPerSubject: 2,
    canaries: settings.canaries,
  });
}

/** Kills a process started `detached` and everything it started (its process group); one already gone is left be. */
export function killGroup(child: { pid?: number }): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Waits (polling every 50 ms) until `check` holds; fails naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh world with an engineer's uploaded dataset version (as ingestedVersion, with `overrides`) and a base model. */
export async function worldWithDataset(name: string, overrides: Partial<IngestedVersion> = {}) {
  const world = await testWorld();
  const engineer = world.users.engineer;
  const version = await registerUpload(world.db, engineer, actorOf(engineer), { name }, ingestedVersion(overrides));
  return { world, datasetId: version.datasetId, versionId: version.id, baseId: (await registerTestBaseModel(world.db)).id };
}

/**
 * A fine-tuned version of a run that finished without a trainer (its steps set, weights at a made-up path), launched by
 * the engineer on an uploaded dataset under a privacy officer's budget: for tests of what is done with a version.
 */
export async function finishedRunVersion(world: TestWorld, canaries?: RunRequest["canaries"]): Promise<{ versionId: string; runId: string }> {
  const engineer = world.users.engineer;
  const dv = await registerUpload(world.db, engineer, actorOf(engineer), { name: "d" }, ingestedVersion());
  const base = await registerTestBaseModel(world.db);
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId: dv.datasetId, epsilon: 10, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(dv.id, base.id, { canaries }));
  await transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status: "finished", chargedSteps: 1000 }).where(eq(runs.id, runId));
  });
  const version = await transaction(world.db, (tx) =>
    insertModelVersion(tx, {
      familyName: "base/d",
      kind: "fine_tuned",
      parentVersionId: base.id,
      datasetVersionId: dv.id,
      runId,
      weightsPath: "runs/x",
      weightsDigest: "e".repeat(64),
      config: {},
      provenance: {},
      metrics: {},
    }),
  );
  return { versionId: version.id, runId };
}

/** A tiny model's shape: the trainer pretrains it in seconds (tinyBaseModel). */
const TINY_MODEL = ["--steps", "2", "--batch", "2", "--model", JSON.stringify({ n_layer: 1, n_embd: 16, n_head: 2, context_length: 32 })];

/** Pretrains a tiny base model with the real trainer into `dataDir`/models/tiny, for tests that train on it. */
export function pretrainTinyModel(dataDir: string): Promise<void> {
  return pretrainBaseModel(path.join(dataDir, "models", "tiny"), TINY_MODEL);
}

/** Registers the tiny model pretrainTinyModel made as a base model; its version id. */
export async function registerTinyModel(db: Db, dataDir: string): Promise<string> {
  return (await registerBaseModel(db, SYSTEM_ACTOR, dataDir, path.join("models", "tiny"), "tiny")).id;
}

/**
 * JSON-lines records uploaded by the world's engineer through the upload route as dataset "tickets" (subjects in
 * the field `who`), under a privacy officer's subject-level budget of epsilon 50.
 */
export async function uploadTickets(world: TestWorld, dataDir: string, records: readonly object[]): Promise<{ datasetId: string; versionId: string }> {
  const res = await handleUpload(
    new Request(`http://localhost/api/datasets/upload?name=tickets&format=jsonl&textField=text&subjectField=who`, {
      method: "POST",
      headers: { "x-epsilon-upload": "1" },
      body: records.map((r) => JSON.stringify(r)).join("\n"),
    }),
    { db: world.db, user: await activeSessionUser(world.db, world.users.engineer.id) },
    { dataDir, maxBytes: 1e6, publicUrl: "http://localhost" },
  );
  const uploaded = (await res.json()) as { datasetId: string; versionId: string };
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId: uploaded.datasetId, epsilon: 50, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
  return uploaded;
}
