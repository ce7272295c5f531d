// Composition across runs: the privacy events of every run on a dataset lineage (finished, failed, resumed or
// stopped early: whatever was charged) compose into one epsilon per privacy unit. Epsilons of runs are never added;
// the naive sum is computed only to show what composing saves.

import { z } from 'zod';
import type { Accountant } from './accountant';
import { composed, privacyEventSchema, type PrivacyEvent } from './events';
import { PRIVACY_UNITS, privacyUnitSchema, type PrivacyUnit } from './units';

/** One charge in the ledger: the events of (a segment of) a run, for the privacy unit the run protected. */
export const ledgerEntrySchema = z.strictObject({
  run_id: z.string().min(1, 'run_id must not be empty'),
  privacy_unit: privacyUnitSchema,
  event: privacyEventSchema,
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export interface UnitSpend {
  privacy_unit: PrivacyUnit;
  /** The composed guarantee of all runs for this unit, at `delta`. */
  epsilon: number;
  delta: number;
  accountant: Accountant['name'];
  /** Run ids in first-seen order. */
  runs: string[];
  /** Sum of each run's own epsilon at the same delta: what naive addition would claim (and not a valid bound at
   * this delta: adding epsilons also adds deltas). Shown only to make the saving visible. */
  naive_epsilon_sum: number;
}

/** All entries' events composed into one event: what the ledger's epsilon is computed from. */
export function ledgerEvent(entries: readonly LedgerEntry[]): PrivacyEvent {
  return composed(entries.map((entry) => entry.event));
}

/** One spend per privacy unit present in the ledger, each the composition of every run charged to that unit. */
export function composeLedger(entries: readonly unknown[], accountant: Accountant, delta: number): UnitSpend[] {
  const parsed = entries.map((entry, i) => {
    const result = ledgerEntrySchema.safeParse(entry);
    if (!result.success) {
      throw new RangeError(`ledger entry ${i}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    return result.data;
  });
  return PRIVACY_UNITS.flatMap((unit) => {
    const unitEntries = parsed.filter((entry) => entry.privacy_unit === unit);
    if (unitEntries.length === 0) return [];
    const runs = [...new Set(unitEntries.map((entry) => entry.run_id))];
    const naive = runs
      .map((run) => accountant.epsilon(ledgerEvent(unitEntries.filter((entry) => entry.run_id === run)), delta))
      .reduce((sum, epsilon) => sum + epsilon, 0);
    return [
      {
        privacy_unit: unit,
        epsilon: accountant.epsilon(ledgerEvent(unitEntries), delta),
        delta,
        accountant: accountant.name,
        runs,
        naive_epsilon_sum: naive,
      },
    ];
  });
}

/**
 * Group privacy: an (epsilon, delta)-DP guarantee for one record protects a person with k records at
 * (k epsilon, k e^{(k-1) epsilon} delta) (Vadhan 2017, Lemma 2.2). For showing a person-level figure next to a
 * record-level one when subjects may have several records.
 */
export function groupPrivacy(epsilon: number, delta: number, k: number): { epsilon: number; delta: number } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`group size must be a whole number >= 1, got ${k}`);
  return { epsilon: k * epsilon, delta: Math.min(1, k * Math.exp((k - 1) * epsilon) * delta) };
}
