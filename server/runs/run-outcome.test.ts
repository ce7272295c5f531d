// How interrupted runs end: a runner taking over a dead runner's run, or a trainer stopping at a step boundary
// without a cancel, opens a low trainer-fault incident linked to the run and its dataset (once while it is open);
// a cancel does not.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { incidentLinks, incidents, runs } from "../../db/schema";
import { messageSchema } from "../../trainer/contract/protocol";
import { actorOf } from "../actor";
import { recoverOrphanedRuns } from "../jobs/takeover";
import { callerAs, runRequest, worldWithDataset, type TestWorld } from "../testing";
import { RunSession } from "./run-session";
import { launchRun } from "./service";

let world: TestWorld;
let datasetId: string;
let runId: string;

beforeEach(async () => {
  let versionId: string, baseId: string;
  ({ world, datasetId, versionId, baseId } = await worldWithDataset("tickets"));
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId, epsilon: 50, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  runId = (await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runRequest(versionId, baseId))).runId;
  await setRun({ status: "running", runnerId: "dead-runner" });
});

const setRun = (values: Partial<typeof runs.$inferInsert>) =>
  transaction(world.db, async (tx) => {
    await tx.update(runs).set(values).where(eq(runs.id, runId));
  });
const statusOf = async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))?.status;

function incidentsOfRun() {
  return world.db
    .select({ id: incidents.id, source: incidents.source, severity: incidents.severity, title: incidents.title })
    .from(incidents)
    .innerJoin(incidentLinks, eq(incidentLinks.incidentId, incidents.id))
    .where(eq(incidentLinks.entityId, runId));
}

function linksOf(incidentId: string) {
  return world.db.select({ entityType: incidentLinks.entityType, entityId: incidentLinks.entityId }).from(incidentLinks).where(eq(incidentLinks.incidentId, incidentId));
}

const interrupted = messageSchema.parse({
  type: "finished",
  outcome: "interrupted",
  steps: 3,
  epsilon: null,
  delta: null,
  privacy_event: null,
  model_dir: "m",
  weights_sha256: "0".repeat(64),
  config_sha256: "0".repeat(64),
  adapter_sha256: null,
});

it("a run taken over from a dead runner opens a trainer-fault incident linked to the run and dataset", async () => {
  expect(await recoverOrphanedRuns(world.db, "unused")).toBe(1);
  const [incident, ...more] = await incidentsOfRun();
  expect(more).toEqual([]);
  expect(incident).toMatchObject({ source: "trainer_fault", severity: "low", title: `Run ${runId.slice(0, 8)} was interrupted` });
  expect(await linksOf(incident!.id)).toEqual(
    expect.arrayContaining([
      { entityType: "run", entityId: runId },
      { entityType: "dataset", entityId: datasetId },
    ]),
  );
});

it("a trainer stopping at a step boundary without a cancel opens one; interrupted again, no second while it is open", async () => {
  await new RunSession(world.db, "unused", runId, "dead-runner", () => {}).onMessage(interrupted);
  expect(await statusOf()).toBe("interrupted");
  expect(await incidentsOfRun()).toHaveLength(1);
  await setRun({ status: "running", runnerId: "dead-runner" });
  expect(await recoverOrphanedRuns(world.db, "unused")).toBe(1);
  expect(await incidentsOfRun()).toHaveLength(1);
});

it("a cancelled run opens no incident", async () => {
  await setRun({ cancelRequested: true });
  await new RunSession(world.db, "unused", runId, "dead-runner", () => {}).onMessage(interrupted);
  expect(await statusOf()).toBe("cancelled");
  expect(await incidentsOfRun()).toEqual([]);
});
