// Launching runs against a budget: the projection, the refusal of overspending runs, reservations that make a second
// launch fail when only one fits, composition (never addition) across runs, and expiry, unit and access rules.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { budgets, runs } from "../../db/schema";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { listAudit, verifyChain } from "../audit/service";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, runRequest, refusal, snapshot, worldWithDataset, type TestWorld } from "../testing";
import type { RunRequest } from "./run-request";

let world: TestWorld;
let datasetId: string;
let versionId: string;
let baseId: string;

beforeEach(async () => {
  ({ world, datasetId, versionId, baseId } = await worldWithDataset("support-mail", { subjectField: "patient", recordCount: 10_000, subjectCount: 2_000, maxRecordsPerSubject: 9 }));
});

const officer = () => callerAs(world.db, world.users.privacy_officer);
const engineer = () => callerAs(world.db, world.users.engineer);

function setBudget(epsilon: number, privacyUnit: "record" | "subject" = "record") {
  return officer().budgets.set({ datasetId, epsilon, delta: 1e-5, privacyUnit, renewsOn: "2099-01-01" });
}

function request(overrides: Partial<RunRequest> = {}): RunRequest {
  return runRequest(versionId, baseId, { batch: { by: "expected_batch_size", expectedBatchSize: 100 }, ...overrides });
}

const rdp = createAccountant("rdp");

