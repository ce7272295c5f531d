// A lineage's composed RDP curve as numbers, pure: one-step curves of (q, sigma) (cached), curves moved by a number of
// steps or by an event, the epsilon a curve certifies, its stored JSON form, and how two curves are compared.
import { createHash } from "node:crypto";
import { z } from "zod";
import { DEFAULT_RDP_ORDERS, epsilonFromRdp, flattenEvent, subsampledGaussianRdp, type PrivacyEvent } from "../../trainer/privacy";

/** The orders of LEDGER_ACCOUNTANT (the RDP accountant at its default orders), at which lineage curves are kept. */
export const LEDGER_ORDERS: readonly number[] = DEFAULT_RDP_ORDERS;
/** Stored with each curve: a curve at other orders is rebuilt from the events. */
export const LEDGER_ORDERS_DIGEST = createHash("sha256").update(JSON.stringify(LEDGER_ORDERS)).digest("hex");

/**
 * A composed RDP curve: per order, the sum of the finite contributions and how many infinite ones it holds (an order
 * at which some step's RDP is infinite is unusable while that step counts, and usable again once it no longer does).
 */
export interface Curve {
  sum: number[];
  infinite: number[];
}

/** The two curves of a lineage: `reserved` as the budget checks count, `charged` (charges only). */
export interface LineageCurves {
  reserved: Curve;
  charged: Curve;
}

export function emptyCurve(): Curve {
  return { sum: new Array<number>(LEDGER_ORDERS.length).fill(0), infinite: new Array<number>(LEDGER_ORDERS.length).fill(0) };
}

export function copyCurve(curve: Curve): Curve {
  return { sum: [...curve.sum], infinite: [...curve.infinite] };
}

const STEP_CURVES_KEPT = 10_000;
const stepCurves = new Map<string, readonly number[]>();

/** The RDP of one Poisson-subsampled Gaussian step at LEDGER_ORDERS, remembered per (q, sigma). */
export function stepCurve(samplingRate: number, noiseMultiplier: number): readonly number[] {
  const key = `${samplingRate}/${noiseMultiplier}`;
  let curve = stepCurves.get(key);
  if (!curve) {
    curve = LEDGER_ORDERS.map((order) => subsampledGaussianRdp(samplingRate, noiseMultiplier, order));
    if (stepCurves.size >= STEP_CURVES_KEPT) stepCurves.clear();
    stepCurves.set(key, curve);
  }
  return curve;
}

/** Adds `count` (may be negative: a reservation given back) steps of (q, sigma) to `curve`, in place. */
export function addSteps(curve: Curve, samplingRate: number, noiseMultiplier: number, count: number): Curve {
  if (count === 0) return curve;
  const step = stepCurve(samplingRate, noiseMultiplier);
  for (let k = 0; k < step.length; k++) {
    const v = step[k] as number;
    if (Number.isFinite(v)) curve.sum[k] = (curve.sum[k] as number) + count * v;
    else curve.infinite[k] = (curve.infinite[k] as number) + count;
  }
  return curve;
}

/** Adds (sign 1) or removes (sign -1) an event's mechanisms to `curve`, in place. */
export function addEvent(curve: Curve, event: PrivacyEvent, sign: 1 | -1 = 1): Curve {
  for (const m of flattenEvent(event)) addSteps(curve, m.samplingRate, m.noiseMultiplier, sign * m.count);
  return curve;
}

/** The curve's RDP per order: infinite where an infinite contribution counts; rounding below zero read as zero. */
export function rdpOf(curve: Curve): number[] {
  return curve.sum.map((v, k) => ((curve.infinite[k] as number) > 0 ? Infinity : Math.max(0, v)));
}

/** The epsilon the curve certifies at `delta`: LEDGER_ACCOUNTANT's conversion (Canonne-Kamath-Steinke), O(orders). */
export function epsilonOfCurve(curve: Curve, delta: number): number {
  return epsilonFromRdp(LEDGER_ORDERS, rdpOf(curve), delta).value;
}

const storedCurve = z.strictObject({
  sum: z.array(z.number()).length(LEDGER_ORDERS.length),
  infinite: z.record(z.string().regex(/^\d+$/), z.number().int()),
});

/** The stored form: JSON of the sums and, sparsely, the counts of infinite contributions. */
export function encodeCurve(curve: Curve): string {
  const infinite: Record<string, number> = {};
  curve.infinite.forEach((n, k) => {
    if (n !== 0) infinite[String(k)] = n;
  });
  return JSON.stringify({ sum: curve.sum, infinite });
}

export function decodeCurve(json: string): Curve {
  const stored = storedCurve.parse(JSON.parse(json));
  const curve = { sum: stored.sum, infinite: new Array<number>(LEDGER_ORDERS.length).fill(0) };
  for (const [k, n] of Object.entries(stored.infinite)) {
    if (Number(k) >= LEDGER_ORDERS.length) throw new Error(`curve: infinite count at order index ${k} beyond the orders`);
    curve.infinite[Number(k)] = n;
  }
  return curve;
}

/** Relative tolerance of audit:verify's comparisons (each order, and epsilon). */
export const CURVE_TOLERANCE = 1e-9;

/** Whether two numbers agree to CURVE_TOLERANCE (relative; RDP below 1e-12 counts as rounding of zero). */
export function agrees(a: number, b: number, tolerance = CURVE_TOLERANCE): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}

/** The first order (index) at which two curves' RDP differ beyond the tolerance, or null when they agree. */
export function firstDifference(stored: Curve, recomputed: Curve): number | null {
  const a = rdpOf(stored);
  const b = rdpOf(recomputed);
  for (let k = 0; k < a.length; k++) if (!agrees(a[k] as number, b[k] as number)) return k;
  return null;
}

/** The headline figures of a lineage's curves at `delta`: composed epsilon with the reservations, and of charges only. */
export function ledgerEpsilons(curves: LineageCurves, delta: number): { epsilon: number; chargedEpsilon: number } {
  return { epsilon: epsilonOfCurve(curves.reserved, delta), chargedEpsilon: epsilonOfCurve(curves.charged, delta) };
}
