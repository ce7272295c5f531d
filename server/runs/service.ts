// Launching DP fine-tuning runs: the projection shown before launch, and the launch itself, which checks the budget
// and reserves the run's planned spend in one immediate transaction so that concurrent launches cannot overspend.
import { randomUUID } from "node:crypto";
import { asc, desc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "../../db/client";
import { PRIVACY_UNITS, datasetAccess, datasetVersions, datasets, modelFamilies, modelVersions, runs, type Budget } from "../../db/schema";
import { calibrateNoiseMultiplier } from "../../trainer/privacy";
import { audited, type Actor } from "../audit/service";
import { existingBudget, isExpired } from "../budgets/service";
import { LEDGER_ACCOUNTANT, lineageRuns, spendOf } from "../budgets/ledger";
import type { SessionUser } from "../context";
import { maySeeDataset, requireTrainingAccess } from "../datasets/access";
import { AppError } from "../errors";

const positive = (max: number, what: string) => z.number().gt(0, `${what} must be > 0`).max(max, `${what} must be at most ${max}`);

export const runRequestInput = z.object({
  datasetVersionId: z.uuid(),
  baseModelVersionId: z.uuid(),
  privacyUnit: z.enum(PRIVACY_UNITS),
  privacy: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("target_epsilon"), targetEpsilon: positive(100, "target epsilon") }),
    z.object({ mode: z.literal("noise_multiplier"), noiseMultiplier: positive(1000, "noise multiplier") }),
  ]),
  batch: z.discriminatedUnion("by", [
    z.object({ by: z.literal("sampling_rate"), samplingRate: positive(1, "sampling rate") }),
    z.object({ by: z.literal("expected_batch_size"), expectedBatchSize: z.number().int().min(1).max(100_000) }),
  ]),
  length: z.discriminatedUnion("by", [
    z.object({ by: z.literal("steps"), steps: z.number().int().min(1).max(1_000_000) }),
    z.object({ by: z.literal("epochs"), epochs: positive(1000, "epochs") }),
  ]),
  clipNorm: positive(1000, "clip norm").default(1),
  learningRate: positive(10, "learning rate").default(1e-3),
  fineTuning: z.discriminatedUnion("method", [
    z.object({ method: z.literal("lora"), rank: z.number().int().min(1).max(256) }),
    z.object({ method: z.literal("full") }),
  ]),
  /** With subjects as the unit: the most records one subject may contribute to a step. */
  maxRecordsPerSubject: z.number().int().min(1).max(10_000).default(8),
});
export type RunRequest = z.infer<typeof runRequestInput>;

export interface Projection {
  samplingRate: number;
  steps: number;
  noiseMultiplier: number;
  /** Units sampled from: records, or subjects when the unit is a subject. */
  population: number;
  delta: number;
  /** This run's epsilon on its own. */
  runEpsilon: number;
  /** The lineage's composed epsilon now (charges and reservations). */
  spentEpsilon: number;
  /** The lineage's composed epsilon if this run is launched. */
  projectedEpsilon: number;
  budgetEpsilon: number;
  leftEpsilon: number;
  /** Null when the run fits; else why it would be refused. */
  refusal: string | null;
  budget: Budget;
}

function fmt(x: number): string {
  return x.toPrecision(3);
}

