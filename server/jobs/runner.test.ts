// The job runner with the real trainer process: a tiny run finishes and registers its model version with the epsilon
// the server computes; a cancelled run stops at a step boundary with its steps charged; a crashed trainer fails the
// run and charges the step in flight; runs left going by a runner whose lease expired are interrupted (never while
// it holds), then resumed to the end with the trainer and the server counting the same steps.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { datasetVersions, incidents, lineageSecrets, modelVersions, runCanaries, runSteps, runs, type Run } from "../../db/schema";
import { holdoutOfFile } from "../../trainer/contract/holdout";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { inputDigest, listAudit, verifyChain } from "../audit/service";
import type { SessionUser } from "../context";
import { handleWeightsDownload } from "../models/download";
import { TRAINER_COMMAND } from "./trainer-process";
import { messageSchema, type Message } from "../../trainer/contract/protocol";
import { callerAs, pretrainTinyModel, registerTinyModel, testWorld, tinyRunRequest, until, uploadTickets, type TestWorld } from "../testing";
import { leakageOverview } from "../leakage/service";
import { RunnerLease } from "./runner-lease";
import { recoverOrphanedRuns } from "./takeover";
import { RunSession } from "../runs/run-session";
import { runDirectory, splitRunRecords, type TrainerRecord } from "../runs/run-files";
import { Runner } from "./runner";
import type { RunRequest } from "../runs/run-request";
import { canaryAuditInput } from "../runs/launch-admission";
import { launchRun } from "../runs/service";

const rdp = createAccountant("rdp");

let dataDir: string;
let world: TestWorld;
let runner: Runner;
let versionId: string;
let baseId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-runner-"));
  await pretrainTinyModel(dataDir);
}, 60_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeEach(async () => {
  world = await testWorld();
  baseId = await registerTinyModel(world.db, dataDir);
  // Each customer's e-mail address, in their records: what attribute inference asks the model to complete.
  const records = Array.from({ length: 200 }, (_, i) => ({ text: `Ticket ${i}: my order ${i * 7} is late again, write to c${i % 150}@example.com`, who: `c${i % 150}` }));
  versionId = (await uploadTickets(world, dataDir, records)).versionId;
  runner = newRunner();
});
afterEach(async () => runner.stop());

/** A trainer's step message, as the trainer process hands it over (validated). */
const stepMessage = (n: number): Message =>
  messageSchema.parse({ type: "step", step: n, batch_size: 3, records: 5, tokens: 40, loss: 2.5, epsilon: 0.1, clipped_fraction: 0.5, grad_norm_quantiles: null, privacy_event: null, elapsed_ms: 10 });

const newRunner = () => new Runner({ db: world.db, dataDir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 30_000, log: () => {} });

/** A run of `steps` steps; long runs (cancelled or killed early) use more noise so that they fit the budget. */
async function launch(steps: number, noiseMultiplier = 1.2, canaries?: RunRequest["canaries"]): Promise<string> {
  const request = tinyRunRequest(versionId, baseId, { noiseMultiplier, samplingRate: 0.25, steps, canaries });
  return (await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), request)).runId;
}

const runOf = async (id: string): Promise<Run> => (await first(world.db.select().from(runs).where(eq(runs.id, id))))!;
const stepsOf = (id: string) => world.db.select().from(runSteps).where(eq(runSteps.runId, id)).orderBy(asc(runSteps.id));
/** Changes a run behind the services' back (as a crash or another runner would leave it). */
const setRun = (id: string, values: Partial<typeof runs.$inferInsert>) =>
  transaction(world.db, async (tx) => {
    await tx.update(runs).set(values).where(eq(runs.id, id));
  });

