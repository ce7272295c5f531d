// Shared by the lineage-curve tests: a world with a budgeted dataset, and the stored curves (as written, without the
// read path's catching up) against those recomputed from the events.
import { eq } from "drizzle-orm";
import { first } from "../../db/client";
import { createTestDatabase, type DatabaseTarget } from "../../db/open";
import { ROLES, lineageCurves, type Role } from "../../db/schema";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import type { SessionUser } from "../context";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { TEST_PASSWORD, callerAs, ingestedVersion, registerTestBaseModel, runRequest, type TestWorld } from "../testing";
import { createUser } from "../users/service";
import { LEDGER_ORDERS_DIGEST, decodeCurve, type LineageCurves } from "./curve-math";
import { compareCurves, type CurveMismatch } from "./curve-verify";
import { lineageEntries } from "./ledger";

export const DELTA = 1e-5;

/** A fresh test database (with its target, for another process), one user per role, a dataset with a budget. */
export async function budgetedWorld(name: string, epsilon = 100) {
  const { db, target } = await createTestDatabase();
  const users = {} as Record<Role, SessionUser>;
  for (const role of ROLES) {
    const u = await createUser(db, SYSTEM_ACTOR, { email: `${role}@test.example`, name: role, role, password: TEST_PASSWORD });
    users[role] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
  const world: TestWorld = { db, users };
  const version = await registerUpload(db, users.engineer, actorOf(users.engineer), { name }, ingestedVersion({ recordCount: 10_000, subjectCount: 2_000 }));
  const w = { world, target: target as DatabaseTarget, datasetId: version.datasetId, versionId: version.id, baseId: (await registerTestBaseModel(db)).id };
  await callerAs(w.world.db, w.world.users.privacy_officer).budgets.set({ datasetId: w.datasetId, epsilon, delta: DELTA, privacyUnit: "record", renewsOn: "2099-01-01" });
  const launch = async (steps: number, noiseMultiplier = 1, samplingRate = 0.01) => {
    const request = runRequest(w.versionId, w.baseId, {
      privacy: { mode: "noise_multiplier", noiseMultiplier },
      batch: { by: "sampling_rate", samplingRate },
      length: { by: "steps", steps },
    });
    return (await launchRun(w.world.db, w.world.users.engineer, actorOf(w.world.users.engineer), request)).runId;
  };
  return { ...w, launch };
}

/** The curves exactly as stored in the lineage's row (null when there is none at the ledger's orders). */
export async function storedCurves(db: Parameters<typeof lineageEntries>[0], datasetId: string): Promise<LineageCurves | null> {
  const row = await first(db.select().from(lineageCurves).where(eq(lineageCurves.datasetId, datasetId)));
  if (!row || row.ordersDigest !== LEDGER_ORDERS_DIGEST) return null;
  return { reserved: decodeCurve(row.reserved), charged: decodeCurve(row.charged) };
}

/** Where the stored curves differ from the events' composition ("no stored curve" when there is none). */
export async function storedMismatches(db: Parameters<typeof lineageEntries>[0], datasetId: string): Promise<CurveMismatch[] | "no stored curve"> {
  const stored = await storedCurves(db, datasetId);
  return stored ? compareCurves(datasetId, stored, await lineageEntries(db, datasetId), DELTA) : "no stored curve";
}
