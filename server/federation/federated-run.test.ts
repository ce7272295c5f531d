// A federated run end to end, on localhost: a coordinator (the job runner, over the real schema) and three party
// processes (npm run party --model) fine-tuning the tiny base model. An officer records the parties' declarations
// and sets the federation's party-level budget; an over-budget launch is refused with nothing changed; the run's
// rounds apply while one party is killed mid-round (each later round completes from the survivors, or is abandoned
// and retried); every applied round is charged once, the model is registered with lineage to the declarations and
// its epsilon recomputed from the ledger's events, the audit chain verifies, and nothing received holds a record.
import { existsSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { federationMail, federationRounds, modelVersions, runs } from "../../db/schema";
import { chargedNoiseMultiplier } from "../../trainer/contract/federation/distributed-noise";
import { trainableCount } from "../../trainer/contract/federation/trainable";
import { readModelDir } from "../../trainer/contract/model-files";
import { composed, dpSgdEvent, groupPrivacy } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { verifyChain } from "../audit/service";
import { LEDGER_ACCOUNTANT, lineageSpend } from "../budgets/ledger";
import { exportProvenance } from "../provenance/export";
import { signingKey } from "../provenance/keys";
import { verifyBundle } from "../provenance/verify";
import { launchRun } from "../runs/service";
import type { RunRequest } from "../runs/run-request";
import { callerAs, killGroup, refusal, snapshot, until, type TestWorld } from "../testing";
import { recordDeclarations } from "./declarations";
import { listRounds } from "./round-views";
import { federatedTestWorld, type FederatedTestWorld } from "./testing";

let f: FederatedTestWorld;
let world: TestWorld;
let dir: string;
let baseId: string;

beforeAll(async () => {
  // Subjects overlap pairwise (A with B: p8..p11; B with C: p20..p23), never all three: k = 2.
  const records = (name: string, from: number) => Array.from({ length: 12 }, (_, i) => ({ text: `${name} clinic letter ${i}: follow-up in two weeks`, subject: `p${from + i}` }));
  f = await federatedTestWorld("federated-run", { A: records("A", 0), B: records("B", 8), C: records("C", 20) });
  ({ world, dir, baseId } = f);
}, 120_000);

afterAll(() => f?.close());

const federated = (versionId: string, rounds: number, noiseMultiplier: number): RunRequest => ({
  datasetVersionId: versionId,
  baseModelVersionId: baseId,
  privacyUnit: "party",
  privacy: { mode: "noise_multiplier", noiseMultiplier },
  batch: { by: "sampling_rate", samplingRate: 1 },
  length: { by: "steps", steps: rounds },
  clipNorm: 5,
  learningRate: 0.01,
  fineTuning: { method: "full" },
  maxRecordsPerSubject: 1,
  federation: { localSteps: 2, localBatchSize: 4, answerSeconds: 8, noise: "central", clip: "party" },
});

describe("a federated run with party processes", () => {
  it("is budgeted, refused over its budget, survives a party killed mid-round, and registers its model with the ledger's epsilon", async () => {
    const officer = world.users.privacy_officer;
    const engineer = world.users.engineer;
    const cohort = await callerAs(world.db, officer).federation.cohort();
    expect(cohort?.latest).toBeNull();
    const declared = await recordDeclarations(world.db, actorOf(officer), dir);
    expect(declared).toMatchObject({ parties: 3, created: true });
    // Nothing changed: the same version.
    expect(await recordDeclarations(world.db, actorOf(officer), dir)).toMatchObject({ versionId: declared.versionId, created: false });
    const datasetId = cohort!.datasetId;
    // Before any overlap, a person is taken to be at every party; the overlap measures k = 2.
    expect((await callerAs(world.db, engineer).federation.cohort())!.latest!.partiesPerPerson).toEqual({ k: 3, measuredBy: null });
    await callerAs(world.db, officer).federation.startOverlap();
    await until(async () => (await callerAs(world.db, officer).federation.overlaps()).some((o) => o.status === "done"), "the overlap", 180_000);
    const overlap = (await callerAs(world.db, officer).federation.overlaps()).find((o) => o.status === "done")!;
    expect(overlap.mostPartiesOfOnePerson).toBe(2);

    // The federation's budget protects a party (or a person); a record is refused.
    const budget = { datasetId, epsilon: 30, delta: 1e-5, renewsOn: "2099-01-01" };
    expect((await refusal(callerAs(world.db, officer).budgets.set({ ...budget, privacyUnit: "record" }))).message).toMatch(/party or the subject as the privacy unit/);
    await callerAs(world.db, officer).budgets.set({ ...budget, privacyUnit: "party" });
    await callerAs(world.db, world.users.admin).datasets.grantAccess({ datasetId, userId: engineer.id });

    // Over the budget: refused, and nothing changed (but the running parties' last contact).
    const governance = async () => ({ ...(await snapshot(world.db)), federation_parties: null });
    const before = await governance();
    const over = await refusal(callerAs(world.db, engineer).runs.launch(federated(declared.versionId, 500, 0.5)));
    expect(over).toMatchObject({ code: "CONFLICT" });
    expect(over.message).toMatch(/budget/);
    expect(await governance()).toEqual(before);
    // A run on the federation's lineage must be a federated run, and protect a party when parties clip their updates.
    expect((await refusal(callerAs(world.db, engineer).runs.launch({ ...federated(declared.versionId, 3, 1), federation: undefined }))).message).toMatch(/its runs are federated runs/);
    expect((await refusal(callerAs(world.db, engineer).runs.launch({ ...federated(declared.versionId, 3, 1), privacyUnit: "subject" }))).message).toMatch(/privacy unit must be party/);

    const rounds = 3;
    const { runId } = await launchRun(world.db, engineer, actorOf(engineer), federated(declared.versionId, rounds, 1));
    await f.runner.start();
    const roundsOf = () => world.db.select().from(federationRounds).where(eq(federationRounds.runId, runId));
    await until(async () => (await roundsOf()).some((r) => r.status === "applied"), "the first applied round", 120_000).catch((err: Error) => {
      throw new Error(`${err.message}; the parties said: ${f.parties.errors.join(" | ")}`);
    });
    // Kill C when the next round asks it for its update.
    await until(async () => (await first(world.db.select().from(federationMail).where(eq(federationMail.kind, "round.update")))) !== undefined, "the next round's update", 120_000);
    killGroup(f.parties.processes.get("C")!);
    await until(async () => ["finished", "failed"].includes((await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.status), "the run's end", 240_000);

    const run = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
    expect(run.status).toBe("finished");
    expect(run.chargedSteps).toBe(rounds);
    const recorded = await roundsOf();
    expect(recorded.filter((r) => r.status === "applied")).toHaveLength(rounds);
    // Rounds after the kill went on without C: applied from the survivors, or abandoned (and retried).
    const afterKill = recorded.filter((r) => JSON.parse(r.outcome!).dropped.length > 0 || r.status === "abandoned");
    expect(afterKill.length).toBeGreaterThan(0);

    // The model, registered with lineage to the declarations, states the epsilon the ledger's events give.
    const version = (await first(world.db.select().from(modelVersions).where(eq(modelVersions.id, run.resultModelVersionId!))))!;
    expect(version.datasetVersionId).toBe(declared.versionId);
    expect(existsSync(path.join(dir, version.weightsPath, "weights.safetensors"))).toBe(true);
    const expected = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(1, 1, rounds), 1e-5);
    const detail = await callerAs(world.db, world.users.auditor).models.get({ versionId: version.id });
    const guarantee = detail.guarantees.find((g) => g.datasetId === datasetId)!;
    expect(guarantee.privacyUnit).toBe("party");
    expect(guarantee.epsilon).toBeCloseTo(expected, 10);
    expect((await lineageSpend(world.db, datasetId, 1e-5)).chargedEpsilon).toBeCloseTo(expected, 10);
    // A person at two parties: 2-fold group privacy, on the model, the run and the disclosure, and in its provenance.
    const person = groupPrivacy(guarantee.epsilon, 1e-5, 2);
    expect(guarantee.partiesPerPerson).toEqual({ k: 2, measuredBy: overlap.id });
    expect(guarantee.personLevel!.epsilon).toBeCloseTo(person.epsilon, 10);
    const runPage = await callerAs(world.db, engineer).runs.get({ runId });
    expect(runPage.partiesPerPerson).toEqual({ k: 2, measuredBy: overlap.id });
    expect(runPage.personLevel!.epsilon).toBeCloseTo(groupPrivacy(expected, 1e-5, 2).epsilon, 10);
    const disclosure = await callerAs(world.db, world.users.auditor).disclosure.get({ versionId: version.id });
    expect(disclosure.lineages[0]!.personLevel).toEqual(guarantee.personLevel);
    const bundle = verifyBundle(await exportProvenance(world.db, version.id, signingKey(dir)));
    expect(bundle.checks.filter((c) => !c.ok)).toEqual([]);
    expect(bundle.checks.find((c) => c.name.startsWith("person-level"))!.detail).toMatch(/k = 2 parties/);
    // The page's rounds: participants, dropouts and the spend after each applied round.
    const shown = (await listRounds(world.db)).filter((r) => r.runId === runId);
    expect(shown.find((r) => r.status === "applied" && r.spend!.runEpsilonAfter > expected - 1e-9)).toBeDefined();
    expect(shown.some((r) => r.dropped.includes("C"))).toBe(true);

    expect((await verifyChain(world.db)).ok).toBe(true);
    for (const body of f.coordinator.received) expect(body).not.toContain("clinic letter");
    expect(await world.db.select().from(federationMail).where(and(eq(federationMail.session, recorded[0]!.id)))).toEqual([]);
  }, 420_000);

  it("with distributed noise and LoRA: the parties add discrete shares to adapters, and the ledger charges the Gaussian of the same zCDP, unamplified", async () => {
    const engineer = world.users.engineer;
    const cohort = (await callerAs(world.db, engineer).federation.cohort())!;
    const spec: RunRequest = {
      ...federated(cohort.latest!.versionId, 1, 1),
      fineTuning: { method: "lora", rank: 2 },
      federation: { localSteps: 1, localBatchSize: 4, answerSeconds: 8, noise: "distributed", clip: "party" },
    };
    // Distributed noise is given by its noise multiplier, not calibrated to a target.
    expect((await refusal(callerAs(world.db, engineer).runs.launch({ ...spec, privacy: { mode: "target_epsilon", targetEpsilon: 5 } }))).message).toMatch(/noise multiplier/);
    const preview = await callerAs(world.db, engineer).runs.preview(spec);
    const base = readModelDir(path.join(dir, "models", "tiny"));
    const dimension = trainableCount(base.config, { method: "lora", rank: 2 });
    const zEff = chargedNoiseMultiplier({ parties: 3, clipNorm: 5, noiseMultiplier: 1, dimension });
    expect(preview).toMatchObject({ samplingRate: 1, noiseMultiplier: zEff });
    expect(zEff).toBeLessThan(1);
    expect(zEff).toBeGreaterThan(0.99);
    const before = await lineageSpend(world.db, cohort.datasetId, 1e-5);
    const { runId } = await launchRun(world.db, engineer, actorOf(engineer), spec);
    await until(async () => ["finished", "failed"].includes((await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.status), "the distributed run's end", 240_000);
    const run = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!;
    expect(run.statusReason).toBe("completed");
    expect(run).toMatchObject({ status: "finished", chargedSteps: 1, samplingRate: 1, noiseMultiplier: zEff });
    // A and B sent their noised shares (C, killed before, dropped out); the coordinator added no noise of its own.
    const round = (await world.db.select().from(federationRounds).where(eq(federationRounds.runId, runId))).find((r) => r.status === "applied")!;
    expect(JSON.parse(round.outcome!).survivors).toHaveLength(2);
    // The model: the base with the trained adapters merged in, the adapters kept beside it.
    const version = (await first(world.db.select().from(modelVersions).where(eq(modelVersions.id, run.resultModelVersionId!))))!;
    const written = readModelDir(path.join(dir, version.weightsPath));
    expect(written.digests.adapter_sha256).not.toBeNull();
    expect(written.digests.weights_sha256).not.toBe(base.digests.weights_sha256);
    expect(written.provenance.kind === "fine-tuned" && written.provenance.privacy).toMatchObject({ unit: "party", steps: 1 });
    // The lineage composes both runs' events; never a sum of epsilons.
    const after = await lineageSpend(world.db, cohort.datasetId, 1e-5);
    const composedEpsilon = LEDGER_ACCOUNTANT.epsilon(composed([dpSgdEvent(1, 1, 3), dpSgdEvent(1, zEff, 1)]), 1e-5);
    expect(after.chargedEpsilon).toBeCloseTo(composedEpsilon, 8);
    expect(after.chargedEpsilon).toBeLessThan(before.chargedEpsilon + LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(1, zEff, 1), 1e-5));
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 300_000);
});
