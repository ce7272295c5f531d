// A model version's stated epsilon covers the choice that made it: every run on its lineage launched before its
// registration (a sweep) composed, with its own chain's epsilon beside it; runs launched later are not in it.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { runs } from "../../db/schema";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { lineageSpend } from "../budgets/ledger";
import { launchRun } from "../runs/service";
import { callerAs, registerTestFineTuned, runRequest, worldWithDataset, type TestWorld } from "../testing";

const rdp = createAccountant("rdp");
let world: TestWorld;
let datasetId: string;
let versionId: string;
let baseId: string;

beforeEach(async () => {
  ({ world, datasetId, versionId, baseId } = await worldWithDataset("mail"));
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId, epsilon: 50, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
});

/** A run launched and (as the runner would record it) finished with all its planned steps charged. */
async function finishedRun(noiseMultiplier: number): Promise<string> {
  const engineer = world.users.engineer;
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(versionId, baseId, { privacy: { mode: "noise_multiplier", noiseMultiplier } }));
  await transaction(world.db, async (tx) => {
    await tx.update(runs).set({ status: "finished", chargedSteps: 1000 }).where(eq(runs.id, runId));
  });
  return runId;
}

const pause = () => new Promise((r) => setTimeout(r, 5));

describe("a version's guarantee", () => {
  it("composes every run of the sweep it was chosen from, gives its own run's epsilon beside it, and leaves later runs out", async () => {
    const sweep = [await finishedRun(1), await finishedRun(1.5), await finishedRun(2)];
    await pause();
    const chosen = await registerTestFineTuned(world.db, { familyName: "base/mail", parentVersionId: baseId, datasetVersionId: versionId, runId: sweep[1]! });
    const spentAtRegistration = (await lineageSpend(world.db, datasetId, 1e-5)).epsilon;
    await pause();
    const later = await finishedRun(1);

    const { guarantees } = await callerAs(world.db, world.users.auditor).models.get({ versionId: chosen.id });
    expect(guarantees).toHaveLength(1);
    const g = guarantees[0]!;
    const sweepEpsilon = rdp.epsilon({ type: "composed", events: [1, 1.5, 2].map((s) => dpSgdEvent(0.01, s, 1000)) }, 1e-5);
    expect(g.epsilon).toBeCloseTo(sweepEpsilon, 10);
    // Registering one run of a sweep is no way to spend less than the sweep spent.
    expect(g.epsilon).toBeCloseTo(spentAtRegistration, 10);
    expect(g.ownEpsilon).toBeCloseTo(rdp.epsilon(dpSgdEvent(0.01, 1.5, 1000), 1e-5), 10);
    expect(g.ownEpsilon).toBeLessThan(g.epsilon);
    expect(g.epsilon).toBeLessThan(g.naiveEpsilonSum); // composed, not added
    expect(g.runs.map((r) => [r.runId, r.inChain])).toEqual(sweep.map((id) => [id, id === sweep[1]]));
    expect(g.runs.map((r) => r.runId)).not.toContain(later);
    expect((await lineageSpend(world.db, datasetId, 1e-5)).epsilon).toBeGreaterThan(g.epsilon);
  });
});