describe("the runner", () => {
  it("runs a tiny run to the end, charges every step and registers the model version", async () => {
    const plan = { space: "my SSN is {ddd}-{dd}-{dddd}", m: 6, repeats: 3, k_plus: 2, k_minus: 2, confidence: 0.95 };
    const id = await launch(6, 1.2, plan);
    // The canaries' commitment was audited at launch, before training: the stored draws hash to the logged digest.
    const stored = await world.db.select().from(runCanaries).where(eq(runCanaries.runId, id));
    const [entry] = (await listAudit(world.db, { action: "run.canaries", entityId: id }, 1, 1)).entries;
    expect(entry!.inputDigest).toBe(inputDigest(canaryAuditInput({ plan, digests: stored.map((c) => c.digest) }, stored)));
    await runner.start();
    await until(async () => ["finished", "failed"].includes((await runOf(id)).status), "the run to end");
    const run = await runOf(id);
    expect(run).toMatchObject({ status: "finished", chargedSteps: 6, statusReason: "completed" });
    expect((await stepsOf(id)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const model = await callerAs(world.db, world.users.auditor).models.get({ versionId: run.resultModelVersionId! });
    expect(model.version).toMatchObject({ kind: "fine_tuned", parentVersionId: baseId, runId: id, status: "draft" });
    expect(model.guarantees[0]!.epsilon).toBeCloseTo(rdp.epsilon(dpSgdEvent(0.25, 1.2, 6), 1e-5), 10);
    // With canaries, the leakage tests ran on the new version, the base model's figures beside them; DP held.
    await until(async () => ["done", "failed"].includes((await leakageOverview(world.db, model.version.id)).reports[0]?.status ?? ""), "the leakage report");
    const [leak] = (await leakageOverview(world.db, model.version.id)).reports;
    expect(leak).toMatchObject({ kind: "post_training", status: "done", error: null });
    expect(leak!.report!.leakage.canaries).toHaveLength(6);
    expect(leak!.report!.leakage.base_model!.canaries).toHaveLength(6);
    expect(leak!.report!.leakage.one_run_audit.epsilon_lower_bound).toBeLessThanOrEqual(leak!.report!.accountant.epsilon);
    // Attribute inference ran on training and held-out customers, against the run's guarantee per subject.
    const attribute = leak!.report!.leakage.attribute_inference!;
    expect(attribute.members).toBeGreaterThan(0);
    expect(attribute.non_members).toBeGreaterThan(0);
    expect(attribute.guarantee).toEqual({ epsilon: leak!.report!.accountant.epsilon, delta: leak!.report!.accountant.delta, group_size: 1 });
    expect(attribute.advantage_low).toBeLessThanOrEqual(attribute.advantage);
    expect(leak!.report!.leakage.base_model!.attribute_inference!.members).toBe(attribute.members);
    // The hold-out is the lineage's keyed one (what `trainer -- holdout` computes with that key): no held-out
    // subject was trained on, every other one was.
    const key = (await first(world.db.select().from(lineageSecrets).where(eq(lineageSecrets.datasetId, run.datasetId))))!.holdoutKey;
    const version = (await first(world.db.select().from(datasetVersions).where(eq(datasetVersions.id, versionId))))!;
    const expected = await holdoutOfFile(path.join(dataDir, version.storagePath), { unit: "subject", key });
    const split = { train: [] as TrainerRecord[], validation: [] as TrainerRecord[] };
    for await (const { split: which, record } of splitRunRecords(world.db, dataDir, run)) split[which].push(record);
    const subjectsIn = (records: TrainerRecord[]) => new Set(records.map((r) => r.subject_id));
    const trained = [...subjectsIn(split.train)].filter((s) => s.startsWith("subject:")).map((s) => s.slice("subject:".length));
    expect(trained.filter((s) => expected.held_out.includes(s))).toEqual([]);
    expect(trained).toHaveLength(expected.training_units);
    expect([...subjectsIn(split.validation)].map((s) => s.slice("subject:".length)).sort()).toEqual(expected.held_out);
    // Included canaries went into the training data, repeated; the others did not.
    const trainText = split.train.map((r) => r.text).join("\n");
    for (const c of stored) expect(trainText.split(c.secret).length - 1).toBe(c.included ? 3 : 0);
    // The run has ended: its copies of training data are deleted (the leakage tests above regenerated their records
    // from the dataset version's file); the model stays.
    await until(async () => (await runOf(id)).runFilesDeletedAt !== null, "the run's copies to be deleted");
    for (const name of ["train.jsonl", "validation.jsonl", "checkpoint"]) expect(existsSync(path.join(runDirectory(dataDir, id), name))).toBe(false);
    const weights = (await first(world.db.select({ path: modelVersions.weightsPath }).from(modelVersions).where(eq(modelVersions.id, model.version.id))))!.path;
    expect(existsSync(path.join(dataDir, weights, "weights.safetensors"))).toBe(true);

    // Its weights download for permitted roles, byte for byte what the registry's digest says; never once withdrawn.
    const download = (user: SessionUser | null) => handleWeightsDownload({ db: world.db, user }, model.version.id, dataDir);
    const res = await download(world.users.auditor);
    expect(res.status).toBe(200);
    expect(createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex")).toBe(model.version.weightsDigest);
    expect((await download(world.users.engineer)).status).toBe(200);
    expect((await download(null)).status).toBe(401);
    expect((await download(world.users.admin)).status).toBe(403);
    await callerAs(world.db, world.users.privacy_officer).models.setStatus({ versionId: model.version.id, status: "withdrawn" });
    expect((await download(world.users.auditor)).status).toBe(409);
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 90_000);

  it("makes the data directory owner-only at start (dataset files, run copies, keys)", async () => {
    const files = [path.join(dataDir, "runs", "old", "train.jsonl"), path.join(dataDir, "keys", "provenance-ed25519.pem")];
    for (const file of files) {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      chmodSync(path.dirname(file), 0o755);
      writeFileSync(file, "personal", { mode: 0o644 });
      chmodSync(file, 0o644);
    }
    await runner.start();
    for (const file of files) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    rmSync(path.join(dataDir, "runs", "old"), { recursive: true });
  });

  it("cancels a run whose trainer is still loading once it has started, instead of killing it", async () => {
    const id = await launch(5000, 5);
    await runner.start();
    await until(async () => (await runOf(id)).status === "running", "the start");
    await callerAs(world.db, world.users.engineer).runs.cancel({ runId: id });
    await until(async () => (await runOf(id)).status !== "running", "the cancel");
    expect(await runOf(id)).toMatchObject({ status: "cancelled", statusReason: "cancelled at a step boundary" });
  }, 90_000);

  it("stops a cancelled run at a step boundary and charges the steps it ran", async () => {
    const id = await launch(5000, 5);
    await runner.start();
    await until(async () => (await runOf(id)).chargedSteps >= 3, "three steps");
    await callerAs(world.db, world.users.engineer).runs.cancel({ runId: id });
    await until(async () => (await runOf(id)).status === "cancelled", "the cancel");
    const run = await runOf(id);
    const reported = (await stepsOf(id)).length;
    expect(run.chargedSteps).toBe(reported);
    const status = await callerAs(world.db, world.users.engineer).budgets.status({ datasetId: run.datasetId });
    expect(status.spend!.epsilon).toBeCloseTo(rdp.epsilon(dpSgdEvent(0.25, 5, reported), 1e-5), 10);
  }, 90_000);

  it("fails a run whose trainer dies, charging the step in flight", async () => {
    const id = await launch(5000, 5);
    await runner.start();
    await until(async () => (await runOf(id)).chargedSteps >= 2, "two steps");
    process.kill(runner.pidOf(id)!, "SIGKILL");
    await until(async () => (await runOf(id)).status === "failed", "the failure");
    const reported = (await stepsOf(id)).length;
    expect(await runOf(id)).toMatchObject({ chargedSteps: reported + 1, statusReason: "the trainer exited without a final message (SIGKILL)" });
    const [incident] = await callerAs(world.db, world.users.auditor).incidents.list();
    expect(incident).toMatchObject({ source: "trainer_fault", severity: "medium", status: "open" });
  }, 90_000);

  it("interrupts runs a dead runner left going, and resumes them from their checkpoint to the end", async () => {
    const id = await launch(25);
    await runner.start();
    await until(async () => (await runOf(id)).checkpointStep === 10, "the first checkpoint");
    // While its runner's lease holds, nobody else may take the run over.
    expect(await recoverOrphanedRuns(world.db, dataDir)).toBe(0);
    await runner.stop(); // as if the runner went away: the trainer stops at a step boundary, the lease is given up …
    await setRun(id, { status: "running" }); // … but nobody recorded the stop
    const chargedBefore = (await runOf(id)).chargedSteps;
    expect(await recoverOrphanedRuns(world.db, dataDir)).toBe(1);
    // The trainer stopped between steps: its write-ahead record shows no step begun beyond those the server charged.
    expect(await runOf(id)).toMatchObject({ status: "interrupted", chargedSteps: chargedBefore });
    expect(await recoverOrphanedRuns(world.db, dataDir)).toBe(0); // taken over once

    await callerAs(world.db, world.users.engineer).runs.resume({ runId: id });
    const checkpoint = (await runOf(id)).checkpointStep!;
    runner = newRunner();
    await runner.start();
    await until(async () => ["finished", "failed"].includes((await runOf(id)).status), "the resumed run to end");
    const run = await runOf(id);
    expect(run).toMatchObject({ status: "finished", statusReason: "completed" });
    // Every step that ran is charged: those before the interruption (none was in flight) and the 25 - checkpoint
    // after it; the trainer counted the same (it was given the server's count), so no accounting incident opens: the
    // one incident is the interruption's.
    expect(run.chargedSteps).toBe(chargedBefore + (25 - checkpoint));
    expect((await stepsOf(id)).filter((s) => s.step > checkpoint).map((s) => s.step).slice(-1)).toEqual([25]);
    expect(await world.db.select({ source: incidents.source, severity: incidents.severity }).from(incidents)).toEqual([{ source: "trainer_fault", severity: "low" }]);
  }, 120_000);

  it("charges the step a failing trainer names (its update may have been applied), and each reported step once", async () => {
    const id = await launch(10);
    const lease = new RunnerLease(world.db, 60_000);
    await setRun(id, { status: "running", runnerId: await lease.acquire() });
    const session = new RunSession(world.db, dataDir, id, lease.id, () => {});
    void session.onMessage(stepMessage(1));
    void session.onMessage(stepMessage(2));
    await session.onMessage(stepMessage(2)); // a repeated report charges nothing more
    expect((await runOf(id)).chargedSteps).toBe(2);
    await session.onMessage({ type: "failed", reason: "out of memory writing the metrics", step: 3 });
    expect(await runOf(id)).toMatchObject({ status: "failed", chargedSteps: 3, statusReason: "out of memory writing the metrics" });
    await session.onExit(1, null); // the exit after a final message changes nothing
    expect((await runOf(id)).chargedSteps).toBe(3);
    // Another runner's messages are not applied.
    const stranger = new RunSession(world.db, dataDir, id, "not-the-owner", () => {});
    await stranger.onMessage(stepMessage(9));
    expect((await runOf(id)).chargedSteps).toBe(3);
  });

  it("applies a trainer's messages in the order they came, however fast they come, with its exit last", async () => {
    const id = await launch(10);
    const lease = new RunnerLease(world.db, 60_000);
    await setRun(id, { status: "running", runnerId: await lease.acquire() });
    const aborted: string[] = [];
    const session = new RunSession(world.db, dataDir, id, lease.id, (reason) => aborted.push(reason));
    // Handed over at once, as the trainer process does, without waiting for any to be applied.
    for (const n of [1, 2, 3, 4]) void session.onMessage(stepMessage(n));
    const exit = session.onExit(null, "SIGKILL");
    await exit;
    expect((await stepsOf(id)).map((s) => s.step)).toEqual([1, 2, 3, 4]);
    // The exit came after every step: the run failed with the step in flight (5) charged once.
    expect(await runOf(id)).toMatchObject({ status: "failed", chargedSteps: 5, statusReason: "the trainer exited without a final message (SIGKILL)" });
    expect(aborted).toEqual([]);
  });

  it("never takes over a run whose runner's lease still holds, and does once it has expired", async () => {
    const id = await launch(5);
    const lease = new RunnerLease(world.db, 60_000);
    const now = Date.now();
    await setRun(id, { status: "running", runnerId: await lease.acquire(now) });
    expect(await recoverOrphanedRuns(world.db, dataDir, now + 59_000)).toBe(0);
    expect((await runOf(id)).status).toBe("running");
    expect(await lease.renew(now + 30_000)).toBe(true); // a heartbeat moves the expiry on
    expect(await recoverOrphanedRuns(world.db, dataDir, now + 89_000)).toBe(0);
    const session = new RunSession(world.db, dataDir, id, lease.id, () => {});
    expect(await recoverOrphanedRuns(world.db, dataDir, now + 91_000)).toBe(1);
    expect(await runOf(id)).toMatchObject({ status: "interrupted", chargedSteps: 1 });
    // The stalled runner's trainer may still report the step it was on: charged once (the in-flight charge covered
    // it), and its exit leaves the run interrupted (resumable) with nothing more charged.
    void session.onMessage(stepMessage(1));
    await session.onExit(null, "SIGKILL");
    expect(await runOf(id)).toMatchObject({ status: "interrupted", chargedSteps: 1 });
    // A lease that expired is void: its holder learns so at its next heartbeat and must stop its trainers.
    expect(await lease.renew(now + 200_000)).toBe(false);
  });
});
