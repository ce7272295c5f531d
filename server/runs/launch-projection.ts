// The launch's projection, shared by the preview and the launch: the checks that do not read the budget (checkedLaunch),
// then the budget's part (projectOnto: the run's epsilon alone and composed with the lineage's curves, its memory
// estimate, and why it would be refused) on the lineage's state, read as it is now, or in an admission's transaction
// under the budget's and the curves' locks.
import { lockedRow, pipelined, type Executor, type Tx } from "../../db/client";
import { datasetVersions, type Budget, type DatasetVersion, type ModelVersion } from "../../db/schema";
import { calibrateNoiseMultiplier, dpSgdEvent } from "../../trainer/privacy";
import { modelConfigSchema } from "../../trainer/contract/model-config";
import { chargedNoiseMultiplier } from "../../trainer/contract/federation/distributed-noise";
import { trainableCount } from "../../trainer/contract/federation/trainable";
import { chargeRefusal } from "../budgets/admission";
import { addSteps, copyCurve, epsilonOfCurve, type LineageCurves } from "../budgets/curve-math";
import { deltaRefusalAt, lineageUnitCounts, subjectFieldRefusalOf } from "../budgets/delta-bound";
import { LEDGER_ACCOUNTANT } from "../budgets/ledger";
import { lineageCurvesNow, lockLineageCurves } from "../budgets/lineage-curve";
import { lockAuditChain, type ChainHead } from "../audit/service";
import { existingBudget, lockedBudget } from "../budgets/service";
import type { SessionUser } from "../context";
import { maySeeDataset, requireTrainer } from "../datasets/access";
import { filesDeletedRefusal } from "../datasets/version-files";
import { datasetVersionById, isFederationLineage, knownDatasetOf, extraFieldsOf } from "../datasets/version-row";
import { AppError } from "../errors";
import { visibleModelVersion } from "../models/visibility";
import { syntheticUseRefusal } from "../synthetic/use";
import { federatedRequestRefusal, type RunRequest } from "./run-request";
import { estimateRun, type RunEstimate } from "./run-estimate";

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
  /**
   * The model version whose synthetic records the run trains on, or null for real data: such a run charges nothing to
   * any lineage of real people (post-processing) and needs no budget while the dataset holds no real version.
   */
  syntheticOf: string | null;
}

const RUN_CHARGE = { what: "This run", forbidden: "no run may start" };

/**
 * The refusals runRefusal gives before the budget's own, in its order: the version's files must be kept and, at subject
 * level, it must name its subjects (both decided by the version's row), and the delta must stay below 1/N (`delta`:
 * deltaRefusal's answer).
 */
function versionRefusals(version: DatasetVersion, budget: Budget, delta: string | null): (string | null)[] {
  return [filesDeletedRefusal(version), subjectFieldRefusalOf([version], "version", budget.privacyUnit), delta];
}

/**
 * The version's row locked as it is read, and the lineage's unit counts: what versionRefusals needs in an admission's
 * transaction. The lock makes a deletion of the version's files (which locks the row too, then looks for queued runs)
 * happen wholly before the admission or after it.
 */
function lockedVersionReads(tx: Tx, version: Pick<DatasetVersion, "id" | "datasetId">, chain = false) {
  return pipelined(
    () => lockedRow(tx, datasetVersions, version.id),
    () => lineageUnitCounts(tx, version.datasetId),
    // With `chain`, then the audit chain's lock and head (lockedLineageAndChain).
    () => (chain ? lockAuditChain(tx) : Promise.resolve(null)),
  );
}

/** versionRefusals on lockedVersionReads' answer. */
function lockedVersionRefusals([row, unitCounts]: Awaited<ReturnType<typeof lockedVersionReads>>, budget: Budget): (string | null)[] {
  if (!row) throw new AppError("NOT_FOUND", "No such dataset version.");
  return versionRefusals(row, budget, deltaRefusalAt(unitCounts, budget));
}

