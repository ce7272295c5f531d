// Group admission: launches of one lineage that wait together are admitted or refused in one transaction, in order of
// arrival, each against the curves the launches before it left; a launch that fails for another reason than the budget
// fails alone.
import { eq } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { lockedRow, transaction } from "../../db/client";
import { auditLog, datasetVersions, runs, type ModelVersion } from "../../db/schema";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { AppError } from "../errors";
import { ingestedVersion, registerTestBaseModel, runRequest, testWorld, type TestWorld } from "../testing";
import { admitLaunch } from "./launch-admission";
import { checkedLaunch } from "./launch-projection";
import { launchRun } from "./service";

const rdp = createAccountant("rdp");
const DELTA = 1e-5;
const composedOf = (k: number) => rdp.epsilon({ type: "composed", events: Array.from({ length: k }, () => dpSgdEvent(0.01, 1, 500)) }, DELTA);

let world: TestWorld;
let version: Awaited<ReturnType<typeof registerUpload>>;
let base: ModelVersion;

beforeEach(async () => {
  world = await testWorld();
  const { engineer, privacy_officer: officer } = world.users;
  version = await registerUpload(world.db, engineer, actorOf(engineer), { name: "admission" }, ingestedVersion());
  base = await registerTestBaseModel(world.db);
  // Room for three of the runs below, not four.
  const limit = (composedOf(3) + composedOf(4)) / 2;
  await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon: limit, delta: DELTA, privacyUnit: "record", renewsOn: "2099-01-01" });
});

const request = () => runRequest(version.id, base.id, { length: { by: "steps", steps: 500 } });

async function outcome(launch: Promise<unknown>): Promise<string> {
  try {
    await launch;
    return "launched";
  } catch (err) {
    if (!(err instanceof AppError)) return `failed: ${(err as Error).message}`;
    return `refused: ${err.message}`;
  }
}

it("admits exactly as many launches made at once as the budget holds, each with its audit entry", async () => {
  const engineer = world.users.engineer;
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => outcome(launchRun(world.db, engineer, actorOf(engineer), request()))));
  expect(outcomes.filter((o) => o === "launched")).toHaveLength(3);
  expect(outcomes.filter((o) => o.startsWith("refused: This run would exceed the budget"))).toHaveLength(5);
  const spend = await lineageSpend(world.db, version.datasetId, DELTA);
  expect(spend.runs).toHaveLength(3);
  expect(spend.epsilon).toBeLessThanOrEqual((composedOf(3) + composedOf(4)) / 2);
  const launches = await world.db.select().from(auditLog).where(eq(auditLog.action, "run.launch"));
  const launched = await world.db.select({ id: runs.id }).from(runs);
  expect(launches.map((e) => e.entityId).sort()).toEqual(launched.map((r) => r.id).sort());
  expect((await verifyChain(world.db)).ok).toBe(true);
});

it("admits the launches waiting with one that fails, and fails only that one", async () => {
  const engineer = world.users.engineer;
  const { subject } = await checkedLaunch(world.db, engineer, request());
  const launch = (input = request()) => admitLaunch(world.db, { user: engineer, actor: actorOf(engineer), input, subject });
  // The first is admitted alone; the other two wait for the next transaction together. The second names a base
  // model that does not exist (checkedLaunch would have refused it): its run's insert breaks the foreign key.
  const outcomes = await Promise.all([launch(), launch({ ...request(), baseModelVersionId: crypto.randomUUID() }), launch()].map(outcome));
  expect(outcomes[0]).toBe("launched");
  expect(outcomes[1]).toMatch(/^failed: /);
  expect(outcomes[2]).toBe("launched");
  expect(await world.db.select({ id: runs.id }).from(runs)).toHaveLength(2);
  expect((await lineageSpend(world.db, version.datasetId, DELTA)).runs).toHaveLength(2);
  expect((await verifyChain(world.db)).ok).toBe(true);
});

it("admits a launch made the moment the lineage's previous admission settled", async () => {
  const engineer = world.users.engineer;
  const { subject } = await checkedLaunch(world.db, engineer, request());
  const launch = () => admitLaunch(world.db, { user: engineer, actor: actorOf(engineer), input: request(), subject });
  // The second is made in the first one's settlement, while the admission that settled it is ending.
  const runIds = [(await launch()).runId, (await launch()).runId];
  expect((await world.db.select({ id: runs.id }).from(runs)).map((r) => r.id).sort()).toEqual(runIds.sort());
});

it("refuses a launch whose version's files are deleted while it waits for its admission", async () => {
  const engineer = world.users.engineer;
  let launching: Promise<string> | undefined;
  // A deletion of the version's files holds its row (as deleteVersionFiles does) when the launch's check without a
  // lock has just found the files kept; the launch is admitted only after it, and then sees them deleted.
  await transaction(world.db, async (tx) => {
    await lockedRow(tx, datasetVersions, version.id);
    await tx.update(datasetVersions).set({ filesDeletedAt: new Date().toISOString(), filesDeletedBy: world.users.privacy_officer.id }).where(eq(datasetVersions.id, version.id));
    launching = outcome(launchRun(world.db, engineer, actorOf(engineer), request()));
    await new Promise((r) => setTimeout(r, 300));
  });
  expect(await launching).toMatch(/^refused: The files of version 1 were deleted by a privacy officer/);
  expect(await world.db.select({ id: runs.id }).from(runs)).toEqual([]);
});
