// The privacy ledger of a dataset lineage: every run's events (charged, or reserved while it may still run),
// composed by the accountant; epsilons are never added (the naive sum is shown only to make the saving visible).
import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { ACTIVE_RUN_STATUSES, runs, type Run } from "../../db/schema";
import { composeLedger, createAccountant, dpSgdEvent, groupPrivacy, type LedgerEntry } from "../../trainer/privacy";

/** The accountant that enforces budgets: RDP is an upper bound, fast enough to run inside a launch transaction. */
export const LEDGER_ACCOUNTANT = createAccountant("rdp");

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
export function reservedSteps(run: RunCharge): number {
  return Math.max(run.chargedSteps, run.segmentBaseSteps + run.plannedSteps - run.resumeFromStep);
}

/** A run's entry: what it may still come to while it may still run (the reservation), else the steps charged. */
export function ledgerEntry(run: RunCharge): LedgerEntry {
  const steps = isActive(run) ? reservedSteps(run) : run.chargedSteps;
  return { run_id: run.id, privacy_unit: run.privacyUnit, event: dpSgdEvent(run.samplingRate, run.noiseMultiplier, steps) };
}

export interface RunShare {
  runId: string;
  status: Run["status"];
  createdAt: string;
  /** The run's own epsilon at the budget's delta (what it would cost alone). */
  epsilonAlone: number;
  /** Composed epsilon of the lineage after this run (in launch order): the budget-over-time curve. */
  cumulativeEpsilon: number;
  reserved: boolean;
}

export interface LineageSpend {
  delta: number;
  accountant: string;
  /** Composed epsilon of every charge and reservation. */
  epsilon: number;
  /** Composed epsilon of charges only (what has certainly been spent). */
  chargedEpsilon: number;
  /** What adding each run's epsilon would have claimed. */
  naiveEpsilonSum: number;
  runs: RunShare[];
}

function composedEpsilon(entries: LedgerEntry[], delta: number): number {
  if (entries.length === 0) return 0;
  const spends = composeLedger(entries, LEDGER_ACCOUNTANT, delta);
  return Math.max(0, ...spends.map((s) => s.epsilon));
}

/** The composed spend of a set of runs at `delta`, with each run's share in launch order. */
export function spendOf(lineageRuns: (RunCharge & { createdAt: string })[], delta: number): LineageSpend {
  const entries = lineageRuns.map(ledgerEntry);
  const shares: RunShare[] = lineageRuns.map((run, i) => ({
    runId: run.id,
    status: run.status,
    createdAt: run.createdAt,
    epsilonAlone: composedEpsilon([entries[i]!], delta),
    cumulativeEpsilon: composedEpsilon(entries.slice(0, i + 1), delta),
    reserved: isActive(run),
  }));
  return {
    delta,
    accountant: LEDGER_ACCOUNTANT.description,
    epsilon: shares.at(-1)?.cumulativeEpsilon ?? 0,
    chargedEpsilon: composedEpsilon(
      lineageRuns.map((run) => ledgerEntry({ ...run, status: "finished" })),
      delta,
    ),
    naiveEpsilonSum: shares.reduce((sum, s) => sum + s.epsilonAlone, 0),
    runs: shares,
  };
}

export function lineageRuns(db: Executor, datasetId: string) {
  return db.select().from(runs).where(eq(runs.datasetId, datasetId)).orderBy(asc(runs.createdAt), asc(runs.id)).all();
}

export function lineageSpend(db: Executor, datasetId: string, delta: number): LineageSpend {
  return spendOf(lineageRuns(db, datasetId), delta);
}

/** The person-level figure from group privacy, shown beside a record-level one when subjects have k > 1 records. */
export function personLevel(epsilon: number, delta: number, maxRecordsPerSubject: number) {
  return maxRecordsPerSubject > 1 ? groupPrivacy(epsilon, delta, maxRecordsPerSubject) : null;
}
