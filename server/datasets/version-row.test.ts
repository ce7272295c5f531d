// A version's dataset, remembered once read: a launch's reads then go out at once, with the same refusals as before.
import { expect, it } from "vitest";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import { setBudget } from "../budgets/service";
import { TEST_PASSWORD, callerAs, ingestedVersion, refusal, registerTestBaseModel, runRequest, testWorld } from "../testing";
import { createUser } from "../users/service";
import { registerUpload } from "./service";
import { datasetVersionById, knownDatasetOf } from "./version-row";

it("remembers the dataset of a version once read, and a launch by someone without access is still 'no such version'", async () => {
  const world = await testWorld();
  const { engineer, privacy_officer: officer } = world.users;
  const version = await registerUpload(world.db, engineer, actorOf(engineer), { name: "remembered" }, ingestedVersion());
  await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon: 8, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const base = await registerTestBaseModel(world.db);
  expect(knownDatasetOf(version.id)).toBeUndefined();
  expect(await datasetVersionById(world.db, crypto.randomUUID())).toBeUndefined();
  const request = runRequest(version.id, base.id);
  const first = await callerAs(world.db, engineer).runs.preview(request);
  expect(knownDatasetOf(version.id)).toBe(version.datasetId);
  // The second preview reads everything at once, and answers the same.
  expect(await callerAs(world.db, engineer).runs.preview(request)).toEqual(first);
  const outsider = await createUser(world.db, SYSTEM_ACTOR, { email: "outsider@test.example", name: "O", role: "engineer", password: TEST_PASSWORD });
  const theirs = callerAs(world.db, { ...outsider, role: "engineer" });
  expect(await refusal(theirs.runs.preview(request))).toEqual({ code: "NOT_FOUND", message: "No such dataset version." });
  expect(await refusal(theirs.runs.launch(request))).toEqual({ code: "NOT_FOUND", message: "No such dataset version." });
});
