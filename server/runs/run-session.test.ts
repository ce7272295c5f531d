// A trainer's started message reconciles the charge: when the trainer's own write-ahead record shows a step begun
// that the server never heard of (trainer and runner died together, its last step message lost), the server charges
// up to the trainer's count before any step of the new segment, so a step that may have been applied is charged.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { runs } from "../../db/schema";
import { modelConfig } from "../../trainer/contract/model-config";
import { messageSchema } from "../../trainer/contract/protocol";
import { actorOf } from "../actor";
import { callerAs, runRequest, worldWithDataset, type TestWorld } from "../testing";
import { RunSession } from "./run-session";
import { launchRun } from "./service";

/** A started message reads nothing from the data directory. */
const NO_DATA_DIR = "/nonexistent";

let world: TestWorld;
let runId: string;

beforeEach(async () => {
  const { world: w, datasetId, versionId, baseId } = await worldWithDataset("tickets");
  world = w;
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId, epsilon: 50, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  runId = launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runRequest(versionId, baseId)).runId;
  world.db.update(runs).set({ status: "running", runnerId: "runner-1" }).where(eq(runs.id, runId)).run();
});

const runOf = () => world.db.select().from(runs).where(eq(runs.id, runId)).get()!;

function started(chargedSteps: number) {
  const run = runOf();
  return messageSchema.parse({
    type: "started",
    protocol_version: 1,
    run_id: runId,
    backend: "wasm",
    backends_skipped: [],
    model: modelConfig(),
    parameters: { total: 10, trainable: 10 },
    fine_tuning: "full",
    dataset: { records: 10, units: 10, sha256: "0".repeat(64) },
    privacy: {
      mode: "dp",
      unit: "record",
      sampling_rate: run.samplingRate,
      noise_multiplier: run.noiseMultiplier,
      clip_norm: 1,
      clipping: "flat",
      delta: 1e-5,
      target_epsilon: 1,
      accountant: "rdp",
      planned_steps: 20,
      affordable_steps: 20,
      charged_steps: chargedSteps,
      planned_epsilon: 1,
    },
    resumed_from_step: null,
  });
}

it("charges up to the trainer's count when its write-ahead record is ahead of the server's", () => {
  world.db.update(runs).set({ chargedSteps: 4 }).where(eq(runs.id, runId)).run();
  const aborted: string[] = [];
  new RunSession(world.db, NO_DATA_DIR, runId, "runner-1", (reason) => aborted.push(reason)).onMessage(started(6));
  expect(aborted).toEqual([]);
  expect(runOf().chargedSteps).toBe(6);
});

it("never lowers the server's count", () => {
  world.db.update(runs).set({ chargedSteps: 4 }).where(eq(runs.id, runId)).run();
  new RunSession(world.db, NO_DATA_DIR, runId, "runner-1", () => {}).onMessage(started(0));
  expect(runOf().chargedSteps).toBe(4);
});
