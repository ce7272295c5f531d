// The Budgets page's figures, read in bulk: each visible lineage's figures are those of its own status and of the
// composition of its events, an engineer sees only the lineages granted to them, and a lineage without stored curves
// has them built from its events.
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { transaction } from "../../db/client";
import { lineageCurves } from "../../db/schema";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { TEST_PASSWORD, callerAs, ingestedVersion, registerTestBaseModel, runRequest, testWorld } from "../testing";
import { createUser } from "../users/service";
import { lineageSpend } from "./ledger";
import { setBudget } from "./service";

it("gives each visible lineage the figures of its own status and of its events' composition", async () => {
  const world = await testWorld();
  const { engineer, privacy_officer: officer, auditor } = world.users;
  const other = { ...(await createUser(world.db, SYSTEM_ACTOR, { email: "other@test.example", name: "Other", role: "engineer", password: TEST_PASSWORD })), role: "engineer" as const };
  const base = await registerTestBaseModel(world.db);
  const lineages: { datasetId: string; owner: typeof engineer }[] = [];
  for (const [owner, name, epsilon, runs] of [[engineer, "mine", 6, 2], [other, "theirs", 9, 3], [engineer, "unbudgeted", 0, 0]] as const) {
    const version = await registerUpload(world.db, owner, actorOf(owner), { name }, ingestedVersion());
    lineages.push({ datasetId: version.datasetId, owner });
    if (epsilon === 0) continue;
    await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
    for (let i = 0; i < runs; i++) await launchRun(world.db, owner, actorOf(owner), runRequest(version.id, base.id, { length: { by: "steps", steps: 50 * (i + 1) } }));
  }
  // The second lineage's curves are gone, as in a database from before them: they are built from its events.
  await transaction(world.db, async (tx) => void (await tx.delete(lineageCurves).where(eq(lineageCurves.datasetId, lineages[1]!.datasetId))));

  const overview = async (user: typeof engineer) => callerAs(world.db, user).budgets.overview();
  expect((await overview(engineer)).map((s) => s.dataset.name).sort()).toEqual(["mine", "unbudgeted"]);
  expect((await overview(other)).map((s) => s.dataset.name)).toEqual(["theirs"]);
  for (const user of [officer, auditor]) {
    const all = await overview(user);
    expect(all.map((s) => s.dataset.name).sort()).toEqual(["mine", "theirs", "unbudgeted"]);
    for (const status of all) {
      expect(status).toEqual(await callerAs(world.db, user).budgets.status({ datasetId: status.dataset.id }));
      if (!status.spend) {
        expect(status).toMatchObject({ dataset: { name: "unbudgeted" }, budget: null, requests: [] });
        continue;
      }
      const events = await lineageSpend(world.db, status.dataset.id, 1e-5);
      for (const key of ["epsilon", "chargedEpsilon", "naiveEpsilonSum"] as const) {
        expect({ lineage: status.dataset.name, key, off: Math.abs(status.spend[key] - events[key]) <= 1e-9 * Math.max(events[key], 1e-12) }).toEqual({
          lineage: status.dataset.name,
          key,
          off: true,
        });
      }
      expect(status.spend.epsilon).toBeGreaterThan(0);
      expect(status.leftEpsilon).toBeCloseTo(status.budget!.epsilon - events.epsilon, 9);
    }
  }
});
