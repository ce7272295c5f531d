// The spend breakdown on a real database: the entries' shares add up to the composed epsilon (less than the naive
// sum), runs are attributed to the model versions they produced, and a version the caller may not see is not named.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { runs } from "../../db/schema";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, refusal, registerTestBaseModel, registerTestFineTuned, runRequest, testWorld, type TestWorld } from "../testing";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const as = (role: keyof TestWorld["users"]) => callerAs(world.db, world.users[role]);

describe("spend.breakdown", () => {
  it("splits the composed epsilon by run and by model version, naming only versions the caller may see", async () => {
    const user = world.users.engineer;
    const notes = await registerUpload(world.db, user, actorOf(user), { name: "notes" }, ingestedVersion({ recordCount: 100_000, subjectCount: 100_000 }));
    const other = await registerUpload(world.db, user, actorOf(user), { name: "other" }, ingestedVersion({ recordCount: 100_000, subjectCount: 100_000 }));
    const base = await registerTestBaseModel(world.db);
    expect(await as("engineer").spend.breakdown({ datasetId: notes.datasetId })).toBeNull();
    for (const d of [notes, other]) {
      await as("privacy_officer").budgets.set({ datasetId: d.datasetId, epsilon: 50, delta: 1e-6, privacyUnit: "record", renewsOn: "2099-01-01" });
    }
    // A version fine-tuned on "other", then one on "notes" from it, and a second run on "notes" without a version.
    const onOther = await registerTestFineTuned(world.db, { familyName: "base/other", parentVersionId: base.id, datasetVersionId: other.id, runId: await as("engineer").runs.launch(runRequest(other.id, base.id)) });
    const first = await as("engineer").runs.launch(runRequest(notes.id, onOther.id));
    const fromBoth = await registerTestFineTuned(world.db, { familyName: "base/notes", parentVersionId: onOther.id, datasetVersionId: notes.id, runId: first });
    await transaction(world.db, async (tx) => void (await tx.update(runs).set({ resultModelVersionId: fromBoth.id }).where(eq(runs.id, first))));
    await as("engineer").runs.launch(runRequest(notes.id, base.id));

    const seen = (await as("privacy_officer").spend.breakdown({ datasetId: notes.datasetId }))!;
    expect(seen.entries.map((e) => [e.kind, e.launchedBy, e.modelVersion?.label ?? null])).toEqual([
      ["run", user.email, "base/notes v1"],
      ["run", user.email, null],
    ]);
    const total = seen.entries.reduce((sum, e) => sum + e.share, 0);
    expect(total).toBeCloseTo(seen.epsilon, 12);
    expect(seen.epsilon).toBeLessThan(seen.entries.reduce((sum, e) => sum + e.epsilonAlone, 0));
    expect(seen.byModelVersion).toEqual([{ modelVersion: { id: fromBoth.id, label: "base/notes v1", status: "draft" }, runs: 1, share: seen.entries[0]!.share }]);
    expect(seen.elsewhere).toBeCloseTo(seen.entries[1]!.share, 12);

    // An engineer with access to "notes" only: the version (built on "other") is counted, not named.
    const outsider = await as("admin").users.create({ email: "e2@test.example", name: "E2", role: "engineer", password: "a long enough secret" });
    await as("privacy_officer").datasets.grantAccess({ datasetId: notes.datasetId, userId: outsider.id });
    const theirs = (await callerAs(world.db, { id: outsider.id, email: outsider.email, name: outsider.name, role: "engineer" }).spend.breakdown({ datasetId: notes.datasetId }))!;
    expect(theirs.entries[0]).toMatchObject({ modelVersion: null, hiddenModelVersion: true });
    expect(theirs.byModelVersion).toEqual([]);
    expect(JSON.stringify(theirs)).not.toContain(fromBoth.id);
    // And a dataset they may not see is NOT_FOUND.
    expect((await refusal(callerAs(world.db, { id: outsider.id, email: outsider.email, name: outsider.name, role: "engineer" }).spend.breakdown({ datasetId: other.datasetId }))).code).toBe("NOT_FOUND");
  });
});
