// A run with a classification task, through the job runner and the real trainer: its records carry their labels to
// the trainer (and reach the leakage tests and the red team in their trained form), the version registered states
// the task and carries its accuracy and macro-F1 on held-out records; a task naming a field the dataset does not have
// is refused at launch and changes nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { runs } from "../../db/schema";
import { actorOf } from "../actor";
import { splitRunRecords, trainedRecords, type TrainerRecord } from "../runs/run-files";
import { launchRun } from "../runs/service";
import { callerAs, pretrainTinyModel, refusal, registerTinyModel, snapshot, testWorld, tinyRunRequest, until, uploadTickets, type TestWorld } from "../testing";
import { Runner } from "./runner";
import { TRAINER_COMMAND } from "./trainer-process";

let dataDir: string;
let world: TestWorld;
let datasetVersionId: string;
let baseId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-task-"));
  await pretrainTinyModel(dataDir);
  world = await testWorld();
  baseId = await registerTinyModel(world.db, dataDir);
  const records = Array.from({ length: 160 }, (_, i) => ({
    text: i % 2 ? `refund for order ${i}, please` : `my parcel ${i} is late`,
    who: `c${i}`,
    topic: i % 10 === 0 ? "other" : i % 2 ? "refund" : "late",
  }));
  datasetVersionId = (await uploadTickets(world, dataDir, records)).versionId;
}, 60_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const taskRequest = (labelField: string) => ({ ...tinyRunRequest(datasetVersionId, baseId, { noiseMultiplier: 1.2, samplingRate: 0.25, steps: 3 }), task: { labelField, labels: ["late", "refund"] } });

describe("a run with a classification task", () => {
  it("hands the trainer each record's label and registers the version with the task and its metric", async () => {
    const { runId } = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), taskRequest("topic"));
    const run = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
    const split: TrainerRecord[] = [];
    for await (const { record } of splitRunRecords(world.db, dataDir, run)) split.push(record);
    expect([...new Set(split.map((r) => r.label))].sort()).toEqual(["late", "other", "refund"]);
    // What the leakage tests and the red team see: each text as the model is trained on it, the task's labels first.
    const trained: string[] = [];
    for await (const { record } of trainedRecords(world.db, dataDir, run)) trained.push(record.text);
    expect(trained).toEqual(split.map((r) => (r.label === "late" || r.label === "refund" ? `${r.label}: ${r.text}` : r.text)));

    const runner = new Runner({ db: world.db, dataDir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 30_000, log: () => {} });
    await runner.start();
    try {
      await until(async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId !== null, "the run's model version");
    } finally {
      await runner.stop();
    }
    const versionId = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId!;
    const detail = await callerAs(world.db, world.users.auditor).models.get({ versionId });
    expect(detail.task).toEqual({ label_field: "topic", labels: ["late", "refund"] });
    // Held-out records labelled "other" are not classified: only those with one of the task's labels.
    expect(detail.metrics.task_records).toBeGreaterThan(0);
    for (const figure of [detail.metrics.task_accuracy!, detail.metrics.task_macro_f1!]) {
      expect(figure).toBeGreaterThanOrEqual(0);
      expect(figure).toBeLessThanOrEqual(1);
    }
  }, 90_000);

  it("refuses a label field the dataset does not have, and changes nothing", async () => {
    const before = await snapshot(world.db);
    expect(await refusal(callerAs(world.db, world.users.engineer).runs.launch(taskRequest("colour")))).toEqual({
      code: "BAD_REQUEST",
      message: 'The dataset version has no field "colour" to take labels from.',
    });
    expect(await refusal(callerAs(world.db, world.users.engineer).runs.launch({ ...taskRequest("topic"), task: { labelField: "topic", labels: ["late"] } }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await snapshot(world.db)).toEqual(before);
  });
});
