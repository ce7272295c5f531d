// A trainer's started message reconciles the charge: when the trainer's own write-ahead record shows a step begun
// that the server never heard of (trainer and runner died together, its last step message lost), the server charges
// up to the trainer's count before any step of the new segment, so a step that may have been applied is charged.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
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
  runId = (await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runRequest(versionId, baseId))).runId;
  await setRun({ status: "running", runnerId: "runner-1" });
});

const runOf = async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
const setRun = (values: Partial<typeof runs.$inferInsert>) =>
  transaction(world.db, async (tx) => {
    await tx.update(runs).set(values).where(eq(runs.id, runId));
  });

async function started(chargedSteps: number) {
  const run = await runOf();
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

it("charges up to the trainer's count when its write-ahead record is ahead of the server's", async () => {
  await setRun({ chargedSteps: 4 });
  const aborted: string[] = [];
  await new RunSession(world.db, NO_DATA_DIR, runId, "runner-1", (reason) => aborted.push(reason)).onMessage(await started(6));
  expect(aborted).toEqual([]);
  expect((await runOf()).chargedSteps).toBe(6);
});

it("never lowers the server's count", async () => {
  await setRun({ chargedSteps: 4 });
  await new RunSession(world.db, NO_DATA_DIR, runId, "runner-1", () => {}).onMessage(await started(0));
  expect((await runOf()).chargedSteps).toBe(4);
});
