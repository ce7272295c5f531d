// Recomputing every lineage's curves from the events (the runs' and the count releases') and comparing them with what
// the budget checks read: the stored curves (audit:verify reports each lineage that differs).
import { eq } from "drizzle-orm";
import { first, type Executor } from "../../db/client";
import { budgets, countReleases, lineageCurves, runs } from "../../db/schema";
import { CURVE_TOLERANCE, LEDGER_ORDERS, LEDGER_ORDERS_DIGEST, addEvent, addSteps, agrees, emptyCurve, firstDifference, ledgerEpsilons, rdpOf, type LineageCurves } from "./curve-math";
import { isActive, isRelease, lineageEntries, reservedSteps, spendOf, type LedgerItem } from "./ledger";
import { lineageCurvesNow } from "./lineage-curve";

/** The curves of a lineage's ledger composed from scratch, entry by entry, as spendOf composes them. */
export function recomputeCurves(items: readonly LedgerItem[]): LineageCurves {
  const curves = { reserved: emptyCurve(), charged: emptyCurve() };
  for (const item of items) {
    if (isRelease(item)) {
      addEvent(curves.reserved, item.event);
      addEvent(curves.charged, item.event);
    } else {
      addSteps(curves.reserved, item.samplingRate, item.noiseMultiplier, isActive(item) ? reservedSteps(item) : item.chargedSteps);
      addSteps(curves.charged, item.samplingRate, item.noiseMultiplier, item.chargedSteps);
    }
  }
  return curves;
}

export interface CurveMismatch {
  datasetId: string;
  curve: "reserved" | "charged";
  /** The RDP order at which they first differ, or null where only epsilon does. */
  order: number | null;
  stored: number;
  recomputed: number;
}

/**
 * Where the stored curves differ from those recomputed from `items` beyond CURVE_TOLERANCE (relative), on an order
 * or on the epsilon they certify at `delta` (against spendOf's); empty when they agree.
 */
export function compareCurves(datasetId: string, stored: LineageCurves, items: readonly LedgerItem[], delta: number): CurveMismatch[] {
  const recomputed = recomputeCurves(items);
  const out: CurveMismatch[] = [];
  for (const curve of ["reserved", "charged"] as const) {
    const k = firstDifference(stored[curve], recomputed[curve]);
    if (k !== null) out.push({ datasetId, curve, order: LEDGER_ORDERS[k] as number, stored: rdpOf(stored[curve])[k] as number, recomputed: rdpOf(recomputed[curve])[k] as number });
  }
  if (out.length > 0) return out;
  const spend = spendOf(items, delta);
  const figures = ledgerEpsilons(stored, delta);
  if (!agrees(figures.epsilon, spend.epsilon, CURVE_TOLERANCE)) out.push({ datasetId, curve: "reserved", order: null, stored: figures.epsilon, recomputed: spend.epsilon });
  if (!agrees(figures.chargedEpsilon, spend.chargedEpsilon, CURVE_TOLERANCE)) out.push({ datasetId, curve: "charged", order: null, stored: figures.chargedEpsilon, recomputed: spend.chargedEpsilon });
  return out;
}

export interface CurvesReport {
  ok: boolean;
  /** Lineages checked: every one with runs, count releases or a stored curve. */
  lineages: number;
  /** Of those, how many have no stored curve at the ledger's orders yet (built from the events on their next charge). */
  notYetStored: number;
  mismatches: CurveMismatch[];
}

/** Every lineage's curves as the checks read them, against the curves recomputed from its events. */
export async function verifyLineageCurves(db: Executor): Promise<CurvesReport> {
  const ids = new Set<string>();
  for (const table of [runs, countReleases, lineageCurves]) {
    for (const r of await db.selectDistinct({ datasetId: table.datasetId }).from(table)) ids.add(r.datasetId);
  }
  const report: CurvesReport = { ok: true, lineages: ids.size, notYetStored: 0, mismatches: [] };
  for (const datasetId of [...ids].sort()) {
    const row = await first(db.select({ digest: lineageCurves.ordersDigest }).from(lineageCurves).where(eq(lineageCurves.datasetId, datasetId)));
    if (row?.digest !== LEDGER_ORDERS_DIGEST) report.notYetStored += 1;
    const budget = await first(db.select({ delta: budgets.delta }).from(budgets).where(eq(budgets.datasetId, datasetId)));
    report.mismatches.push(...compareCurves(datasetId, await lineageCurvesNow(db, datasetId), await lineageEntries(db, datasetId), budget?.delta ?? 1e-5));
  }
  report.ok = report.mismatches.length === 0;
  return report;
}
