// A federated run whose parties clip per person, end to end on localhost: three party processes, each person's share of
// a party's update clipped (one local step), the federation's budget with a subject (a person) as the unit. The
// settings that would break the per-person bound are refused; the run's rounds are charged as Poisson-sampled Gaussian
// steps at person level; a person held by several parties gets k-fold group privacy (every party, with no overlap
// measured); the model's provenance verifies. A run whose runner stops is interrupted at a round boundary and resumes
// from its checkpoint, each applied round charged once.
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { datasetVersions, federationRounds, modelVersions, runs } from "../../db/schema";
import { readModelDir } from "../../trainer/contract/model-files";
import { dpSgdEvent, groupPrivacy } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { verifyChain } from "../audit/service";
import { LEDGER_ACCOUNTANT } from "../budgets/ledger";
import { exportProvenance } from "../provenance/export";
import { signingKey } from "../provenance/keys";
import { verifyBundle } from "../provenance/verify";
import { Runner } from "../jobs/runner";
import { TRAINER_COMMAND } from "../jobs/trainer-process";
import type { RunRequest } from "../runs/run-request";
import { callerAs, refusal, until } from "../testing";
import { recordDeclarations } from "./declarations";
import { federatedTestWorld, type FederatedTestWorld } from "./testing";

let f: FederatedTestWorld;

beforeAll(async () => {
  // Six people at each party, two letters each.
  const records = (name: string) => Array.from({ length: 12 }, (_, i) => ({ text: `${name} letter ${i}: the results are normal`, subject: `${name}-person-${i % 6}` }));
  f = await federatedTestWorld("federated-person", { A: records("A"), B: records("B"), C: records("C") });
}, 120_000);

afterAll(() => f?.close());

/** A run on the declarations whose parties clip per person: q = 1, C = 0.5, one local step at rate 0.05, 2 records each. */
const personRun = (versionId: string, baseId: string, { noiseMultiplier, rounds }: { noiseMultiplier: number; rounds: number }, fineTuning: RunRequest["fineTuning"]): RunRequest => ({
  datasetVersionId: versionId,
  baseModelVersionId: baseId,
  privacyUnit: "subject",
  privacy: { mode: "noise_multiplier", noiseMultiplier },
  batch: { by: "sampling_rate", samplingRate: 1 },
  length: { by: "steps", steps: rounds },
  clipNorm: 0.5,
  learningRate: 0.05,
  fineTuning,
  maxRecordsPerSubject: 2,
  federation: { localSteps: 1, localBatchSize: 8, answerSeconds: 20, noise: "central", clip: "person" },
});