/** Everything the launch decides, computed from the database as it is now (call it inside the launch transaction). */
export function project(db: Executor, user: SessionUser, input: RunRequest): Projection {
  const version = db.select().from(datasetVersions).where(eq(datasetVersions.id, input.datasetVersionId)).get();
  if (!version || !maySeeDataset(db, user, version.datasetId)) throw new AppError("NOT_FOUND", "No such dataset version.");
  requireTrainingAccess(db, user, version.datasetId);
  const base = db.select().from(modelVersions).where(eq(modelVersions.id, input.baseModelVersionId)).get();
  if (!base) throw new AppError("NOT_FOUND", "No such model version.");
  if (base.status === "withdrawn") throw new AppError("CONFLICT", "That model version was withdrawn and cannot be fine-tuned.");

  const budget = existingBudget(db, version.datasetId);
  if (input.privacyUnit !== budget.privacyUnit) {
    throw new AppError("BAD_REQUEST", `This dataset's budget protects each ${budget.privacyUnit}; the run must use the same privacy unit.`);
  }
  const population = input.privacyUnit === "subject" ? version.subjectCount : version.recordCount;
  const samplingRate = input.batch.by === "sampling_rate" ? input.batch.samplingRate : Math.min(1, input.batch.expectedBatchSize / population);
  const steps = input.length.by === "steps" ? input.length.steps : Math.ceil(input.length.epochs / samplingRate);
  const noiseMultiplier =
    input.privacy.mode === "noise_multiplier"
      ? input.privacy.noiseMultiplier
      : calibrateNoiseMultiplier({ targetEpsilon: input.privacy.targetEpsilon, delta: budget.delta, samplingRate, steps }, LEDGER_ACCOUNTANT)
          .noiseMultiplier;

  const candidate = { id: "projected", status: "queued" as const, privacyUnit: input.privacyUnit, samplingRate, noiseMultiplier, plannedSteps: steps, chargedSteps: 0, createdAt: "~" };
  const existing = lineageRuns(db, version.datasetId);
  const before = spendOf(existing, budget.delta);
  const after = spendOf([...existing, candidate], budget.delta);
  const runEpsilon = after.runs.at(-1)!.epsilonAlone;

  let refusal: string | null = null;
  if (budget.frozen) refusal = "This dataset's budget is frozen by an incident; no run may start.";
  else if (isExpired(budget)) refusal = `This dataset's budget expired on ${budget.renewsOn}; a privacy officer must renew it.`;
  else if (after.epsilon > budget.epsilon) {
    refusal =
      `This run would exceed the budget: on its own it costs ε = ${fmt(runEpsilon)}; composed with what this dataset's runs ` +
      `have spent or reserved (ε = ${fmt(before.epsilon)}) the total would be ε = ${fmt(after.epsilon)}, over the limit of ` +
      `ε = ${fmt(budget.epsilon)} at δ = ${budget.delta}.`;
  }
  return {
    samplingRate,
    steps,
    noiseMultiplier,
    population,
    delta: budget.delta,
    runEpsilon,
    spentEpsilon: before.epsilon,
    projectedEpsilon: after.epsilon,
    budgetEpsilon: budget.epsilon,
    leftEpsilon: Math.max(0, budget.epsilon - before.epsilon),
    refusal,
    budget,
  };
}

/** Checks and reserves in one immediate transaction: two launches at once cannot both fit when only one does. */
export function launchRun(db: Db, user: SessionUser, actor: Actor, input: RunRequest) {
  const id = randomUUID();
  return audited(db, { actor, action: "run.launch", entityType: "run", entityId: id, input }, (tx) => {
    const p = project(tx, user, input);
    if (p.refusal) throw new AppError("CONFLICT", p.refusal);
    const version = tx.select().from(datasetVersions).where(eq(datasetVersions.id, input.datasetVersionId)).get()!;
    tx.insert(runs)
      .values({
        id,
        datasetId: version.datasetId,
        datasetVersionId: version.id,
        baseModelVersionId: input.baseModelVersionId,
        privacyUnit: input.privacyUnit,
        samplingRate: p.samplingRate,
        noiseMultiplier: p.noiseMultiplier,
        plannedSteps: p.steps,
        spec: JSON.stringify(input),
        createdBy: user.id,
        createdAt: new Date().toISOString(),
      })
      .run();
    return { runId: id, projection: p };
  });
}

/** What an engineer may launch on: versions of datasets they were granted, and every model version not withdrawn. */
export function launchOptions(db: Executor, user: SessionUser) {
  const granted = db
    .select({ versionId: datasetVersions.id, version: datasetVersions.version, datasetId: datasets.id, datasetName: datasets.name, recordCount: datasetVersions.recordCount, subjectCount: datasetVersions.subjectCount })
    .from(datasetAccess)
    .innerJoin(datasets, eq(datasets.id, datasetAccess.datasetId))
    .innerJoin(datasetVersions, eq(datasetVersions.datasetId, datasets.id))
    .where(eq(datasetAccess.userId, user.id))
    .orderBy(asc(datasets.name), desc(datasetVersions.version))
    .all();
  const models = db
    .select({ id: modelVersions.id, version: modelVersions.version, kind: modelVersions.kind, status: modelVersions.status, family: modelFamilies.name })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .where(ne(modelVersions.status, "withdrawn"))
    .orderBy(asc(modelFamilies.name), desc(modelVersions.version))
    .all();
  return { datasetVersions: granted, modelVersions: models };
}

/** Runs on datasets the user may see, newest first. */
export function listRuns(db: Executor, user: SessionUser) {
  const all = db.select().from(runs).orderBy(desc(runs.createdAt)).all();
  if (user.role !== "engineer") return all;
  const granted = new Set(
    db.select({ datasetId: datasetAccess.datasetId }).from(datasetAccess).where(eq(datasetAccess.userId, user.id)).all().map((r) => r.datasetId),
  );
  return all.filter((r) => granted.has(r.datasetId));
}
