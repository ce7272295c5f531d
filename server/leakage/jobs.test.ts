// When leakage evidence raises the alarm: a one-run lower bound above the accountant's epsilon, or attribute inference
// beyond what it allows, is critical in any evaluation; drift thresholds apply to probes. Probes are scheduled for deployed versions when they are due.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { leakageReports, modelVersions } from "../../db/schema";
import { callerAs, finishedRunVersion, testWorld, type TestWorld } from "../testing";
import { attributeInference } from "./attribute-inference";
import { alerts, scheduleDriftProbes } from "./jobs";
import { storedLeakage as stored } from "./testing";

const hits = (k: number, n: number) => Array.from({ length: n }, (_, i) => i < k);
const thresholds = { modelVersionId: "v", maxAuc: 0.6, maxExposure: 10, maxPiiPer1000: 5, intervalMinutes: 60, setBy: "u", updatedAt: "" };

describe("alerts", () => {
  it("is critical when the audit's lower bound exceeds the accountant's epsilon, whatever the kind", () => {
    expect(alerts(stored(2.5, 0.5, [1], 0), undefined, "post_training").critical).toHaveLength(1);
    expect(alerts(stored(1.5, 0.5, [1], 0), undefined, "post_training")).toEqual({ critical: [], drift: [] });
  });

  it("is critical when attribute inference goes beyond what the guarantee allows, and quiet when it does not", () => {
    const withAttribute = (epsilon: number) => {
      const s = stored(0, 0.5, [1], 0);
      const guarantee = { epsilon, delta: 1e-5, group_size: 1 };
      return { ...s, leakage: { ...s.leakage, attribute_inference: attributeInference(hits(30, 50), hits(5, 50), guarantee) } };
    };
    expect(alerts(withAttribute(0.1), undefined, "post_training").critical).toEqual([
      "attribute inference completed 30 of 50 training subjects' attributes against 5 of 50 held-out subjects', beyond what ε = 0.100 per subject allows even at the 95% intervals' ends",
    ]);
    expect(alerts(withAttribute(1), undefined, "post_training").critical).toEqual([]);
  });

  it("raises drift alerts on probes that cross a threshold, and only on probes", () => {
    const crossing = stored(0, 0.7, [12, 14], 10);
    expect(alerts(crossing, thresholds, "drift_probe").drift).toEqual([
      "membership AUC 0.700 > 0.6",
      "mean canary exposure 13.00 bits > 10",
      "10.0 PII per 1000 outputs > 5",
    ]);
    expect(alerts(crossing, thresholds, "on_demand").drift).toEqual([]);
  });
});

describe("scheduled probes", () => {
  let world: TestWorld;
  let versionId: string;
  beforeEach(async () => {
    world = await testWorld();
    const officer = world.users.privacy_officer;
    versionId = (await finishedRunVersion(world, { space: "code {ddd}", m: 4, repeats: 1, k_plus: 1, k_minus: 1, confidence: 0.95 })).versionId;
    await callerAs(world.db, officer).leakage.setThresholds({ versionId, maxAuc: 0.6, maxExposure: 10, maxPiiPer1000: 5, intervalMinutes: 60 });
  });

  it("probes deployed versions when due, once at a time", async () => {
    const probes = () => world.db.select().from(leakageReports).where(eq(leakageReports.kind, "drift_probe"));
    expect(await scheduleDriftProbes(world.db)).toBe(0); // not deployed
    await transaction(world.db, async (tx) => {
      await tx.update(modelVersions).set({ status: "deployed" }).where(eq(modelVersions.id, versionId));
    });
    expect(await scheduleDriftProbes(world.db)).toBe(1);
    expect(await scheduleDriftProbes(world.db)).toBe(0); // one is waiting
    await transaction(world.db, async (tx) => {
      await tx.update(leakageReports).set({ status: "done" });
    });
    expect(await scheduleDriftProbes(world.db, Date.now() + 30 * 60_000)).toBe(0); // not due yet
    expect(await scheduleDriftProbes(world.db, Date.now() + 61 * 60_000)).toBe(1);
    expect(await probes()).toHaveLength(2);
  });

  it("queues one probe when several runners find a version due at the same moment", async () => {
    await transaction(world.db, async (tx) => {
      await tx.update(modelVersions).set({ status: "deployed" }).where(eq(modelVersions.id, versionId));
    });
    const queued = await Promise.all(Array.from({ length: 4 }, () => scheduleDriftProbes(world.db)));
    expect(queued.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await world.db.select().from(leakageReports).where(eq(leakageReports.kind, "drift_probe"))).toHaveLength(1);
  });
});