describe("launching runs", () => {
  it("refuses a target epsilon no noise reaches as a bad request naming the bound, and launches nothing", async () => {
    await setBudget(8);
    const unreachable = request({ privacy: { mode: "target_epsilon", targetEpsilon: 0.001 } });
    const before = await snapshot(world.db);
    for (const call of [() => engineer().runs.preview(unreachable), () => engineer().runs.launch(unreachable)]) {
      const r = await refusal(call());
      expect(r.code).toBe("BAD_REQUEST");
      expect(r.message).toMatch(/Target epsilon 0\.001 cannot be reached .*no noise multiplier up to 10000/);
    }
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("projects the run's epsilon with the accountant and the budget left", async () => {
    await setBudget(8);
    const p = await engineer().runs.preview(request());
    expect(p.samplingRate).toBeCloseTo(0.01, 12);
    expect(p.steps).toBe(1000);
    expect(p.runEpsilon).toBeCloseTo(rdp.epsilon(dpSgdEvent(0.01, 1, 1000), 1e-5), 10);
    expect(p).toMatchObject({ spentEpsilon: 0, leftEpsilon: 8, refusal: null, privacyUnit: "record" });
  });

  it("calibrates sigma for a target epsilon and converts epochs to steps", async () => {
    await setBudget(8);
    const p = await engineer().runs.preview(request({ privacy: { mode: "target_epsilon", targetEpsilon: 2 }, length: { by: "epochs", epochs: 3 } }));
    expect(p.steps).toBe(300);
    expect(p.runEpsilon).toBeLessThanOrEqual(2);
    expect(p.runEpsilon).toBeGreaterThan(1.95);
  });

  it("estimates the trainer's memory and the run's time, and refuses a run that cannot fit before anything is reserved", async () => {
    await setBudget(8, "subject");
    const fits = await engineer().runs.preview(request({ privacyUnit: "subject", maxRecordsPerSubject: 8, length: { by: "steps", steps: 100 } }));
    expect(fits.refusal).toBeNull();
    expect(fits.estimate.recordsPerUnit).toBe(8);
    expect(fits.estimate.microBatch).toBeGreaterThanOrEqual(1);
    expect(fits.estimate.peakBytes).toBeLessThanOrEqual(fits.estimate.usableBytes);
    expect(fits.estimate.seconds).toBeGreaterThan(5);

    // One person with 500 records, all of them in a step, full fine-tuning of the demo-sized model: cannot fit.
    const { id: large } = await registerUpload(world.db, world.users.engineer, actorOf(world.users.engineer), { datasetId }, ingestedVersion({ subjectField: "patient", recordCount: 10_000, subjectCount: 2_000, maxRecordsPerSubject: 500 }));
    const huge = request({ datasetVersionId: large, privacyUnit: "subject", maxRecordsPerSubject: 1000, fineTuning: { method: "full" }, length: { by: "steps", steps: 100 } });
    const p = await engineer().runs.preview(huge);
    expect(p.estimate.microBatch).toBe(0);
    expect(p.refusal).toMatch(new RegExp(`^This run cannot fit in the trainer's memory: one subject's 500 records need about [\\d.]+ GiB at once, more than the 3\\.2 GiB it can use\\. Set records per subject to at most ${p.estimate.maxRecordsPerUnit}, or choose LoRA or a smaller base model\\.$`));
    const before = await snapshot(world.db);
    const err = await refusal(engineer().runs.launch(huge));
    expect(err).toEqual({ code: "CONFLICT", message: p.refusal });
    expect(await snapshot(world.db)).toEqual(before);
    expect((await engineer().runs.preview({ ...huge, maxRecordsPerSubject: p.estimate.maxRecordsPerUnit })).refusal).toBeNull();
  });

  it("refuses a run that would overspend, before any training, and changes nothing", async () => {
    await setBudget(1);
    const before = await snapshot(world.db);
    const err = await refusal(engineer().runs.launch(request()));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/^This run would exceed the budget: on its own it costs ε = [\d.]+; .* over the limit of ε = 1\.00 at δ = 0\.00001\.$/);
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("reserves the planned spend at launch, so a second run that only fits alone is refused", async () => {
    const one = rdp.epsilon(dpSgdEvent(0.01, 1, 1000), 1e-5);
    const two = rdp.epsilon(dpSgdEvent(0.01, 1, 2000), 1e-5);
    await setBudget((one + two) / 2);
    const launched = await engineer().runs.launch(request());
    expect(await first(world.db.select().from(runs).where(eq(runs.id, launched)))).toMatchObject({ status: "queued", plannedSteps: 1000, chargedSteps: 0 });
    const err = await refusal(engineer().runs.launch(request()));
    expect(err.code).toBe("CONFLICT");
    expect((await listAudit(world.db, { action: "run.launch" }, 1, 10)).total).toBe(1);
  });

  it("refuses a launch once a larger version makes the budget's delta reach 1/N, or at subject level on a version without subjects", async () => {
    await setBudget(20, "subject");
    const eng = world.users.engineer;
    // A new upload of 200,000 people: the budget's delta 1e-5 is no longer below 1/N.
    const big = await registerUpload(world.db, eng, actorOf(eng), { datasetId }, ingestedVersion({ subjectField: "patient", recordCount: 300_000, subjectCount: 200_000 }));
    const before = await snapshot(world.db);
    const preview = await engineer().runs.preview(runRequest(big.id, baseId, { privacyUnit: "subject" }));
    expect(preview.refusal).toMatch(/^delta must be below 1\/N = 1\/200000 .* for this dataset's 200000 subjects/);
    const err = await refusal(engineer().runs.launch(runRequest(big.id, baseId, { privacyUnit: "subject" })));
    expect(err).toMatchObject({ code: "CONFLICT", message: preview.refusal });
    expect(await snapshot(world.db)).toEqual(before);

    // A version uploaded without a subject field cannot be trained on at subject level.
    const anonymous = await registerUpload(world.db, eng, actorOf(eng), { datasetId }, ingestedVersion({ subjectField: null, recordCount: 500, subjectCount: 500 }));
    const noSubjects = await refusal(engineer().runs.launch(runRequest(anonymous.id, baseId, { privacyUnit: "subject" })));
    expect(noSubjects.code).toBe("CONFLICT");
    expect(noSubjects.message).toMatch(/^This dataset version has no subject field, so it cannot be trained on at subject level/);
    expect((await listAudit(world.db, { action: "run.launch" }, 1, 10)).total).toBe(0);
  });

  it("composes runs with the accountant: the lineage's epsilon is that of all steps together, below the sum", async () => {
    await officer().budgets.set({ datasetId, epsilon: 20, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01", recordsPerPersonBound: 9 });
    await engineer().runs.launch(request());
    await engineer().runs.launch(request({ batch: { by: "sampling_rate", samplingRate: 0.02 }, privacy: { mode: "noise_multiplier", noiseMultiplier: 1.3 } }));
    const status = await engineer().budgets.status({ datasetId });
    const composedTruth = rdp.epsilon({ type: "composed", events: [dpSgdEvent(0.01, 1, 1000), dpSgdEvent(0.02, 1.3, 1000)] }, 1e-5);
    expect(status.spend!.epsilon).toBeCloseTo(composedTruth, 10);
    expect(status.spend!.naiveEpsilonSum).toBeGreaterThan(status.spend!.epsilon);
    expect((await engineer().spend.breakdown({ datasetId }))!.entries.map((r) => r.reserved)).toEqual([true, true]);
    // Record-level budget stating k = 9: the person-level figure from group privacy for that k is shown too.
    expect(status.personLevel!.epsilon).toBeCloseTo(9 * status.spend!.epsilon, 10);
  });

  it("refuses runs on an expired budget until it is renewed", async () => {
    await setBudget(8);
    await transaction(world.db, async (tx) => {
      await tx.update(budgets).set({ renewsOn: "2000-01-01" });
    });
    expect((await refusal(engineer().runs.launch(request()))).message).toBe(
      "This dataset's budget expired on 2000-01-01; a privacy officer must renew it.",
    );
    await officer().budgets.renew({ datasetId, renewsOn: "2099-06-30" });
    await expect(engineer().runs.launch(request())).resolves.toBeTypeOf("string");
  });

  it("refuses a run whose privacy unit differs from the budget's, and datasets without a budget", async () => {
    expect((await refusal(engineer().runs.preview(request()))).message).toMatch(/no privacy budget yet/);
    await setBudget(8, "subject");
    expect((await refusal(engineer().runs.launch(request()))).code).toBe("BAD_REQUEST");
    const p = await engineer().runs.preview(request({ privacyUnit: "subject" }));
    expect(p.population).toBe(2000);
    expect(p.samplingRate).toBeCloseTo(0.05, 12);
  });

  it("refuses engineers without access as if the dataset did not exist", async () => {
    await setBudget(8);
    const outsider = await callerAs(world.db, world.users.admin).users.create({ email: "outsider@test.example", name: "O", role: "engineer", password: "a long enough secret" });
    const asOutsider = callerAs(world.db, { id: outsider.id, email: outsider.email, name: outsider.name, role: "engineer" });
    expect((await refusal(asOutsider.runs.launch(request()))).code).toBe("NOT_FOUND");
    expect(await asOutsider.datasets.list()).toEqual([]);
    await officer().datasets.grantAccess({ datasetId, userId: outsider.id });
    await expect(asOutsider.runs.launch(request())).resolves.toBeTypeOf("string");
    expect((await verifyChain(world.db)).ok).toBe(true);
  });
});

describe("budget requests", () => {
  it("lets an engineer ask for more and an officer approve or refuse with a reason", async () => {
    await setBudget(2);
    const r1 = await engineer().budgets.request({ datasetId, epsilon: 4, reason: "second fine-tune" });
    expect((await refusal(officer().budgets.decide({ requestId: r1.id, approve: false, reason: "" }))).code).toBe("BAD_REQUEST");
    await officer().budgets.decide({ requestId: r1.id, approve: true, reason: "justified" });
    expect((await engineer().budgets.status({ datasetId })).budget!.epsilon).toBe(4);
    expect((await refusal(officer().budgets.decide({ requestId: r1.id, approve: false, reason: "changed mind" }))).code).toBe("CONFLICT");
    const r2 = await engineer().budgets.request({ datasetId, epsilon: 10, reason: "more" });
    const refused = await officer().budgets.decide({ requestId: r2.id, approve: false, reason: "too much for patient notes" });
    expect(refused).toMatchObject({ status: "refused", decisionReason: "too much for patient notes" });
    expect((await engineer().budgets.status({ datasetId })).budget!.epsilon).toBe(4);
    const actions = (await listAudit(world.db, { action: "budget." }, 1, 20)).entries.map((e) => e.action);
    expect(actions).toEqual(["budget.refuse_request", "budget.request", "budget.approve_request", "budget.request", "budget.set"]);
  });
});
