// Launching DP fine-tuning runs (the request's schema is ./run-request.ts): the projection shown before launch, and the launch itself, which checks the budget
// and reserves the run's planned spend in one transaction (the budget's row locked) so that concurrent launches cannot overspend.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { engineOf, first, pipelined, type Db, type Executor, type Tx } from "../../db/client";
import { datasetVersions, runCanaries, runs, type Budget, type DatasetVersion, type ModelVersion } from "../../db/schema";
import { calibrateNoiseMultiplier, dpSgdEvent } from "../../trainer/privacy";
import { appendAudit, audited, type Actor } from "../audit/service";
import { ABILITIES, may } from "../auth/access";
import { prepareCanaries, type Canary, type CanaryCommitment } from "../leakage/canaries";
import { chargeRefusal } from "../budgets/admission";
import { deltaRefusal, subjectFieldRefusal } from "../budgets/delta-bound";
import { existingBudget } from "../budgets/service";
import { LEDGER_ACCOUNTANT, reservedSteps } from "../budgets/ledger";
import { addSteps, copyCurve, epsilonOfCurve } from "../budgets/curve-math";
import { countNewRunOnLockedCurves, lineageCurvesNow, lockLineageCurves, syncRunOnLedger } from "../budgets/lineage-curve";
import type { LineageCurves } from "../budgets/curve-math";
import type { SessionUser } from "../context";
import { maySeeDataset, requireTrainingAccess } from "../datasets/access";
import { versionFilesRefusal } from "../datasets/version-files";
import { AppError } from "../errors";
import { visibleModelVersion } from "../models/visibility";
import type { RunRequest } from "./run-request";
import { announceQueued } from "./run-queue";
import { runView } from "./run-views";
import { estimateRun, type RunEstimate } from "./run-estimate";
import { modelConfigSchema } from "../../trainer/contract/model-config";


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
  /** The trainer's memory and a rough time for the run. */
  estimate: RunEstimate;
  /** Null when the run fits (in memory and in the budget); else why it would be refused. */
  refusal: string | null;
  budget: Budget;
}

const RUN_CHARGE = { what: "This run", forbidden: "no run may start" };

/**
 * Why a run may not (re)start on this dataset version, or null when it may: its files must be kept (not deleted by an
 * officer or by retention), a subject-level run needs a subject field,
 * the budget's delta must stay below 1/N of the lineage's units (a later, larger version can break that), and the
 * run's spend, composed with the lineage's, must fit the budget.
 */
/** The refusals that need reads (files kept, subject field, delta against 1/N), read at once, in the order given. */
function readRefusals(db: Executor, datasetVersionId: string, budget: Budget): Promise<(string | null)[]> {
  return Promise.all([
    versionFilesRefusal(db, datasetVersionId),
    subjectFieldRefusal(db, { datasetVersionId }, budget.privacyUnit),
    deltaRefusal(db, budget.datasetId, budget),
  ]);
}

/** The first of the read refusals, else whether the run's spend fits the budget. */
function runRefusal(read: readonly (string | null)[], budget: Budget, before: number, after: number, runEpsilon: number): string | null {
  return read.find((r) => r !== null) ?? chargeRefusal(budget, RUN_CHARGE, before, after, runEpsilon);
}

/**
 * The smallest noise multiplier meeting a target epsilon; a target that no noise reaches (the accountant's epsilon
 * has a floor set by delta, the sampling rate and the steps) is the caller's mistake, refused naming the bound.
 */
function calibratedNoise(request: { targetEpsilon: number; delta: number; samplingRate: number; steps: number }): number {
  try {
    return calibrateNoiseMultiplier(request, LEDGER_ACCOUNTANT).noiseMultiplier;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const { targetEpsilon, delta, samplingRate, steps } = request;
    throw new AppError(
      "BAD_REQUEST",
      `Target epsilon ${targetEpsilon} cannot be reached at delta ${delta} over ${steps} steps at sampling rate ${samplingRate}: ${err.message}. Choose a larger target epsilon, fewer steps or a smaller batch.`,
    );
  }
}

