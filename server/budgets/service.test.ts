// Setting budgets on a real database: delta below 1/N of the lineage's units unless an officer records why not,
// subject-level only where the data names its subjects, and the person-level figure stated for the officer's k.
import { desc, eq } from "drizzle-orm";
import { first } from "../../db/client";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, budgets } from "../../db/schema";
import { actorOf } from "../actor";
import { inputDigest, verifyChain } from "../audit/service";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, registerTestBaseModel, runRequest, refusal, snapshot, testWorld, type TestWorld } from "../testing";
import { deltaBound, deltaRefusal, lineageUnitCounts, subjectFieldRefusal } from "./delta-bound";

let world: TestWorld;

beforeEach(async () => {
  world = await testWorld();
});

const officer = () => callerAs(world.db, world.users.privacy_officer);
const engineer = () => callerAs(world.db, world.users.engineer);
const RENEWS_ON = "2099-01-01";

function upload(overrides: Parameters<typeof ingestedVersion>[0], target: { name: string } | { datasetId: string } = { name: "notes" }) {
  const user = world.users.engineer;
  return registerUpload(world.db, user, actorOf(user), target, ingestedVersion(overrides));
}

const storedBudget = (datasetId: string) => first(world.db.select().from(budgets).where(eq(budgets.datasetId, datasetId)));
const lastAudit = async () => (await first(world.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1)))!;

describe("delta below 1/N", () => {
  it("refuses a delta at or above 1/N, naming the bound, and changes nothing", async () => {
    const { datasetId } = await upload({ recordCount: 1234, subjectCount: 1234 });
    await officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON });
    const before = await snapshot(world.db);
    for (const delta of [1 / 1234, 9e-4, 0.005]) {
      const err = await refusal(officer().budgets.set({ datasetId, epsilon: 3, delta, privacyUnit: "record", renewsOn: RENEWS_ON }));
      expect(err).toEqual({
        code: "BAD_REQUEST",
        message:
          "delta must be below 1/N = 1/1234 ≈ 8.10e-4 for this dataset's 1234 records (smaller is safer); a privacy officer may override with a recorded reason.",
      });
    }
    expect(await snapshot(world.db)).toEqual(before);
    expect((await storedBudget(datasetId))!.delta).toBe(1e-5);
  });

  it("accepts the same delta with an officer's override reason, stores it and audits it; a delta below 1/N clears it", async () => {
    const { datasetId } = await upload({ recordCount: 1234, subjectCount: 1234 });
    const input = {
      datasetId,
      epsilon: 3,
      delta: 1e-3,
      privacyUnit: "record" as const,
      renewsOn: RENEWS_ON,
      deltaOverrideReason: "  public-record corpus; DPIA 2026-14 accepts delta 1e-3  ",
    };
    const budget = await officer().budgets.set(input);
    const reason = "public-record corpus; DPIA 2026-14 accepts delta 1e-3";
    expect(budget).toMatchObject({ delta: 1e-3, deltaOverrideReason: reason, recordsPerPersonBound: 1 });
    expect((await storedBudget(datasetId))!.deltaOverrideReason).toBe(reason);
    const entry = await lastAudit();
    expect(entry).toMatchObject({ action: "budget.set", entityId: datasetId, actorId: world.users.privacy_officer.id });
    expect(entry.inputDigest).toBe(inputDigest({ ...input, deltaOverrideReason: reason, recordsPerPersonBound: 1 }));
    expect(entry.inputDigest).not.toBe(inputDigest({ ...input, deltaOverrideReason: undefined, recordsPerPersonBound: 1 }));

    await officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON, deltaOverrideReason: reason });
    expect(await storedBudget(datasetId)).toMatchObject({ delta: 1e-5, deltaOverrideReason: null });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("wants an override reason of at least 10 characters", async () => {
    const { datasetId } = await upload({ recordCount: 1234, subjectCount: 1234 });
    const before = await snapshot(world.db);
    const err = await refusal(
      officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-3, privacyUnit: "record", renewsOn: RENEWS_ON, deltaOverrideReason: "   because   " }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("counts subjects for a subject-level budget, and takes the largest version of the lineage", async () => {
    const { datasetId } = await upload({ subjectField: "patient", recordCount: 10_000, subjectCount: 2_000, maxRecordsPerSubject: 9 });
    expect((await lineageUnitCounts(world.db, datasetId)).record).toBe(10_000);
    expect((await lineageUnitCounts(world.db, datasetId)).subject).toBe(2_000);
    expect(deltaBound(2_000)).toBe(5e-4);
    expect((await refusal(officer().budgets.set({ datasetId, epsilon: 3, delta: 2e-4, privacyUnit: "record", renewsOn: RENEWS_ON }))).message).toContain(
      "1/N = 1/10000 ≈ 1.00e-4 for this dataset's 10000 records",
    );
    const budget = await officer().budgets.set({ datasetId, epsilon: 3, delta: 2e-4, privacyUnit: "subject", renewsOn: RENEWS_ON });
    expect(await deltaRefusal(world.db, datasetId, budget)).toBeNull();

    // A later, bigger version makes the stored delta too large: launch checks it again with deltaRefusal.
    await upload({ subjectField: "patient", recordCount: 40_000, subjectCount: 8_000, maxRecordsPerSubject: 9 }, { datasetId });
    expect((await lineageUnitCounts(world.db, datasetId)).subject).toBe(8_000);
    expect(await deltaRefusal(world.db, datasetId, budget)).toBe(
      "delta must be below 1/N = 1/8000 ≈ 1.25e-4 for this dataset's 8000 subjects (smaller is safer); a privacy officer may override with a recorded reason.",
    );
    expect(await deltaRefusal(world.db, datasetId, { ...budget, deltaOverrideReason: "accepted for this lineage by the DPO" })).toBeNull();
  });
});

