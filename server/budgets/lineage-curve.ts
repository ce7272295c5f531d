// The stored composed curves of a lineage's ledger (db/schema/ledger-curves.ts): updated by the difference a run's
// change makes, in the change's transaction under the curve row's lock, so that a budget check reads O(orders) numbers
// whatever the number of runs. A lineage without a curve (a database from before them) has it built from its events.
import { and, eq, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { first, inChunks, lockedRow, pipelined, preparedRead, type Executor, type Tx } from "../../db/client";
import { countReleases, ledgerRunContributions, lineageCurves, runs } from "../../db/schema";
import { parseEvent } from "../../trainer/privacy";
import { entryStepsSql, reservedSteps } from "./ledger";
import {
  LEDGER_ORDERS_DIGEST,
  addEvent,
  addSteps,
  decodeCurve,
  emptyCurve,
  encodeCurve,
  ledgerEpsilons,
  type LineageCurves,
} from "./curve-math";

/** What the curve code has read of the runs table into this process (the test of a check's cost reads it). */
export const curveReads = { runRows: 0 };

/** A run's steps as the curves are to count them, and as they counted them before. */
export interface CurveChange {
  runId: string;
  samplingRate: number;
  noiseMultiplier: number;
  reserved: number;
  charged: number;
  hadReserved: number;
  hadCharged: number;
}

/**
 * The lineage's runs (or the one run) whose steps now differ from what the curves count them with: normally only the
 * run a transaction just changed, or none, so that no other run row is read. With `all`, every run (a build).
 */
async function changedRuns(db: Executor, datasetId: string, options: { runId?: string; all?: boolean }): Promise<CurveChange[]> {
  const rows = options.runId || options.all ? await changedRunsQuery(db, eq(runs.datasetId, datasetId), options) : await changedRunsOf(db, { datasetId });
  return toChanges(rows, options.all);
}

type ChangedRunRow = Awaited<ReturnType<typeof changedRunsQuery>>[number];

/** The changes of changedRunsQuery's rows (with `all`, as if the curves counted none of them yet). */
export function toChanges(rows: readonly ChangedRunRow[], all = false): CurveChange[] {
  curveReads.runRows += rows.length;
  return rows.map((r) => ({
    ...r,
    charged: Number(r.charged),
    hadReserved: all ? 0 : Number(r.hadReserved ?? 0),
    hadCharged: all ? 0 : Number(r.hadCharged ?? 0),
  }));
}

function changedRunsQuery(db: Executor, lineages: SQL | undefined, options: { runId?: string; all?: boolean }) {
  const c = ledgerRunContributions;
  return db
    .select({
      datasetId: runs.datasetId,
      runId: runs.id,
      samplingRate: runs.samplingRate,
      noiseMultiplier: runs.noiseMultiplier,
      reserved: entryStepsSql.mapWith(Number),
      charged: runs.chargedSteps,
      hadReserved: c.reservedSteps,
      hadCharged: c.chargedSteps,
    })
    .from(runs)
    .leftJoin(c, eq(c.runId, runs.id))
    .where(
      and(
        lineages,
        options.runId ? eq(runs.id, options.runId) : undefined,
        options.all ? undefined : or(isNull(c.runId), ne(c.reservedSteps, entryStepsSql), ne(c.chargedSteps, runs.chargedSteps)),
      ),
    );
}

/** The runs the curves do not count as they are now, of the lineages `which` names (toChanges makes them changes). */
export function changedRunsWhere(db: Executor, which: (datasetId: SQLiteColumn) => SQL | undefined) {
  return changedRunsQuery(db, which(runs.datasetId), {});
}

/** The lineage's runs the curves do not count as they are now (the common case, read on every budget check). */
const changedRunsOf = preparedRead("ledger_changed_runs_of_lineage", (db) => changedRunsQuery(db, eq(runs.datasetId, sql.placeholder("datasetId")), {}));
const curveRowOf = preparedRead("ledger_curve_row_of_lineage", (db) => db.select().from(lineageCurves).where(eq(lineageCurves.datasetId, sql.placeholder("datasetId"))));

function apply(curves: LineageCurves, changes: readonly CurveChange[]): void {
  for (const ch of changes) {
    addSteps(curves.reserved, ch.samplingRate, ch.noiseMultiplier, ch.reserved - ch.hadReserved);
    addSteps(curves.charged, ch.samplingRate, ch.noiseMultiplier, ch.charged - ch.hadCharged);
  }
}

/** Every count release of the lineage, charged in full on both curves. */
async function withReleases(db: Executor, datasetId: string): Promise<LineageCurves> {
  const curves = { reserved: emptyCurve(), charged: emptyCurve() };
  for (const r of await db.select({ event: countReleases.event }).from(countReleases).where(eq(countReleases.datasetId, datasetId))) {
    const event = parseEvent(r.event);
    addEvent(curves.reserved, event);
    addEvent(curves.charged, event);
  }
  return curves;
}

/**
 * The lineage's curves as they stand, for reading (no lock, nothing written; a check that reserves uses
 * lockLineageCurves): the stored ones with any change not yet counted applied, or, where none are stored yet, built
 * from the events.
 */
export async function lineageCurvesNow(db: Executor, datasetId: string): Promise<LineageCurves> {
  // The row and the runs it does not count yet, at once (a build, rare, reads the runs again).
  const [[row], changes] = await Promise.all([curveRowOf(db, { datasetId }), changedRuns(db, datasetId, {})]);
  return curvesFrom(row, changes) ?? builtCurves(db, datasetId);
}

/** The stored curves with the changes they do not count yet applied; null when there are none at the ledger's orders. */
export function curvesFrom(row: typeof lineageCurves.$inferSelect | undefined, changes: readonly CurveChange[]): LineageCurves | null {
  if (!row || row.ordersDigest !== LEDGER_ORDERS_DIGEST) return null;
  const curves = { reserved: decodeCurve(row.reserved), charged: decodeCurve(row.charged) };
  apply(curves, changes);
  return curves;
}

/** The lineage's curves built from its events (where none are stored at the ledger's orders). */
export async function builtCurves(db: Executor, datasetId: string): Promise<LineageCurves> {
  const curves = await withReleases(db, datasetId);
  apply(curves, await changedRuns(db, datasetId, { all: true }));
  return curves;
}

async function store(tx: Tx, datasetId: string, curves: LineageCurves): Promise<void> {
  await tx
    .update(lineageCurves)
    .set({ ordersDigest: LEDGER_ORDERS_DIGEST, reserved: encodeCurve(curves.reserved), charged: encodeCurve(curves.charged), updatedAt: new Date().toISOString() })
    .where(eq(lineageCurves.datasetId, datasetId));
}

async function recordContributions(tx: Tx, datasetId: string, changes: readonly CurveChange[]): Promise<void> {
  const c = ledgerRunContributions;
  for (const chunk of inChunks(changes)) {
    const values = chunk.map((ch) => ({ runId: ch.runId, datasetId, reservedSteps: ch.reserved, chargedSteps: ch.charged }));
    await tx
      .insert(c)
      .values(values)
      .onConflictDoUpdate({ target: c.runId, set: { reservedSteps: sql`excluded.reserved_steps`, chargedSteps: sql`excluded.charged_steps` } });
  }
}

/**
 * Locks the lineage's curve row until `tx` ends (creating it first if there is none: concurrent creators wait on its
 * key), builds the curves from the events when there are none at these orders, counts any run change not yet
 * counted (`runId`: only that run's), stores them, and returns them. Every writer of a lineage's curves goes through
 * here, so on PostgreSQL concurrent charges of one lineage are applied one after the other and none is lost.
 */
export async function lockLineageCurves(tx: Tx, datasetId: string, options: { runId?: string } = {}): Promise<LineageCurves> {
  let locked = await lockedCurveRow(tx, datasetId, options);
  if (!locked.row) {
    await createCurveRow(tx, datasetId);
    locked = await lockedCurveRow(tx, datasetId, options);
  }
  const row = locked.row!;
  const build = row.ordersDigest !== LEDGER_ORDERS_DIGEST;
  const curves = build ? await withReleases(tx, datasetId) : { reserved: decodeCurve(row.reserved), charged: decodeCurve(row.charged) };
  const changes = build ? await changedRuns(tx, datasetId, { all: true }) : locked.changes;
  await countChanges(tx, datasetId, curves, changes, build);
  return curves;
}

/** The curve row, locked, and the runs changed since it counted them (read once the lock is granted), pipelined. */
async function lockedCurveRow(tx: Tx, datasetId: string, options: { runId?: string }) {
  const [row, changes] = await pipelined(
    () => lockedRow(tx, lineageCurves, datasetId),
    () => changedRuns(tx, datasetId, options),
  );
  return { row, changes };
}

/** The lineage's first curve row (empty, at no orders: built on first use); concurrent creators wait on its key. */
async function createCurveRow(tx: Tx, datasetId: string): Promise<void> {
  const empty = encodeCurve(emptyCurve());
  await tx.insert(lineageCurves).values({ datasetId, ordersDigest: "", reserved: empty, charged: empty, updatedAt: new Date().toISOString() }).onConflictDoNothing();
}

/** Applies the changes to the curves, records what each run is now counted with, and stores the curves if they moved. */
async function countChanges(tx: Tx, datasetId: string, curves: LineageCurves, changes: readonly CurveChange[], built = false): Promise<void> {
  apply(curves, changes);
  await storeCounted(tx, datasetId, curves, changes, built);
}

/** Records what each run (of changes already applied to `curves`) is now counted with, and stores the curves if they moved. */
async function storeCounted(tx: Tx, datasetId: string, curves: LineageCurves, changes: readonly CurveChange[], built = false): Promise<void> {
  await pipelined(
    () => recordContributions(tx, datasetId, changes),
    () => (built || changes.length > 0 ? store(tx, datasetId, curves) : Promise.resolve()),
  );
}

/**
 * Counts a run about to be inserted (queued, nothing charged: reserved at its planned steps) on `curves`, in memory:
 * storeNewRuns then writes what was counted.
 */
export function countNewRun(curves: LineageCurves, run: { runId: string; samplingRate: number; noiseMultiplier: number; plannedSteps: number }): CurveChange {
  const reserved = reservedSteps({ chargedSteps: 0, segmentBaseSteps: 0, plannedSteps: run.plannedSteps, resumeFromStep: 0 });
  const change = { ...run, reserved, charged: 0, hadReserved: 0, hadCharged: 0 };
  apply(curves, [change]);
  return change;
}

/**
 * Stores the runs inserted in `tx` that countNewRun counted on `curves`, which lockLineageCurves returned earlier in
 * the same transaction (their row is still locked): syncRunOnLedger for each, without locking and reading the curves
 * again, nor reading the runs back.
 */
export function storeNewRuns(tx: Tx, datasetId: string, curves: LineageCurves, counted: readonly CurveChange[]): Promise<void> {
  return storeCounted(tx, datasetId, curves, counted);
}

/**
 * Brings the run's lineage curves up to date with the run as it is now in `tx` (idempotent: applies only the
 * difference from what they count it with). Called in the transaction of every change of a run's status or steps.
 */
export async function syncRunOnLedger(tx: Tx, runId: string): Promise<LineageCurves | undefined> {
  const run = await first(tx.select({ datasetId: runs.datasetId }).from(runs).where(eq(runs.id, runId)));
  return run && lockLineageCurves(tx, run.datasetId, { runId });
}

/**
 * Counts a count release just inserted in `tx` on the curves `curves` that lockLineageCurves returned before the
 * insert (in the same transaction), and stores them.
 */
export async function recordReleaseOnLedger(tx: Tx, datasetId: string, curves: LineageCurves, event: Parameters<typeof addEvent>[1]): Promise<void> {
  addEvent(curves.reserved, event);
  addEvent(curves.charged, event);
  await store(tx, datasetId, curves);
}

/** The lineage's composed epsilon (with reservations) and charged epsilon at `delta`, from its curves: O(orders). */
export async function lineageEpsilonsNow(db: Executor, datasetId: string, delta: number): Promise<{ epsilon: number; chargedEpsilon: number }> {
  return ledgerEpsilons(await lineageCurvesNow(db, datasetId), delta);
}