/** What a launch is about, once the checks that do not read the budget passed: the dataset version and the base model. */
interface LaunchSubject {
  version: DatasetVersion;
  base: ModelVersion;
}

/** The launch's checks that do not read the budget: the version is visible to the user, who may train on it, from a base model whose data they may see. */
async function launchSubject(db: Executor, user: SessionUser, input: RunRequest): Promise<LaunchSubject> {
  // The dataset's checks and the model's are independent: at once, their refusals given in this order.
  const [version, base] = await settledInOrder([trainableVersion(db, user, input.datasetVersionId), visibleModelVersion(db, user, input.baseModelVersionId)]);
  if (base.status === "withdrawn") throw new AppError("CONFLICT", "That model version was withdrawn and cannot be fine-tuned.");
  return { version, base };
}

/** The dataset version, if the user may see it and train on it. */
async function trainableVersion(db: Executor, user: SessionUser, versionId: string): Promise<DatasetVersion> {
  const version = await first(db.select().from(datasetVersions).where(eq(datasetVersions.id, versionId)));
  if (!version) throw new AppError("NOT_FOUND", "No such dataset version.");
  // At once; one the user may not see is "no such version", whatever else refuses it.
  const [visible, training] = await Promise.allSettled([maySeeDataset(db, user, version.datasetId), requireTrainingAccess(db, user, version.datasetId)]);
  if (visible.status === "rejected") throw visible.reason;
  if (!visible.value) throw new AppError("NOT_FOUND", "No such dataset version.");
  if (training.status === "rejected") throw training.reason;
  return version;
}

/** Awaits every promise (none is left running), then gives their values, or throws the first rejection in list order. */
async function settledInOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Everything the launch decides, from the database as it is now: what the preview shows and the launch enforces. */
export async function project(db: Executor, user: SessionUser, input: RunRequest): Promise<Projection> {
  return (await budgetProjection(db, await launchSubject(db, user, input), input)).projection;
}

/**
 * The budget's part of the projection, for a subject that passed launchSubject's checks; `lockIn`: the launch
 * transaction, in which the budget's row and the lineage's curve row are locked before they are read (and the curves
 * are returned, locked, for the launch to count its run on). The lineage's spend is read from its stored curves.
 */
async function budgetProjection(db: Executor, { version, base }: LaunchSubject, input: RunRequest, lockIn?: Tx): Promise<{ projection: Projection; curves: LineageCurves }> {
  // The budget's row is locked only now, after the checks that do not read it: it is held for the budget's part alone
  // (the checks read committed rows either way, under READ COMMITTED or SQLite's one writer). Without a lock, the
  // budget and the curves are read at once; with one, the lock and the read are pipelined.
  const [budget, curvesNow] = lockIn
    ? [(await pipelined(() => engineOf(lockIn).lockRow(lockIn, "budgets", version.datasetId), () => existingBudget(lockIn, version.datasetId)))[1], null]
    : await Promise.all([existingBudget(db, version.datasetId), lineageCurvesNow(db, version.datasetId)]);
  if (input.privacyUnit !== budget.privacyUnit) {
    throw new AppError("BAD_REQUEST", `This dataset's budget protects each ${budget.privacyUnit}; the run must use the same privacy unit.`);
  }
  const population = input.privacyUnit === "subject" ? version.subjectCount : version.recordCount;
  const samplingRate = input.batch.by === "sampling_rate" ? input.batch.samplingRate : Math.min(1, input.batch.expectedBatchSize / population);
  const steps = input.length.by === "steps" ? input.length.steps : Math.ceil(input.length.epochs / samplingRate);
  const noiseMultiplier =
    input.privacy.mode === "noise_multiplier"
      ? input.privacy.noiseMultiplier
      : calibratedNoise({ targetEpsilon: input.privacy.targetEpsilon, delta: budget.delta, samplingRate, steps });

  // The new run is reserved at its planned steps: the lineage's reserved curve plus theirs.
  // Locked, the curves' lock and reads are pipelined with the refusals' reads.
  const [curves, read] = curvesNow
    ? [curvesNow, await readRefusals(db, version.id, budget)]
    : await pipelined(() => lockLineageCurves(lockIn!, version.datasetId), () => readRefusals(lockIn!, version.id, budget));
  const before = { epsilon: epsilonOfCurve(curves.reserved, budget.delta) };
  const after = { epsilon: epsilonOfCurve(addSteps(copyCurve(curves.reserved), samplingRate, noiseMultiplier, steps), budget.delta) };
  const runEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(samplingRate, noiseMultiplier, steps), budget.delta);

  const estimate = estimateRun({
    model: modelConfigSchema.parse(JSON.parse(base.config)),
    fineTuning: input.fineTuning,
    privacyUnit: input.privacyUnit,
    maxRecordsPerSubject: input.maxRecordsPerSubject,
    recordCount: version.recordCount,
    subjectCount: version.subjectCount,
    mostRecordsOfOneSubject: version.maxRecordsPerSubject,
    expectedBatchSize: samplingRate * population,
    steps,
  });
  const refusal = estimate.refusal ?? runRefusal(read, budget, before.epsilon, after.epsilon, runEpsilon);
  const projection = {
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
    estimate,
    refusal,
    budget,
  };
  return { projection, curves };
}