describe("a federated run clipping per person", () => {
  it("protects a person: one local step of per-person clipped gradients, charged at person level", async () => {
    const { world, dir, baseId, coordinator, parties, runner } = f;
    const officer = world.users.privacy_officer;
    const engineer = world.users.engineer;
    const declared = await recordDeclarations(world.db, actorOf(officer), dir);
    const version = (await first(world.db.select().from(datasetVersions).where(eq(datasetVersions.id, declared.versionId))))!;
    // The people the parties state: the population a person-level run samples from.
    expect(version.subjectCount).toBe(18);
    const datasetId = version.datasetId;
    // No record-level budget on the federation's lineage; a person-level one.
    const budget = { datasetId, epsilon: 30, delta: 1e-5, renewsOn: "2099-01-01" };
    expect((await refusal(callerAs(world.db, officer).budgets.set({ ...budget, privacyUnit: "record" }))).message).toMatch(/party or the subject/);
    await callerAs(world.db, officer).budgets.set({ ...budget, privacyUnit: "subject" });
    await callerAs(world.db, world.users.admin).datasets.grantAccess({ datasetId, userId: engineer.id });

    const spec = personRun(declared.versionId, baseId, { noiseMultiplier: 1, rounds: 2 }, { method: "lora", rank: 2 });
    const caller = callerAs(world.db, engineer);
    // What would break the per-person bound is refused, naming why.
    expect((await refusal(caller.runs.launch({ ...spec, federation: { ...spec.federation!, localSteps: 2 } }))).message).toMatch(/one local step/);
    expect((await refusal(caller.runs.launch({ ...spec, federation: { ...spec.federation!, noise: "distributed" } }))).message).toMatch(/central noise/);
    expect((await refusal(caller.runs.launch({ ...spec, privacyUnit: "party" }))).message).toMatch(/subject/);
    expect((await refusal(caller.runs.launch({ ...spec, federation: undefined }))).message).toMatch(/federation's lineage: its runs are federated runs/);

    const runId = await caller.runs.launch(spec);
    await runner.start();
    await until(async () => ["finished", "failed"].includes((await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.status), "the run's end", 240_000).catch((err: Error) => {
      throw new Error(`${err.message}; the parties said: ${parties.errors.join(" | ")}`);
    });
    const run = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
    expect(run).toMatchObject({ status: "finished", statusReason: "completed", privacyUnit: "subject", chargedSteps: 2 });
    const rounds = await world.db.select().from(federationRounds).where(eq(federationRounds.runId, runId));
    expect(rounds.filter((r) => r.status === "applied")).toHaveLength(2);

    const expected = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(1, 1, 2), 1e-5);
    const detail = await callerAs(world.db, world.users.auditor).models.get({ versionId: run.resultModelVersionId! });
    const guarantee = detail.guarantees[0]!;
    expect(guarantee).toMatchObject({ privacyUnit: "subject", partiesPerPerson: { k: 3, measuredBy: null } });
    expect(guarantee.epsilon).toBeCloseTo(expected, 10);
    // A person at up to every one of the three parties (no overlap measured): 3-fold group privacy.
    expect(guarantee.personLevel!.epsilon).toBeCloseTo(groupPrivacy(expected, 1e-5, 3).epsilon, 10);
    // The model's own provenance states the person as its unit, with the records each may give.
    const model = (await first(world.db.select().from(modelVersions).where(eq(modelVersions.id, run.resultModelVersionId!))))!;
    const written = readModelDir(path.join(dir, model.weightsPath)).provenance;
    expect(written.kind === "fine-tuned" && written.privacy).toMatchObject({ unit: "subject", records_per_subject: 2 });
    expect(written.kind === "fine-tuned" && written.dataset.units).toBe(18);
    const bundle = verifyBundle(await exportProvenance(world.db, run.resultModelVersionId!, signingKey(dir)));
    expect(bundle.checks.filter((c) => !c.ok)).toEqual([]);
    expect((await verifyChain(world.db)).ok).toBe(true);
    for (const body of coordinator.received) expect(body).not.toContain("results are normal");
  }, 300_000);

  it("stops at a round boundary when its runner stops, and resumes from its checkpoint, each applied round charged once", async () => {
    const { world, baseId } = f;
    const engineer = world.users.engineer;
    const cohort = (await callerAs(world.db, engineer).federation.cohort())!;
    const spec = personRun(cohort.latest!.versionId, baseId, { noiseMultiplier: 2, rounds: 3 }, { method: "full" });
    const runId = await callerAs(world.db, engineer).runs.launch(spec);
    const runNow = async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
    await until(async () => (await runNow()).checkpointStep !== null, "the first applied round", 120_000);
    await f.runner.stop();
    const stopped = await runNow();
    expect(stopped.status).toBe("interrupted");
    expect(stopped.checkpointStep).toBe(stopped.chargedSteps);
    expect(stopped.chargedSteps).toBeLessThan(3);

    await callerAs(world.db, engineer).runs.resume({ runId });
    const again = new Runner({ db: world.db, dataDir: f.dir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 60_000, log: () => {} });
    await again.start();
    try {
      await until(async () => ["finished", "failed"].includes((await runNow()).status), "the resumed run's end", 240_000);
    } finally {
      await again.stop();
    }
    const run = await runNow();
    expect(run).toMatchObject({ status: "finished", chargedSteps: 3 });
    const applied = (await world.db.select().from(federationRounds).where(eq(federationRounds.runId, runId))).filter((r) => r.status === "applied");
    expect(applied).toHaveLength(3);
    expect([...new Set(applied.map((r) => r.attempt))]).toHaveLength(3);
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 300_000);
});
