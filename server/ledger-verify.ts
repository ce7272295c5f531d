// What `npm run audit:verify` checks, across domains: the audit log's hash chain (audit/) and every lineage's stored
// composed curves against its events (budgets/), with the report it prints (text, or JSON with --json).
import type { Executor } from "../db/client";
import { verifyChain } from "./audit/service";
import { verifyLineageCurves, type CurvesReport } from "./budgets/curve-verify";

export interface LedgerReport {
  chain: Awaited<ReturnType<typeof verifyChain>>;
  curves: CurvesReport;
}

export async function verifyLedger(db: Executor): Promise<LedgerReport> {
  return { chain: await verifyChain(db), curves: await verifyLineageCurves(db) };
}

/** The JSON form: the chain's report as before (its `ok` is the chain's), with the curves' under `curves`. */
export function ledgerReportJson({ chain, curves }: LedgerReport): string {
  return JSON.stringify({ ...chain, curves });
}

/** The text form, one line per finding. */
export function ledgerReportLines({ chain, curves }: LedgerReport): string[] {
  const lines = [
    chain.ok
      ? `audit log OK: ${chain.entries} entries, head ${chain.head}`
      : `audit log BROKEN at entry #${chain.brokenAt}: ${chain.reason} (${chain.entries} entries before it verify)`,
  ];
  if (curves.ok) {
    lines.push(`lineage curves OK: ${curves.lineages} lineages agree with their events (${curves.notYetStored} to be built on their next charge)`);
  }
  for (const m of curves.mismatches) {
    const where = m.order === null ? "epsilon" : `order ${m.order}`;
    lines.push(`lineage curve DIFFERS on dataset ${m.datasetId}: the ${m.curve} curve at ${where} is ${m.stored}, its events give ${m.recomputed}`);
  }
  return lines;
}

/** Both hold. */
export const ledgerOk = (report: LedgerReport) => report.chain.ok && report.curves.ok;