/** What the audit entry for a run's canaries digests: the plan and, per canary, its digest and inclusion coin. */
export function canaryAuditInput(commitment: CanaryCommitment, canaries: readonly Pick<Canary, "digest" | "included">[]) {
  return { plan: commitment.plan, canaries: canaries.map((c) => ({ digest: c.digest, included: c.included })) };
}

/**
 * Checks and reserves in one transaction, the budget's row locked before it is read: two launches cannot both fit
 * when one does.
 * A launch the projection already refuses without the lock is refused at once, holding no lock (refusing never spends,
 * so a check on a moment-old ledger is safe; only an admission must be made under the lock).
 */
export async function launchRun(db: Db, user: SessionUser, actor: Actor, input: RunRequest) {
  // The checks that do not read the budget, once; then the budget's part, refused early without a lock when it does
  // not fit, and again in the transaction under the budget's and the curves' locks.
  const subject = await launchSubject(db, user, input);
  const { version } = subject;
  const id = randomUUID();
  const drawn = input.canaries && prepareCanaries(input.canaries);
  const early = (await budgetProjection(db, subject, input)).projection;
  if (early.refusal) throw new AppError("CONFLICT", early.refusal);
  const done = await audited(db, { actor, action: "run.launch", entityType: "run", entityId: id, input }, async (tx) => {
    const { projection: p, curves } = await budgetProjection(tx, subject, input, tx);
    if (p.refusal) throw new AppError("CONFLICT", p.refusal);
    const inserted = tx.insert(runs).values({
      id,
      datasetId: version.datasetId,
      datasetVersionId: version.id,
      baseModelVersionId: input.baseModelVersionId,
      privacyUnit: input.privacyUnit,
      samplingRate: p.samplingRate,
      noiseMultiplier: p.noiseMultiplier,
      plannedSteps: p.steps,
      spec: JSON.stringify(input),
      canaryPlan: drawn ? JSON.stringify(drawn.commitment.plan) : null,
      createdBy: user.id,
      createdAt: new Date().toISOString(),
    });
    // The run and its reservation on the curves (locked above) are written pipelined.
    await pipelined(() => inserted, () => countNewRunOnLockedCurves(tx, version.datasetId, curves, { runId: id, samplingRate: p.samplingRate, noiseMultiplier: p.noiseMultiplier, plannedSteps: p.steps }));
    if (drawn) {
      for (const [idx, c] of drawn.canaries.entries()) await tx.insert(runCanaries).values({ runId: id, idx, ...c });
      // The commitment (settings, digests and inclusion) enters the audit log now, before any training.
      await appendAudit(tx, { actor, action: "run.canaries", entityType: "run", entityId: id, input: canaryAuditInput(drawn.commitment, drawn.canaries) });
    }
    return { runId: id, projection: p };
  });
  await announceQueued(db, done.runId); // after the commit: runners may claim it now
  return done;
}

export const runIdInput = z.object({ runId: z.uuid() });