/** versionRefusals in an admission's transaction, for another version of the lineage than lockedLineageState's. */
export async function lockedRefusals(tx: Tx, version: Pick<DatasetVersion, "id" | "datasetId">, budget: Budget): Promise<(string | null)[]> {
  return lockedVersionRefusals(await lockedVersionReads(tx, version), budget);
}

/**
 * Why a run may not (re)start on this dataset version, or null when it may: its files must be kept (not deleted by an
 * officer or by retention), a subject-level run needs a subject field, the budget's delta must stay below 1/N of the
 * lineage's units (a later, larger version can break that), and the run's spend, composed with the lineage's, must
 * fit the budget. `read`: versionRefusals' answers.
 */
export function runRefusal(read: readonly (string | null)[], budget: Budget, before: number, after: number, runEpsilon: number): string | null {
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
export interface LaunchSubject {
  version: DatasetVersion;
  base: ModelVersion;
}

/**
 * The launch's checks that do not read the budget (the version is visible to the user, who may train on it, from a
 * base model whose data they may see; a synthetic version must be approved), and the lineage's state as it is now,
 * read at once with them as soon as the version is known: the state is given only when the checks pass, and their
 * refusals come first, in this order.
 */
export async function checkedLaunch(db: Executor, user: SessionUser, input: RunRequest): Promise<{ subject: LaunchSubject; state: LineageState }> {
  // The dataset's checks and the model's are independent: at once.
  const [{ version, state }, base] = await settledInOrder([trainableVersion(db, user, input.datasetVersionId), visibleModelVersion(db, user, input.baseModelVersionId)]);
  if (base.status === "withdrawn") throw new AppError("CONFLICT", "That model version was withdrawn and cannot be fine-tuned.");
  if (input.task && !extraFieldsOf(version).includes(input.task.labelField)) {
    throw new AppError("BAD_REQUEST", `The dataset version has no field "${input.task.labelField}" to take labels from.`);
  }
  const syntheticRefusal = await syntheticUseRefusal(db, version);
  if (syntheticRefusal) throw new AppError("CONFLICT", syntheticRefusal);
  const federated = federatedRequestRefusal(input, await isFederationLineage(db, version.datasetId));
  if (federated) throw new AppError("BAD_REQUEST", federated);
  if (state.status === "rejected") throw state.reason;
  return { subject: { version, base }, state: state.value };
}

/**
 * The dataset version, if the user may see it and train on it, and how reading its lineage's state now ended. Once the
 * version's dataset is known (knownDatasetOf), every read goes out at once.
 */
async function trainableVersion(db: Executor, user: SessionUser, versionId: string) {
  const reading = datasetVersionById(db, versionId);
  const datasetId = knownDatasetOf(versionId) ?? (await reading)?.datasetId;
  if (!datasetId) throw new AppError("NOT_FOUND", "No such dataset version.");
  // At once; one the user may not see is "no such version", whatever else refuses it.
  const [version, visible, lineage] = await Promise.allSettled([reading, maySeeDataset(db, user, datasetId), lineageReadsNow(db, datasetId)]);
  if (version.status === "rejected") throw version.reason;
  if (visible.status === "rejected") throw visible.reason;
  if (!version.value || !visible.value) throw new AppError("NOT_FOUND", "No such dataset version.");
  requireTrainer(user);
  const state = lineage.status === "fulfilled" ? ({ status: "fulfilled", value: stateOf(version.value, lineage.value) } as const) : lineage;
  return { version: version.value, state };
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
  const { subject, state } = await checkedLaunch(db, user, input);
  return projectOnto(subject, input, state);
}

/** What a projection reads of the lineage: its budget, its composed curves, and versionRefusals' answers for the version. */
export interface LineageState {
  budget: Budget;
  curves: LineageCurves;
  read: readonly (string | null)[];
}

/** What the lineage's state is made of, read as it is now, without a lock (the preview, and the launch's early check). */
async function lineageReadsNow(db: Executor, datasetId: string) {
  const [budget, curves, unitCounts] = await Promise.all([existingBudget(db, datasetId), lineageCurvesNow(db, datasetId), lineageUnitCounts(db, datasetId)]);
  return { budget, curves, unitCounts };
}

/** The lineage's state for a version of it, from lineageReadsNow's answer. */
function stateOf(version: DatasetVersion, { budget, curves, unitCounts }: Awaited<ReturnType<typeof lineageReadsNow>>): LineageState {
  return { budget, curves, read: versionRefusals(version, budget, deltaRefusalAt(unitCounts, budget)) };
}

/**
 * The lineage's state in an admission's transaction: the budget's row, then the lineage's curve row, then the
 * version's row, each locked as it is read, all pipelined (one round trip); the curves stay locked for the admission
 * to count its runs on.
 * The budget is locked only after the checks that do not read it: it is held for the budget's part alone (the checks
 * read committed rows either way, under READ COMMITTED or SQLite's one writer).
 */
export async function lockedLineageState(tx: Tx, version: Pick<DatasetVersion, "id" | "datasetId">): Promise<LineageState> {
  return (await lockedLineageAndChain(tx, version, false)).state;
}

/**
 * lockedLineageState and, with `chain`, then the audit chain's lock and head, all in the same round trip: for an
 * admission, which appends its entries last. The locks reach the connection, and so are taken, in this order: the
 * budget's, the curves', the version's, the chain's, as in every transaction that takes them (a test watches it).
 */
export async function lockedLineageAndChain<C extends boolean>(tx: Tx, version: Pick<DatasetVersion, "id" | "datasetId">, chain: C) {
  const [budget, curves, versionReads] = await pipelined(
    () => lockedBudget(tx, version.datasetId),
    () => lockLineageCurves(tx, version.datasetId),
    // Pipelined as deep as the curves' own statements, so sent after them.
    () => lockedVersionReads(tx, version, chain),
  );
  const state: LineageState = { budget, curves, read: lockedVersionRefusals(versionReads, budget) };
  return { state, head: versionReads[2] as C extends true ? ChainHead : null };
}

/**
 * The budget's part of the projection, for a subject that passed checkedLaunch's checks, on the lineage's state (read
 * now or locked): the new run is reserved at its planned steps, the lineage's reserved curve plus theirs.
 */
export function projectOnto({ version, base }: LaunchSubject, input: RunRequest, { budget, curves, read }: LineageState): Projection {
  if (input.privacyUnit !== budget.privacyUnit) {
    throw new AppError("BAD_REQUEST", `This dataset's budget protects each ${budget.privacyUnit}; the run must use the same privacy unit.`);
  }
  const population = input.privacyUnit === "subject" ? version.subjectCount : version.recordCount;
  const sampled = input.batch.by === "sampling_rate" ? input.batch.samplingRate : Math.min(1, input.batch.expectedBatchSize / population);
  const steps = input.length.by === "steps" ? input.length.steps : Math.ceil(input.length.epochs / sampled);
  const noise =
    input.privacy.mode === "noise_multiplier"
      ? input.privacy.noiseMultiplier
      : calibratedNoise({ targetEpsilon: input.privacy.targetEpsilon, delta: budget.delta, samplingRate: sampled, steps });
  // What the ledger charges per step: the settings themselves, or with distributed noise the Gaussian of the same
  // zCDP without amplification by sampling (trainer/contract/federation/distributed-noise.ts).
  const distributed = input.federation?.noise === "distributed";
  const samplingRate = distributed ? 1 : sampled;
  const dimension = distributed ? trainableCount(modelConfigSchema.parse(JSON.parse(base.config)), input.fineTuning) : 0;
  const noiseMultiplier = distributed ? chargedNoiseMultiplier({ parties: population, clipNorm: input.clipNorm, noiseMultiplier: noise, dimension }) : noise;

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
  // A federated run trains at the parties, not in the trainer whose memory the estimate is of.
  const refusal = (input.federation ? null : estimate.refusal) ?? runRefusal(read, budget, before.epsilon, after.epsilon, runEpsilon);
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
    estimate,
    refusal,
    budget,
    syntheticOf: version.sourceModelVersionId,
  };
}
