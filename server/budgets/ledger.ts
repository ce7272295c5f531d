// The privacy ledger of a dataset lineage: every run's events (charged, or reserved while it may still run) and every
// DP count release's, composed by the accountant's composition; epsilons are never added (the naive sum is shown
// only to make the saving visible).
import { asc, count, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { first, preparedRead, type Executor } from "../../db/client";
import { ACTIVE_RUN_STATUSES, budgets, countReleases, runs, type Run } from "../../db/schema";
import { createAccountant, dpSgdEvent, groupPrivacy, parseEvent, type PrivacyEvent, type PrivacyUnit } from "../../trainer/privacy";
import { LEDGER_ORDERS } from "./curve-math";
import { isSyntheticOnly, postProcessingBudget } from "./post-processing";

/**
 * The accountant that enforces budgets and composes the ledger: RDP is an upper bound, and fast enough to run inside
 * a launch transaction (its composition adds one RDP curve per entry, from remembered one-step curves).
 */
export const LEDGER_ACCOUNTANT = createAccountant("rdp", { orders: LEDGER_ORDERS });

type RunCharge = Pick<
  Run,
  "id" | "status" | "privacyUnit" | "samplingRate" | "noiseMultiplier" | "plannedSteps" | "chargedSteps" | "resumeFromStep" | "segmentBaseSteps"
>;

export function isActive(run: Pick<Run, "status">): boolean {
  return (ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status);
}

/**
 * Steps a queued or running run may still come to: those charged before its current segment plus the segment's
 * planned remainder (a resumed run repeats the steps after its checkpoint, and those are charged again).
 */
export function reservedSteps(run: Pick<Run, "chargedSteps" | "segmentBaseSteps" | "plannedSteps" | "resumeFromStep">): number {
  return Math.max(run.chargedSteps, run.segmentBaseSteps + run.plannedSteps - run.resumeFromStep);
}

/** One run's charge on the ledger: its events, for the privacy unit it protected. */
export interface LedgerEntry {
  run_id: string;
  privacy_unit: PrivacyUnit;
  event: PrivacyEvent;
}

/** A run's entry: what it may still come to while it may still run (the reservation), else the steps charged. */
export function ledgerEntry(run: RunCharge): LedgerEntry {
  return { run_id: run.id, privacy_unit: run.privacyUnit, event: dpSgdEvent(run.samplingRate, run.noiseMultiplier, entrySteps(run)) };
}

/** The steps of a run's entry: those it may still come to while it may still run, else those charged. */
function entrySteps(run: RunCharge): number {
  return isActive(run) ? reservedSteps(run) : run.chargedSteps;
}

const segmentEndSql = sql`${runs.segmentBaseSteps} + ${runs.plannedSteps} - ${runs.resumeFromStep}`;
/** entrySteps in SQL. */
export const entryStepsSql = sql<number>`CASE WHEN ${inArray(runs.status, [...ACTIVE_RUN_STATUSES])} THEN (CASE WHEN ${runs.chargedSteps} > ${segmentEndSql} THEN ${runs.chargedSteps} ELSE ${segmentEndSql} END) ELSE ${runs.chargedSteps} END`;

/** A run as the ledger charges it. */
export type RunItem = RunCharge & { createdAt: string };

/** A DP count release (Gaussian noise on a version's record and subject counts), charged in full when it is made. */
export interface ReleaseItem {
  kind: "count release";
  id: string;
  datasetVersionId: string;
  event: PrivacyEvent;
  createdAt: string;
}

/** What composes on a lineage's ledger: its runs and its count releases. */
export type LedgerItem = RunItem | ReleaseItem;

export function isRelease(item: LedgerItem): item is ReleaseItem {
  return "kind" in item && item.kind === "count release";
}

interface ShareFigures {
  createdAt: string;
  /** The entry's own epsilon at the budget's delta (what it would cost alone). */
  epsilonAlone: number;
  /** Composed epsilon of the lineage after this entry (in time order): the budget-over-time curve. */
  cumulativeEpsilon: number;
  /** Reserved by a run that may still run, not yet charged (never for a release). */
  reserved: boolean;
}
export type RunShare = ShareFigures & { kind: "run"; runId: string; status: Run["status"] };
export type ReleaseShare = ShareFigures & { kind: "count release"; releaseId: string; datasetVersionId: string };
/** One entry of the ledger with its share of the spend. */
export type LedgerShare = RunShare | ReleaseShare;

export interface LineageSpend<Share extends LedgerShare = LedgerShare> {
  delta: number;
  accountant: string;
  /** Composed epsilon of every charge and reservation. */
  epsilon: number;
  /** Composed epsilon of charges only (what has certainly been spent). */
  chargedEpsilon: number;
  /** What adding each entry's epsilon would have claimed. */
  naiveEpsilonSum: number;
  /** The ledger's entries in time order: the runs and (kind "count release") the DP count releases. */
  runs: Share[];
}

/**
 * The composed spend of a lineage's ledger at `delta`, with each entry's share in the order given (time order): the
 * entries' events go one by one into LEDGER_ACCOUNTANT's composition (one with the reservations, one with charges
 * only), in time linear in the number of entries. Every entry of a lineage protects the budget's unit.
 */
export function spendOf(items: readonly RunItem[], delta: number): LineageSpend<RunShare>;
export function spendOf(items: readonly LedgerItem[], delta: number): LineageSpend;
export function spendOf(items: readonly LedgerItem[], delta: number): LineageSpend {
  const reserved = LEDGER_ACCOUNTANT.composition();
  const charged = LEDGER_ACCOUNTANT.composition();
  // Entries alike (same settings and steps, as repeated and cancelled runs often are) cost alike: each distinct
  // event is made, and its own epsilon converted, once.
  const alike = new Map<string, { event: PrivacyEvent; epsilon: number }>();
  const runEvent = (samplingRate: number, noiseMultiplier: number, steps: number) => {
    const key = `${samplingRate}/${noiseMultiplier}/${steps}`;
    let known = alike.get(key);
    if (!known) {
      const event = dpSgdEvent(samplingRate, noiseMultiplier, steps);
      alike.set(key, (known = { event, epsilon: LEDGER_ACCOUNTANT.epsilon(event, delta) }));
    }
    return known;
  };
  const shares: LedgerShare[] = items.map((item) => {
    if (isRelease(item)) {
      reserved.add(item.event);
      charged.add(item.event);
      const figures = { createdAt: item.createdAt, epsilonAlone: LEDGER_ACCOUNTANT.epsilon(item.event, delta), cumulativeEpsilon: reserved.epsilon(delta), reserved: false };
      return { kind: "count release", releaseId: item.id, datasetVersionId: item.datasetVersionId, ...figures };
    }
    const own = runEvent(item.samplingRate, item.noiseMultiplier, entrySteps(item));
    reserved.add(own.event);
    charged.add(isActive(item) ? runEvent(item.samplingRate, item.noiseMultiplier, item.chargedSteps).event : own.event);
    const figures = { createdAt: item.createdAt, epsilonAlone: own.epsilon, cumulativeEpsilon: reserved.epsilon(delta), reserved: isActive(item) };
    return { kind: "run", runId: item.id, status: item.status, ...figures };
  });
  return {
    delta,
    accountant: LEDGER_ACCOUNTANT.description,
    epsilon: reserved.epsilon(delta),
    chargedEpsilon: charged.epsilon(delta),
    naiveEpsilonSum: shares.reduce((sum, s) => sum + s.epsilonAlone, 0),
    runs: shares,
  };
}

/** The columns of a run that the ledger charges from. */
const runItemColumns = {
  id: runs.id,
  status: runs.status,
  privacyUnit: runs.privacyUnit,
  samplingRate: runs.samplingRate,
  noiseMultiplier: runs.noiseMultiplier,
  plannedSteps: runs.plannedSteps,
  chargedSteps: runs.chargedSteps,
  resumeFromStep: runs.resumeFromStep,
  segmentBaseSteps: runs.segmentBaseSteps,
  createdAt: runs.createdAt,
};

/** A lineage's runs in launch order, as the ledger charges them. */
export function lineageRuns(db: Executor, datasetId: string): Promise<RunItem[]> {
  return runsOfLineage(db, { datasetId });
}

const runsOfLineage = preparedRead("ledger_runs_of_lineage", (db) =>
  db.select(runItemColumns).from(runs).where(eq(runs.datasetId, sql.placeholder("datasetId"))).orderBy(asc(runs.createdAt), asc(runs.id)),
);
/** The count releases of the lineages `lineages` names, oldest first. */
function releasesQuery(db: Executor, lineages: SQL | undefined) {
  return db.select().from(countReleases).where(lineages).orderBy(asc(countReleases.releasedAt), asc(countReleases.id));
}

const releasesOfLineage = preparedRead("ledger_releases_of_lineage", (db) => releasesQuery(db, eq(countReleases.datasetId, sql.placeholder("datasetId"))));

type ReleaseRow = typeof countReleases.$inferSelect;

/** A count release as the ledger charges it. */
export function releaseItem(r: ReleaseRow): ReleaseItem {
  return { kind: "count release", id: r.id, datasetVersionId: r.datasetVersionId, event: parseEvent(r.event), createdAt: r.releasedAt };
}

/** A lineage's DP count releases, oldest first, as the ledger charges them. */
export async function lineageReleases(db: Executor, datasetId: string): Promise<ReleaseItem[]> {
  return (await releasesOfLineage(db, { datasetId })).map(releaseItem);
}

/** The count releases of the lineages `which` names, oldest first (releaseItem makes them ledger entries). */
export function releasesWhere(db: Executor, which: (datasetId: SQLiteColumn) => SQL | undefined) {
  return releasesQuery(db, which(countReleases.datasetId));
}

/**
 * Everything on a lineage's ledger in time order: its runs (launch order) and its count releases, which the pages that
 * show each entry's share compose (spendOf). The budget checks read the lineage's stored curves instead
 * (lineage-curve.ts), kept equal to this composition (audit:verify recomputes them from these entries).
 */
export async function lineageEntries(db: Executor, datasetId: string): Promise<LedgerItem[]> {
  const [runItems, releases] = await Promise.all([lineageRuns(db, datasetId), lineageReleases(db, datasetId)]);
  const items: LedgerItem[] = [...runItems, ...releases];
  return items.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/**
 * The runs of the lineages `which` names, grouped alike (by lineage, settings and entry steps), with how many there are
 * of each: what naiveSumOf adds up, however many runs there are.
 */
export function entryGroupsWhere(db: Executor, which: (datasetId: SQLiteColumn) => SQL | undefined) {
  return db
    .select({ datasetId: runs.datasetId, samplingRate: runs.samplingRate, noiseMultiplier: runs.noiseMultiplier, steps: entryStepsSql.mapWith(Number), n: count() })
    .from(runs)
    .where(which(runs.datasetId))
    .groupBy(sql`1, 2, 3, 4`);
}

/**
 * What adding the epsilons of a lineage's entries at `delta` would claim (spendOf's naiveEpsilonSum), from its runs
 * grouped alike (entryGroupsWhere) and its count releases: no row per run is read.
 */
export function naiveSumOf(
  runGroups: readonly { samplingRate: number; noiseMultiplier: number; steps: number; n: number }[],
  releases: readonly Pick<ReleaseItem, "event">[],
  delta: number,
): number {
  const ofRuns = runGroups.reduce((sum, g) => sum + g.n * LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(g.samplingRate, g.noiseMultiplier, g.steps), delta), 0);
  return releases.reduce((sum, r) => sum + LEDGER_ACCOUNTANT.epsilon(r.event, delta), ofRuns);
}

/**
 * The delta at which a lineage's epsilons are stated: its budget's. Every lineage with runs has a budget (no run
 * starts without one, and budgets are never removed), stored or, for a synthetic-only lineage, post-processing's.
 */
export async function lineageDelta(db: Executor, datasetId: string): Promise<number> {
  const budget = await first(db.select({ delta: budgets.delta }).from(budgets).where(eq(budgets.datasetId, datasetId)));
  if (budget) return budget.delta;
  if (await isSyntheticOnly(db, datasetId)) return postProcessingBudget(datasetId).delta;
  throw new Error(`dataset ${datasetId} has runs but no budget`);
}

export async function lineageSpend(db: Executor, datasetId: string, delta: number): Promise<LineageSpend> {
  return spendOf(await lineageEntries(db, datasetId), delta);
}

/** The person-level figure from group privacy, shown beside a record-level one when subjects have k > 1 records. */
export function personLevel(epsilon: number, delta: number, maxRecordsPerSubject: number) {
  return maxRecordsPerSubject > 1 ? groupPrivacy(epsilon, delta, maxRecordsPerSubject) : null;
}
