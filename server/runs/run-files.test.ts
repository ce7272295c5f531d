// A run's directory: written owner-only (0700, 0600) whatever the umask from the one split of the run's records; its
// copies of training data deleted once the run has ended (never while it may be resumed), audited as the system,
// unless a privacy officer keeps them for an incident (audited; bad input changes nothing).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { incidentLinks, runs, type Run } from "../../db/schema";
import { actorOf } from "../actor";
import { listAudit, verifyChain } from "../audit/service";
import { callerAs, refusal, runRequest, snapshot, worldWithDataset, type TestWorld } from "../testing";
import { deleteEndedRunCopies, runDirectory, splitRunRecords, writeRunFiles, type TrainerRecord } from "./run-files";
import { parseRunSpec } from "../../trainer/contract/protocol";
import { launchRun } from "./service";

let world: TestWorld;
let dataDir: string;
let run: Run;

beforeEach(async () => {
  const made = await worldWithDataset("support", { storagePath: "datasets/v1.jsonl", subjectField: "who", recordCount: 60, subjectCount: 60 });
  world = made.world;
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-run-files-"));
  mkdirSync(path.join(dataDir, "datasets"));
  const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ text: `Ticket ${i}: my order is late`, subject: `c${i}`, fields: {} }));
  writeFileSync(path.join(dataDir, "datasets", "v1.jsonl"), `${lines.join("\n")}\n`);
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId: made.datasetId, epsilon: 100, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const engineer = world.users.engineer;
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(made.versionId, made.baseId));
  run = await runOf(runId);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const runOf = async (id: string): Promise<Run> => (await first(world.db.select().from(runs).where(eq(runs.id, id))))!;
const modeOf = (p: string) => statSync(p).mode & 0o777;
const inRun = (...names: string[]) => path.join(runDirectory(dataDir, run.id), ...names);
const setStatus = (status: Run["status"]) =>
  transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status }).where(eq(runs.id, run.id));
  });
const linesOf = (file: string): TrainerRecord[] => readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as TrainerRecord);

/** A run directory as a trainer leaves it: the copies, a checkpoint and the model. */
async function trainedRunDirectory(): Promise<void> {
  await writeRunFiles(world.db, dataDir, run);
  mkdirSync(inRun("checkpoint"));
  writeFileSync(inRun("checkpoint", "state.safetensors"), "state");
  mkdirSync(inRun("model"));
  writeFileSync(inRun("model", "weights.safetensors"), "weights");
}

describe("a run's directory", () => {
  it("is written owner-only whatever the umask, from the one split of the run's records", async () => {
    const umask = process.umask(0);
    try {
      await writeRunFiles(world.db, dataDir, run);
    } finally {
      process.umask(umask);
    }
    expect(modeOf(path.join(dataDir, "runs"))).toBe(0o700);
    expect(modeOf(inRun())).toBe(0o700);
    for (const name of ["train.jsonl", "validation.jsonl", "spec.json"]) expect(modeOf(inRun(name))).toBe(0o600);
    // What the files hold is what the split yields (the leakage evaluation regenerates the same records).
    const split = { train: [] as TrainerRecord[], validation: [] as TrainerRecord[] };
    for await (const { split: which, record } of splitRunRecords(world.db, dataDir, run)) split[which].push(record);
    expect(linesOf(inRun("train.jsonl"))).toEqual(split.train);
    expect(linesOf(inRun("validation.jsonl"))).toEqual(split.validation);
    expect(split.train.length + split.validation.length).toBe(60);
  });

  it("gives the trainer the LoRA layers the request chose, and every layer when it names none", async () => {
    const specOf = async (r: Run) => {
      await writeRunFiles(world.db, dataDir, r);
      return parseRunSpec(JSON.parse(readFileSync(path.join(runDirectory(dataDir, r.id), "spec.json"), "utf8"))).fine_tuning;
    };
    expect(await specOf(run)).toMatchObject({ method: "lora", targets: ["c_attn", "c_proj", "c_fc"] });
    const engineer = world.users.engineer;
    const request = runRequest(run.datasetVersionId, run.baseModelVersionId, { fineTuning: { method: "lora", rank: 2, targets: ["c_fc", "c_attn"] } });
    const { runId } = await launchRun(world.db, engineer, actorOf(engineer), request);
    expect(await specOf(await runOf(runId))).toMatchObject({ method: "lora", rank: 2, targets: ["c_attn", "c_fc"] });
  });
});

