// The job runner's process for real, on one database of the test engine (a SQLite file, or PostgreSQL with the job
// queue, the workers connecting as their own role). Killed mid-run (SIGKILL to its whole process group, trainer
// included), a new runner takes the run over once the dead one's lease expires, charges the step in flight, and the
// resumed run trains its planned steps with the trainer and the server counting the same charged steps (no
// incident). Two runners on one database with several queued runs: each run is trained by exactly one trainer and
// each reported step is charged exactly once; the second runner's start takes nothing from the first.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { first, type Db } from "../../db/client";
import { auditLog, incidents, modelVersions, runSteps, runs } from "../../db/schema";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR, verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { activeSessionUser, type SessionUser } from "../context";
import { handleUpload } from "../datasets/upload";
import { seedBaseModel } from "../seed/demo";
import { createUser } from "../users/service";
import { runDirectory } from "../runs/run-files";
import { launchRun, resumeRun } from "../runs/service";
import { tinyRunRequest, until } from "../testing";
import { sharedTestDatabase } from "../testing-shared-db";

const dir = mkdtempSync(path.join(tmpdir(), "ledger-worker-"));
const dataDir = path.join(dir, "data");
const LEASE_SECONDS = 2;
const workers: ChildProcess[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) {
    try {
      if (w.pid) process.kill(-w.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: Db;
let workerEnv: Record<string, string>;
let user: SessionUser;
let officerId: string;
let baseId: string;

beforeAll(async () => {
  ({ db, workerEnv } = await sharedTestDatabase());
  await seedBaseModel(db, dataDir, ["--steps", "2", "--batch", "2", "--model", JSON.stringify({ n_layer: 1, n_embd: 16, n_head: 2, context_length: 32 })]);
  const engineer = await createUser(db, SYSTEM_ACTOR, { email: "e@kill.example", name: "E", role: "engineer", password: "a long enough secret" });
  officerId = (await createUser(db, SYSTEM_ACTOR, { email: "o@kill.example", name: "O", role: "privacy_officer", password: "a long enough secret" })).id;
  user = (await activeSessionUser(db, engineer.id))!;
  baseId = (await first(db.select().from(modelVersions)))!.id;
}, 120_000);

/** Starts `npm run worker` in a process group of its own (so that the whole group can be killed). */
function startWorker(): ChildProcess {
  const worker = spawn(process.execPath, ["--import", "tsx", "server/jobs/worker.ts"], {
    detached: true,
    stdio: "ignore",
    // A worker host's environment: no web secrets (NEXTAUTH_SECRET is not passed on), its own database role.
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...workerEnv, DATA_DIR: dataDir, RUNNER_LEASE_SECONDS: String(LEASE_SECONDS) },
  });
  workers.push(worker);
  return worker;
}

/** A dataset of `records` records over `subjects` people, with a subject-level budget of epsilon 60. */
async function dataset(name: string, records: number, subjects: number) {
  const body = Array.from({ length: records }, (_, i) => JSON.stringify({ text: `message ${i} about my parcel`, who: `u${i % subjects}` })).join("\n");
  const uploaded = (await (
    await handleUpload(
      new Request(`http://localhost/api/datasets/upload?name=${name}&format=jsonl&textField=text&subjectField=who`, { method: "POST", headers: { "x-epsilon-upload": "1" }, body }),
      { db, user },
      { dataDir, maxBytes: 1e6, publicUrl: "http://localhost" },
    )
  ).json()) as { datasetId: string; versionId: string };
  await setBudget(db, actorOf((await activeSessionUser(db, officerId))!), { datasetId: uploaded.datasetId, epsilon: 60, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
  return uploaded;
}

const launch = async (versionId: string, steps: number) =>
  (await launchRun(db, user, actorOf(user), tinyRunRequest(versionId, baseId, { noiseMultiplier: 3, samplingRate: 0.3, steps }))).runId;

const runOf = async (id: string) => (await first(db.select().from(runs).where(eq(runs.id, id))))!;
const stepsOf = async (id: string) => (await db.select().from(runSteps).where(eq(runSteps.runId, id)).orderBy(asc(runSteps.id))).map((s) => s.step);

it("takes over a run whose runner was killed once its lease expires, and resumes it to its planned steps with both counts equal", async () => {
  const uploaded = await dataset("parcels", 40, 10);
  const planned = 200;
  const runId = await launch(uploaded.versionId, planned);

  const killed = startWorker();
  await until(async () => {
    const run = await runOf(runId);
    return (run.checkpointStep ?? 0) >= 10 && run.chargedSteps >= 13;
  }, "a checkpoint and a few steps more");
  process.kill(-killed.pid!, "SIGKILL"); // the runner and its trainer, at once
  await new Promise((r) => killed.once("exit", r));
  const reported = (await stepsOf(runId)).length;
  expect((await runOf(runId)).status).toBe("running");

  startWorker();
  await until(async () => (await runOf(runId)).status === "interrupted", "the new runner to take the run over");
  // Charged at the takeover: every step the trainer began, by its write-ahead record: the step in flight if the kill
  // came during one, and any whose message the kill lost before the runner recorded it (never fewer than reported;
  // the same number when the kill came between steps). The resumed trainer's count checks it below.
  const takenOver = (await runOf(runId)).chargedSteps;
  expect(takenOver).toBeGreaterThanOrEqual(reported);

  await resumeRun(db, user, actorOf(user), { runId });
  const checkpoint = (await runOf(runId)).checkpointStep!;
  await until(async () => ["finished", "failed"].includes((await runOf(runId)).status), "the resumed run to end", 150_000);
  // The planned steps are trained: the second segment runs from the checkpoint to the last planned step, each once.
  expect(await runOf(runId)).toMatchObject({ status: "finished", statusReason: "completed" });
  const steps = await stepsOf(runId);
  expect(steps.slice(reported)).toEqual(Array.from({ length: planned - checkpoint }, (_, i) => checkpoint + 1 + i));
  // Each charged step is accounted once: every step the trainer began before the kill, charged at the takeover (its
  // write-ahead record, which the second segment's started message repeats: nothing more is charged then), and every
  // step of the second segment; the trainer counted the same, so no accounting_mismatch (or any other) incident opens,
  // only the interruption's.
  const begun = z.object({ privacy: z.object({ charged_steps: z.number() }) }).parse(JSON.parse((await runOf(runId)).startedInfo!)).privacy.charged_steps;
  expect(begun).toBe(takenOver);
  expect((await runOf(runId)).chargedSteps).toBe(begun + (planned - checkpoint));
  expect(await db.select({ source: incidents.source, severity: incidents.severity }).from(incidents)).toEqual([{ source: "trainer_fault", severity: "low" }]);
  const spend = await lineageSpend(db, uploaded.datasetId, 1e-5);
  expect(spend.chargedEpsilon).toBeCloseTo(createAccountant("rdp").epsilon(dpSgdEvent(0.3, 3, (await runOf(runId)).chargedSteps), 1e-5), 10);
  expect((await verifyChain(db)).ok).toBe(true);
}, 300_000);

it("two runners on one database: every run is trained by exactly one trainer and every step charged exactly once", async () => {
  const uploaded = await dataset("letters", 30, 10);
  const planned = 12;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await launch(uploaded.versionId, planned));
  const incidentsBefore = await db.select().from(incidents);
  const runsOf = () => Promise.all(ids.map(runOf));
  startWorker();
  // The second runner starts while the first is training: its start must not take the first one's run.
  await until(async () => (await runsOf()).some((run) => run.status === "running" && run.chargedSteps >= 2), "the first runner to be training");
  startWorker();
  await until(async () => (await runsOf()).every((run) => ["finished", "failed", "interrupted", "cancelled"].includes(run.status)), "every run to end", 240_000);
  for (const id of ids) {
    expect(await runOf(id)).toMatchObject({ status: "finished", chargedSteps: planned });
    expect(await stepsOf(id)).toEqual(Array.from({ length: planned }, (_, i) => i + 1));
    const starts = await db.select().from(auditLog).where(and(eq(auditLog.action, "run.start"), eq(auditLog.entityId, id)));
    expect(starts).toHaveLength(1);
    // One trainer process: its log has one start line.
    const log = readFileSync(path.join(runDirectory(dataDir, id), "trainer.log"), "utf8");
    expect(log.match(/ backend, \d+ subjects/g)).toHaveLength(1);
  }
  // Nothing was interrupted, failed or mis-accounted: no incident opened (the database is the first test's too).
  expect(await db.select().from(incidents)).toEqual(incidentsBefore);
  expect((await verifyChain(db)).ok).toBe(true);
}, 300_000);
