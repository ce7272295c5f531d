// How interrupted runs end: a runner taking over a dead runner's run, or a trainer stopping at a step boundary
// without a cancel, opens a low trainer-fault incident linked to the run and its dataset (once while it is open);
// a cancel does not.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
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
  runId = launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runRequest(versionId, baseId)).runId;
  world.db.update(runs).set({ status: "running", runnerId: "dead-runner" }).where(eq(runs.id, runId)).run();
});

function incidentsOfRun() {
  return world.db
    .select({ id: incidents.id, source: incidents.source, severity: incidents.severity, title: incidents.title })
    .from(incidents)
    .innerJoin(incidentLinks, eq(incidentLinks.incidentId, incidents.id))
    .where(eq(incidentLinks.entityId, runId))
    .all();
}

function linksOf(incidentId: string) {
  return world.db.select({ entityType: incidentLinks.entityType, entityId: incidentLinks.entityId }).from(incidentLinks).where(eq(incidentLinks.incidentId, incidentId)).all();
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

it("a run taken over from a dead runner opens a trainer-fault incident linked to the run and dataset", () => {
  expect(recoverOrphanedRuns(world.db)).toBe(1);
  const [incident, ...more] = incidentsOfRun();
  expect(more).toEqual([]);
  expect(incident).toMatchObject({ source: "trainer_fault", severity: "low", title: `Run ${runId.slice(0, 8)} was interrupted` });
  expect(linksOf(incident!.id)).toEqual(
    expect.arrayContaining([
      { entityType: "run", entityId: runId },
      { entityType: "dataset", entityId: datasetId },
    ]),
  );
});

it("a trainer stopping at a step boundary without a cancel opens one; interrupted again, no second while it is open", () => {
  new RunSession(world.db, "unused", runId, "dead-runner", () => {}).onMessage(interrupted);
  expect(world.db.select().from(runs).where(eq(runs.id, runId)).get()?.status).toBe("interrupted");
  expect(incidentsOfRun()).toHaveLength(1);
  world.db.update(runs).set({ status: "running", runnerId: "dead-runner" }).where(eq(runs.id, runId)).run();
  expect(recoverOrphanedRuns(world.db)).toBe(1);
  expect(incidentsOfRun()).toHaveLength(1);
});

it("a cancelled run opens no incident", () => {
  world.db.update(runs).set({ cancelRequested: true }).where(eq(runs.id, runId)).run();
  new RunSession(world.db, "unused", runId, "dead-runner", () => {}).onMessage(interrupted);
  expect(world.db.select().from(runs).where(eq(runs.id, runId)).get()?.status).toBe("cancelled");
  expect(incidentsOfRun()).toEqual([]);
});