describe("the run's copies of training data", () => {
  it("are deleted once the run has ended, never while it is queued, running (its trainer busy) or interrupted", async () => {
    await trainedRunDirectory();
    for (const status of ["queued", "running", "interrupted"] as const) {
      await setStatus(status);
      expect(await deleteEndedRunCopies(world.db, dataDir)).toEqual([]);
    }
    await setStatus("finished");
    expect(await deleteEndedRunCopies(world.db, dataDir, new Set([run.id]))).toEqual([]); // its trainer has not exited yet
    expect(existsSync(inRun("train.jsonl"))).toBe(true);
    expect(await deleteEndedRunCopies(world.db, dataDir)).toEqual([run.id]);
    for (const name of ["train.jsonl", "validation.jsonl", "checkpoint"]) expect(existsSync(inRun(name))).toBe(false);
    expect(readFileSync(inRun("model", "weights.safetensors"), "utf8")).toBe("weights");
    expect(existsSync(inRun("spec.json"))).toBe(true);
    expect((await runOf(run.id)).runFilesDeletedAt).not.toBeNull();
    const [entry] = (await listAudit(world.db, { action: "run.delete_copies" }, 1, 1)).entries;
    expect(entry).toMatchObject({ actorRole: "system", entityType: "run", entityId: run.id });
    expect(await deleteEndedRunCopies(world.db, dataDir)).toEqual([]); // once
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("are kept for an incident by a privacy officer (audited, linked, noted), then deleted once released", async () => {
    await trainedRunDirectory();
    const officer = callerAs(world.db, world.users.privacy_officer);
    const incidentId = await officer.incidents.open({ title: "Possible leak", severity: "high" });
    const before = await snapshot(world.db);
    const keep = { incidentId, runId: run.id, keep: true, reason: "investigate the leak" };
    expect(await refusal(officer.incidents.keepRunFiles({ ...keep, reason: "x" }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/at least 3 characters/) });
    expect(await refusal(officer.incidents.keepRunFiles({ ...keep, incidentId: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({ code: "NOT_FOUND", message: "No such incident." });
    expect(await refusal(officer.incidents.keepRunFiles({ ...keep, keep: false }))).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(callerAs(world.db, world.users.engineer).incidents.keepRunFiles(keep))).toMatchObject({ code: "FORBIDDEN" });
    expect(await snapshot(world.db)).toEqual(before);

    await officer.incidents.keepRunFiles(keep);
    expect((await runOf(run.id)).keepRunFiles).toBe(true);
    expect(await world.db.select().from(incidentLinks).where(eq(incidentLinks.incidentId, incidentId))).toContainEqual(expect.objectContaining({ entityType: "run", entityId: run.id }));
    const detail = await officer.incidents.get({ incidentId });
    expect(detail.notes.at(-1)!.text).toMatch(/copies of training data kept until released: investigate the leak/);
    await setStatus("failed");
    expect(await deleteEndedRunCopies(world.db, dataDir)).toEqual([]);
    expect(existsSync(inRun("train.jsonl"))).toBe(true);

    await officer.incidents.keepRunFiles({ ...keep, keep: false, reason: "investigation closed" });
    expect(await deleteEndedRunCopies(world.db, dataDir)).toEqual([run.id]);
    expect(existsSync(inRun("train.jsonl"))).toBe(false);
    const err = await refusal(officer.incidents.keepRunFiles(keep));
    expect(err).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/were deleted on .*nothing left to keep/) });
    expect((await listAudit(world.db, { action: "incident.keep_run_files" }, 1, 10)).entries).toHaveLength(2);
  });
});
