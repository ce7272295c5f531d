// Models follow their data's access: an engineer without a grant on a dataset neither sees the versions trained on it
// (or on top of one trained on it) nor their disclosure, weights or family, nor may fine-tune on them (launch or resume); NOT_FOUND, never
// FORBIDDEN, so that their existence does not leak. Reads never carry storage paths.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { runs } from "../../db/schema";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import type { SessionUser } from "../context";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { TEST_PASSWORD, callerAs, ingestedVersion, refusal, registerTestFineTuned, runRequest, snapshot, worldWithDataset, type TestWorld } from "../testing";
import { createUser } from "../users/service";
import { handleWeightsDownload } from "./download";

let world: TestWorld;
let baseId: string;
/** Trained on "mail", which only the first engineer may see. */
let tunedId: string;
/** Trained on the outsider's own dataset, on top of `tuned`: hidden by its ancestor. */
let retunedId: string;
/** A second engineer, granted only their own dataset. */
let outsider: SessionUser;
let ownVersionId: string;
let mailId: string;

/** A run launched by `engineer` and finished (as the runner records it), registered as a fine-tuned version. */
async function fineTuned(engineer: SessionUser, datasetVersionId: string, parentId: string, familyName: string): Promise<string> {
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(datasetVersionId, parentId));
  await transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status: "finished", chargedSteps: 1000 }).where(eq(runs.id, runId));
  });
  return (await registerTestFineTuned(world.db, { familyName, parentVersionId: parentId, datasetVersionId, runId, metrics: { validation_loss: 2.5 } })).id;
}

beforeEach(async () => {
  let mailVersionId: string;
  ({ world, datasetId: mailId, versionId: mailVersionId, baseId } = await worldWithDataset("mail"));
  const created = await createUser(world.db, SYSTEM_ACTOR, { email: "outsider@test.example", name: "outsider", role: "engineer", password: TEST_PASSWORD });
  outsider = { id: created.id, email: created.email, name: created.name, role: created.role };
  const own = await registerUpload(world.db, outsider, actorOf(outsider), { name: "own" }, ingestedVersion());
  ownVersionId = own.id;
  const officer = callerAs(world.db, world.users.privacy_officer);
  for (const datasetId of [mailId, own.datasetId]) {
    await officer.budgets.set({ datasetId, epsilon: 100, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  }
  // The first engineer may train on both; the outsider only on their own.
  await officer.datasets.grantAccess({ datasetId: own.datasetId, userId: world.users.engineer.id });
  tunedId = await fineTuned(world.users.engineer, mailVersionId, baseId, "base/mail");
  retunedId = await fineTuned(world.users.engineer, ownVersionId, tunedId, "base/mail/own");
});

const asOutsider = () => callerAs(world.db, outsider);
const asEngineer = () => callerAs(world.db, world.users.engineer);
const notFound = { code: "NOT_FOUND", message: "No such model version." };

describe("a model version follows its data's access", () => {
  it("models.list leaves out the versions, and families, whose chain the engineer may not see; no storage paths", async () => {
    const list = await asOutsider().models.list();
    expect(list.map((f) => f.name)).toEqual(["base"]);
    expect(list.flatMap((f) => f.versions.map((v) => v.id))).toEqual([baseId]);
    const granted = await asEngineer().models.list();
    expect(granted.flatMap((f) => f.versions.map((v) => v.id)).sort()).toEqual([baseId, tunedId, retunedId].sort());
    for (const v of granted.flatMap((f) => f.versions)) {
      expect(Object.keys(v).sort()).toEqual(["createdAt", "familyId", "id", "kind", "parentVersionId", "runId", "status", "version", "weightsDigest"]);
    }
    expect(JSON.stringify(granted)).not.toMatch(/weightsPath|runs\/|models\//);
  });

  it("models.get answers NOT_FOUND, as for a version that does not exist; no storage paths for those who may", async () => {
    expect(await refusal(asOutsider().models.get({ versionId: tunedId }))).toEqual(notFound);
    expect(await refusal(asOutsider().models.get({ versionId: retunedId }))).toEqual(notFound);
    expect(await refusal(asOutsider().models.get({ versionId: randomUUID() }))).toEqual(notFound);
    expect((await asOutsider().models.get({ versionId: baseId })).version.id).toBe(baseId);
    const detail = await asEngineer().models.get({ versionId: retunedId });
    expect(detail.lineage.map((v) => v.id)).toEqual([retunedId, tunedId, baseId]);
    expect(JSON.stringify(detail)).not.toMatch(/weightsPath|runs\/|models\//);
    expect((await callerAs(world.db, world.users.auditor).models.get({ versionId: retunedId })).guarantees).toHaveLength(2);
  });

  it("disclosure.get answers NOT_FOUND", async () => {
    expect(await refusal(asOutsider().disclosure.get({ versionId: tunedId }))).toEqual(notFound);
    expect(await refusal(asOutsider().disclosure.get({ versionId: retunedId }))).toEqual(notFound);
    expect((await asEngineer().disclosure.get({ versionId: retunedId })).lineages.map((l) => l.datasetName).sort()).toEqual(["mail", "own"]);
  });

  it("runs.options offers only the versions the engineer may see", async () => {
    expect((await asOutsider().runs.options()).modelVersions.map((m) => m.id)).toEqual([baseId]);
    expect((await asEngineer().runs.options()).modelVersions.map((m) => m.id).sort()).toEqual([baseId, tunedId, retunedId].sort());
  });

  it("runs.preview answers NOT_FOUND for such a base model", async () => {
    for (const base of [tunedId, retunedId]) {
      expect(await refusal(asOutsider().runs.preview(runRequest(ownVersionId, base)))).toEqual(notFound);
    }
    expect((await asOutsider().runs.preview(runRequest(ownVersionId, baseId))).refusal).toBeNull();
  });

  it("runs.launch answers NOT_FOUND for such a base model and changes nothing", async () => {
    const before = await snapshot(world.db);
    for (const base of [tunedId, retunedId]) {
      expect(await refusal(asOutsider().runs.launch(runRequest(ownVersionId, base)))).toEqual(notFound);
    }
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("runs.resume answers NOT_FOUND once the engineer may no longer see the run's base model, and changes nothing", async () => {
    const { runId } = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), runRequest(ownVersionId, tunedId));
    await transaction(world.db, async (tx) => {
      await tx.update(runs).set({ status: "interrupted", chargedSteps: 10 }).where(eq(runs.id, runId));
    });
    await callerAs(world.db, world.users.privacy_officer).datasets.revokeAccess({ datasetId: mailId, userId: world.users.engineer.id });
    const before = await snapshot(world.db);
    expect(await refusal(asEngineer().runs.resume({ runId }))).toEqual(notFound);
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("the weights download answers 404, not 403", async () => {
    const download = (user: SessionUser, versionId: string) => handleWeightsDownload({ db: world.db, user }, versionId, "/nonexistent");
    for (const versionId of [tunedId, retunedId]) {
      const res = await download(outsider, versionId);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { message: "No such model version." } });
    }
    // Those who may see it get as far as the (here missing) file.
    expect(await (await download(world.users.engineer, retunedId)).json()).toMatchObject({ error: { message: "The weights file is missing." } });
  });
});