/** A run the user may act on: its launcher, or (for cancelling) a privacy officer. */
async function actionableRun(db: Executor, user: SessionUser, runId: string, officerMay: boolean) {
  const run = await first(db.select().from(runs).where(eq(runs.id, runId)));
  if (!run || !(await maySeeDataset(db, user, run.datasetId))) throw new AppError("NOT_FOUND", "No such run.");
  if (run.createdBy !== user.id && !(officerMay && may(user.role, ABILITIES["runs.cancel.any"]))) {
    throw new AppError("FORBIDDEN", "Only the engineer who launched this run may do that.");
  }
  return run;
}

/** Cancels a queued run at once, or asks the runner to stop a running one at its next step boundary. */
export function cancelRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>) {
  return audited(db, { actor, action: "run.cancel", entityType: "run", entityId: input.runId, input }, async (tx) => {
    await engineOf(tx).lockRow(tx, "runs", input.runId); // a runner may be claiming it
    const run = await actionableRun(tx, user, input.runId, true);
    if (run.status === "queued") {
      await tx.update(runs).set({ status: "cancelled", statusReason: "cancelled before it started", endedAt: new Date().toISOString() }).where(eq(runs.id, run.id));
    } else if (run.status === "running") {
      await tx.update(runs).set({ cancelRequested: true }).where(eq(runs.id, run.id));
    } else {
      throw new AppError("CONFLICT", `This run is ${run.status}; only queued or running runs can be cancelled.`);
    }
    const view = runView((await first(tx.select().from(runs).where(eq(runs.id, run.id))))!);
    // Its reservation is given back last, so that the lineage's curves are locked only for that and the audit entry.
    if (run.status === "queued") await syncRunOnLedger(tx, run.id);
    return view;
  });
}

/**
 * Queues an interrupted run again, from its last checkpoint (or from the start if it has none). The steps after the
 * checkpoint are run, and charged, again; the budget is checked and the new reservation made in one transaction.
 */
export async function resumeRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>) {
  const done = await audited(db, { actor, action: "run.resume", entityType: "run", entityId: input.runId, input }, async (tx) => {
    await engineOf(tx).lockRow(tx, "runs", input.runId);
    const run = await actionableRun(tx, user, input.runId, false);
    if (run.status !== "interrupted") throw new AppError("CONFLICT", `This run is ${run.status}; only interrupted runs can be resumed.`);
    await requireTrainingAccess(tx, user, run.datasetId);
    await visibleModelVersion(tx, user, run.baseModelVersionId); // its base model's data too, as at launch
    const resumed = { ...run, status: "queued" as const, segmentBaseSteps: run.chargedSteps, resumeFromStep: run.checkpointStep ?? 0, cancelRequested: false };
    await engineOf(tx).lockRow(tx, "budgets", run.datasetId);
    const budget = await existingBudget(tx, run.datasetId);
    // The curves count the interrupted run at its charged steps; resumed, it is reserved at reservedSteps(resumed).
    const [curves, read] = await pipelined(() => lockLineageCurves(tx, run.datasetId), () => readRefusals(tx, run.datasetVersionId, budget));
    const steps = reservedSteps(resumed);
    const before = epsilonOfCurve(curves.reserved, budget.delta);
    const after = epsilonOfCurve(addSteps(copyCurve(curves.reserved), run.samplingRate, run.noiseMultiplier, steps - run.chargedSteps), budget.delta);
    const runEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, steps), budget.delta);
    const refusal = runRefusal(read, budget, before, after, runEpsilon);
    if (refusal) throw new AppError("CONFLICT", refusal);
    await tx
      .update(runs)
      .set({ status: "queued", statusReason: "resumed", segmentBaseSteps: resumed.segmentBaseSteps, resumeFromStep: resumed.resumeFromStep, cancelRequested: false, endedAt: null })
      .where(eq(runs.id, run.id));
    await syncRunOnLedger(tx, run.id);
    return runView((await first(tx.select().from(runs).where(eq(runs.id, run.id))))!);
  });
  await announceQueued(db, done.id); // after the commit: runners may claim it now
  return done;
}
