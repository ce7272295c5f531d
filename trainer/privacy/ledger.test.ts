// Tests for composition across runs: one epsilon per privacy unit, equal to accounting the concatenated events,
// and smaller than adding the runs' epsilons.
import { describe, expect, it } from 'vitest';
import { createAccountant } from './accountant';
import { composed, dpSgdEvent } from './events';
import { composeLedger, groupPrivacy, ledgerEvent, type LedgerEntry } from './ledger';

const entries: LedgerEntry[] = [
  // A finished run.
  { run_id: 'run-a', privacy_unit: 'record', event: dpSgdEvent(0.01, 1.1, 3000) },
  // A run resumed after a crash: charged in two segments, the second up to the last reported step.
  { run_id: 'run-b', privacy_unit: 'record', event: dpSgdEvent(0.02, 0.9, 500) },
  { run_id: 'run-b', privacy_unit: 'record', event: dpSgdEvent(0.02, 0.9, 700) },
  // A run stopped early by the trainer to stay under its target.
  { run_id: 'run-c', privacy_unit: 'record', event: dpSgdEvent(0.005, 1.5, 123) },
  // A run on the same lineage protecting people, not records: a separate figure.
  { run_id: 'run-d', privacy_unit: 'subject', event: dpSgdEvent(0.01, 1.0, 100) },
];

describe.each(['rdp', 'pld'] as const)('composeLedger with the %s accountant', (name) => {
  const accountant = createAccountant(name, { discretisationInterval: 1e-3 });
  const spends = composeLedger(entries, accountant, 1e-6);
  const records = spends.find((s) => s.privacy_unit === 'record');

  it('gives one spend per privacy unit, listing its runs', () => {
    expect(spends.map((s) => s.privacy_unit)).toEqual(['record', 'subject']);
    expect(records?.runs).toEqual(['run-a', 'run-b', 'run-c']);
    expect(records?.accountant).toBe(name);
    expect(records?.delta).toBe(1e-6);
  });

  it('equals accounting the concatenated events of all runs', () => {
    const concatenated = composed([
      dpSgdEvent(0.01, 1.1, 3000),
      dpSgdEvent(0.02, 0.9, 1200), // the resumed run as if it had run straight through
      dpSgdEvent(0.005, 1.5, 123),
    ]);
    expect(records?.epsilon).toBe(accountant.epsilon(concatenated, 1e-6));
    expect(records?.epsilon).toBe(accountant.epsilon(ledgerEvent(entries.filter((e) => e.privacy_unit === 'record')), 1e-6));
  });

  it('is smaller than adding the runs epsilons', () => {
    const perRun = [
      accountant.epsilon(dpSgdEvent(0.01, 1.1, 3000), 1e-6),
      accountant.epsilon(dpSgdEvent(0.02, 0.9, 1200), 1e-6),
      accountant.epsilon(dpSgdEvent(0.005, 1.5, 123), 1e-6),
    ];
    const naive = perRun.reduce((a, b) => a + b, 0);
    expect(records?.naive_epsilon_sum).toBeCloseTo(naive, 12);
    expect(records?.epsilon).toBeLessThan(naive);
    expect(records?.epsilon).toBeGreaterThan(Math.max(...perRun));
  });
});

describe('composeLedger validation and group privacy', () => {
  it('refuses malformed entries, naming the entry', () => {
    const accountant = createAccountant('rdp');
    expect(() => composeLedger([{ run_id: '', privacy_unit: 'record', event: dpSgdEvent(0.1, 1, 1) }], accountant, 1e-5)).toThrow(
      /ledger entry 0: run_id must not be empty/,
    );
    expect(() => composeLedger([{ run_id: 'x', privacy_unit: 'household', event: dpSgdEvent(0.1, 1, 1) }], accountant, 1e-5)).toThrow(
      /ledger entry 0/,
    );
    expect(composeLedger([], accountant, 1e-5)).toEqual([]);
  });

  it('converts a record-level guarantee to a person with k records', () => {
    expect(groupPrivacy(0.5, 1e-6, 1)).toEqual({ epsilon: 0.5, delta: 1e-6 });
    const group = groupPrivacy(0.5, 1e-6, 3);
    expect(group.epsilon).toBe(1.5);
    expect(group.delta).toBeCloseTo(3 * Math.exp(1) * 1e-6, 18);
    expect(groupPrivacy(5, 1e-3, 10).delta).toBe(1);
    expect(() => groupPrivacy(1, 1e-6, 0)).toThrow(RangeError);
  });
});