describe("subject-level budgets need a subject field", () => {
  it("refuses a subject-level budget on a dataset without a subject field, and changes nothing", async () => {
    const { datasetId } = await upload({ subjectField: null });
    const before = await snapshot(world.db);
    const err = await refusal(officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "subject", renewsOn: RENEWS_ON }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/^This dataset has no subject field, so it cannot have a subject-level budget: version 1 was uploaded without/);
    expect(await snapshot(world.db)).toEqual(before);
    // Record-level is fine.
    await officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON });
  });

  it("refuses when any version of the lineage lacks one; a single version is judged on its own", async () => {
    const v1 = await upload({ subjectField: "patient" });
    const v2 = await upload({ subjectField: null }, { datasetId: v1.datasetId });
    expect(await subjectFieldRefusal(world.db, { datasetId: v1.datasetId }, "record")).toBeNull();
    expect(await subjectFieldRefusal(world.db, { datasetId: v1.datasetId }, "subject")).toMatch(/: version 2 was uploaded without a subject id field/);
    expect(await subjectFieldRefusal(world.db, { datasetVersionId: v1.id }, "subject")).toBeNull();
    expect(await subjectFieldRefusal(world.db, { datasetVersionId: v2.id }, "subject")).toMatch(
      /^This dataset version has no subject field, so it cannot be trained on at subject level: version 2/,
    );
    const before = await snapshot(world.db);
    expect((await refusal(officer().budgets.set({ datasetId: v1.datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "subject", renewsOn: RENEWS_ON }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(await snapshot(world.db)).toEqual(before);
  });
});

describe("the person-level figure", () => {
  it("is stated for the budget's k, never the observed maximum, which is internal", async () => {
    const version = await upload({ subjectField: "patient", recordCount: 10_000, subjectCount: 2_000, maxRecordsPerSubject: 9 });
    const datasetId = version.datasetId;
    const baseId = (await registerTestBaseModel(world.db)).id;
    await officer().budgets.set({ datasetId, epsilon: 20, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON, recordsPerPersonBound: 3 });
    await engineer().runs.launch(runRequest(version.id, baseId, { batch: { by: "expected_batch_size", expectedBatchSize: 100 } }));

    const status = await engineer().budgets.status({ datasetId });
    expect(status.budget!.recordsPerPersonBound).toBe(3);
    expect(status.spend!.epsilon).toBeGreaterThan(0);
    expect(status.personLevel!.epsilon).toBeCloseTo(3 * status.spend!.epsilon, 10);
    expect(status.internal).toEqual({ observedMaxRecordsPerSubject: 9, exceedsBound: true });

    await officer().budgets.set({ datasetId, epsilon: 20, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON });
    const atOne = await engineer().budgets.status({ datasetId });
    expect(atOne.budget!.recordsPerPersonBound).toBe(1);
    expect(atOne.personLevel).toBeNull();

    await officer().budgets.set({ datasetId, epsilon: 20, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON, recordsPerPersonBound: 12 });
    const atTwelve = await engineer().budgets.status({ datasetId });
    expect(atTwelve.personLevel!.epsilon).toBeCloseTo(12 * atTwelve.spend!.epsilon, 10);
    expect(atTwelve.internal).toEqual({ observedMaxRecordsPerSubject: 9, exceedsBound: false });
  });

  it("bounds k between 1 and 10000", async () => {
    const { datasetId } = await upload({});
    for (const k of [0, 10_001, 2.5]) {
      const err = await refusal(officer().budgets.set({ datasetId, epsilon: 3, delta: 1e-5, privacyUnit: "record", renewsOn: RENEWS_ON, recordsPerPersonBound: k }));
      expect(err.code).toBe("BAD_REQUEST");
    }
  });
});
