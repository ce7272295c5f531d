// The server killed in the middle of a run, for real: the job runner's process group (trainer included) gets
// SIGKILL; started again, it marks the run interrupted with every step charged (and the step in flight), the run
// resumes from its checkpoint, nothing is charged twice beyond that, and the audit chain still verifies.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "../../db/client";
import { incidents, modelVersions, runSteps, runs } from "../../db/schema";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR, verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { activeSessionUser } from "../context";
import { handleUpload } from "../datasets/upload";
import { seedBaseModel } from "../seed/demo";
import { createUser } from "../users/service";
import { launchRun, resumeRun } from "./service";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";

const dir = mkdtempSync(path.join(tmpdir(), "ledger-worker-"));
const dataDir = path.join(dir, "data");
const file = path.join(dir, "ledger.db");
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

function startWorker(): ChildProcess {
  const worker = spawn(process.execPath, ["--import", "tsx", "server/runs/worker.ts"], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, DATABASE_PATH: file, DATA_DIR: dataDir, NEXTAUTH_SECRET: "worker-test-secret-0123456789abcdefghij" },
  });
  workers.push(worker);
  return worker;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("charges every step of a run whose server was killed, and resumes it", async () => {
  const db = openDatabase(file);
  migrateDatabase(db);
  await seedBaseModel(db, dataDir, ["--steps", "2", "--batch", "2", "--model", JSON.stringify({ n_layer: 1, n_embd: 16, n_head: 2, context_length: 32 })]);
  const engineer = await createUser(db, SYSTEM_ACTOR, { email: "e@kill.example", name: "E", role: "engineer", password: "a long enough secret" });
  const officer = await createUser(db, SYSTEM_ACTOR, { email: "o@kill.example", name: "O", role: "privacy_officer", password: "a long enough secret" });
  const user = activeSessionUser(db, engineer.id)!;
  const body = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `message ${i} about my parcel`, who: `u${i % 10}` })).join("\n");
  const uploaded = (await (
    await handleUpload(
      new Request("http://localhost/api/datasets/upload?name=parcels&format=jsonl&textField=text&subjectField=who", { method: "POST", headers: { "x-epsilon-upload": "1" }, body }),
      { db, user },
      { dataDir, maxBytes: 1e6, publicUrl: "http://localhost" },
    )
  ).json()) as { datasetId: string; versionId: string };
  setBudget(db, actorOf({ ...officer, role: "privacy_officer" }), { datasetId: uploaded.datasetId, epsilon: 60, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
  const base = db.select().from(modelVersions).get()!;
  const { runId } = launchRun(db, user, actorOf(user), {
    datasetVersionId: uploaded.versionId,
    baseModelVersionId: base.id,
    privacyUnit: "subject",
    privacy: { mode: "noise_multiplier", noiseMultiplier: 3 },
    batch: { by: "sampling_rate", samplingRate: 0.3 },
    length: { by: "steps", steps: 400 },
    clipNorm: 1,
    learningRate: 0.01,
    fineTuning: { method: "lora", rank: 2 },
    maxRecordsPerSubject: 2,
  });
  const run = () => db.select().from(runs).where(eq(runs.id, runId)).get()!;

  const first = startWorker();
  await until(() => (run().checkpointStep ?? 0) >= 10 && run().chargedSteps >= 12, "a checkpoint and a few steps more");
  process.kill(-first.pid!, "SIGKILL");
  await new Promise((r) => first.once("exit", r));
  const reported = db.select().from(runSteps).where(eq(runSteps.runId, runId)).all().length;
  expect(run().status).toBe("running");

  startWorker();
  await until(() => run().status === "interrupted", "the restarted runner to mark the run interrupted");
  expect(run().chargedSteps).toBe(reported + 1);

  resumeRun(db, user, actorOf(user), { runId });
  await until(() => ["finished", "failed"].includes(run().status), "the resumed run to end");
  expect(run().status).toBe("finished");
  // Every reported step of both segments is charged, and the step that was in flight when the server died. The
  // trainer keeps its own count of the steps it ran (the one in flight included when it had recorded it) and stops
  // when its epsilon would pass the target it was given, that of the planned 400: the server never charges fewer,
  // and where it charges more, the difference between its epsilon and the trainer's is an incident.
  const reportedInAll = db.select().from(runSteps).where(eq(runSteps.runId, runId)).all().length;
  expect(run().chargedSteps).toBe(reportedInAll + 1);
  expect(run().chargedSteps).toBeGreaterThanOrEqual(400);
  const mismatches = db.select().from(incidents).all().filter((i) => i.source === "accounting_mismatch");
  expect(mismatches).toHaveLength(run().chargedSteps === 400 ? 0 : 1);
  const spend = lineageSpend(db, uploaded.datasetId, 1e-5);
  expect(spend.chargedEpsilon).toBeCloseTo(createAccountant("rdp").epsilon(dpSgdEvent(0.3, 3, run().chargedSteps), 1e-5), 10);
  expect(spend.chargedEpsilon).toBeLessThanOrEqual(60);
  expect(verifyChain(db).ok).toBe(true);
}, 180_000);
