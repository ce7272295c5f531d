// The runs list: a page at a time, newest first, with the total; engineers see only the runs on datasets granted to them.
import { expect, it } from "vitest";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { TEST_PASSWORD, callerAs, ingestedVersion, refusal, registerTestBaseModel, runRequest, testWorld } from "../testing";
import { createUser } from "../users/service";
import { launchRun } from "./service";

it("pages the runs newest first, counting only those the user may see", async () => {
  const world = await testWorld();
  const { engineer, privacy_officer: officer, auditor } = world.users;
  const other = { ...(await createUser(world.db, SYSTEM_ACTOR, { email: "other@test.example", name: "Other", role: "engineer", password: TEST_PASSWORD })), role: "engineer" as const };
  const base = await registerTestBaseModel(world.db);
  const launched: Record<string, string[]> = {};
  for (const owner of [engineer, other]) {
    const version = await registerUpload(world.db, owner, actorOf(owner), { name: `of ${owner.email}` }, ingestedVersion());
    await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon: 100, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
    launched[owner.id] = [];
    for (let i = 0; i < (owner === engineer ? 5 : 2); i++) {
      launched[owner.id]!.push((await launchRun(world.db, owner, actorOf(owner), runRequest(version.id, base.id, { length: { by: "steps", steps: 10 } }))).runId);
    }
  }
  const list = callerAs(world.db, engineer).runs.list;
  const all = (await list({ pageSize: 200 })).runs;
  expect(all.map((r) => r.id).sort()).toEqual([...launched[engineer.id]!].sort());
  expect(all.map((r) => r.createdAt)).toEqual(all.map((r) => r.createdAt).sort().reverse()); // newest first
  // Pages of two split that list in its order (runs launched in the same millisecond too).
  const pages = [];
  for (let page = 1; page <= 4; page++) pages.push(await list({ page, pageSize: 2 }));
  expect(pages.map((p) => [p.page, p.pageSize, p.total, p.runs.length])).toEqual([[1, 2, 5, 2], [2, 2, 5, 2], [3, 2, 5, 1], [4, 2, 5, 0]]);
  expect(pages.flatMap((p) => p.runs.map((r) => r.id))).toEqual(all.map((r) => r.id));
  // Without input: the first page of 50.
  expect(await list()).toMatchObject({ total: 5, page: 1, pageSize: 50 });
  expect((await callerAs(world.db, other).runs.list()).runs.map((r) => r.id).sort()).toEqual([...launched[other.id]!].sort());
  for (const overseer of [officer, auditor]) expect((await callerAs(world.db, overseer).runs.list({ pageSize: 200 })).total).toBe(7);
  expect((await refusal(list({ page: 0 }))).code).toBe("BAD_REQUEST");
  expect((await refusal(list({ pageSize: 201 }))).code).toBe("BAD_REQUEST");
});
