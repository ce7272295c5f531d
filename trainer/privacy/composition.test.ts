// Tests for incremental composition (Accountant.composition()): charges added one at a time compose to the
// accountant's epsilon of all of them, a run charged in segments to the run straight through, and the result is
// smaller than adding the runs' epsilons. Each privacy unit is its own ledger, hence its own composition.
import { describe, expect, it } from "vitest";
import { createAccountant, type Accountant } from "./accountant";
import { composed, dpSgdEvent, type PrivacyEvent } from "./events";
import { PRIVACY_UNITS, type PrivacyUnit } from "./units";

const charges: { run: string; unit: PrivacyUnit; event: PrivacyEvent }[] = [
  // A finished run.
  { run: "run-a", unit: "record", event: dpSgdEvent(0.01, 1.1, 3000) },
  // A run resumed after a crash: charged in two segments, the second up to the last reported step.
  { run: "run-b", unit: "record", event: dpSgdEvent(0.02, 0.9, 500) },
  { run: "run-b", unit: "record", event: dpSgdEvent(0.02, 0.9, 700) },
  // A run stopped early by the trainer to stay under its target.
  { run: "run-c", unit: "record", event: dpSgdEvent(0.005, 1.5, 123) },
  // A run on the same lineage protecting people, not records: a separate figure.
  { run: "run-d", unit: "subject", event: dpSgdEvent(0.01, 1.0, 100) },
  // A federated run protecting institutions: a third.
  { run: "run-e", unit: "party", event: dpSgdEvent(1, 2.0, 20) },
];

/** The composition of the charges that `keep` selects, added one at a time in the order given. */
function compositionOf(accountant: Accountant, keep: (charge: (typeof charges)[number]) => boolean) {
  const composition = accountant.composition();
  for (const charge of charges.filter(keep)) composition.add(charge.event);
  return composition;
}

describe.each(["rdp", "pld"] as const)("the %s accountant composition", (name) => {
  const accountant = createAccountant(name, { discretisationInterval: 1e-3 });
  const byUnit = new Map(PRIVACY_UNITS.map((unit) => [unit, compositionOf(accountant, (c) => c.unit === unit)]));
  const records = byUnit.get("record")!;
  const recordEvents = charges.filter((c) => c.unit === "record").map((c) => c.event);

  it("composes each privacy unit apart, charge by charge, at the delta asked", () => {
    expect([...byUnit.keys()]).toEqual(["record", "subject", "party"]);
    expect(byUnit.get("subject")!.epsilon(1e-6)).toBe(accountant.epsilon(dpSgdEvent(0.01, 1.0, 100), 1e-6));
    expect(byUnit.get("party")!.epsilon(1e-6)).toBe(accountant.epsilon(dpSgdEvent(1, 2.0, 20), 1e-6));
    const soFar = accountant.composition();
    recordEvents.forEach((event, i) => {
      soFar.add(event);
      expect(soFar.epsilon(1e-6)).toBe(accountant.epsilon(composed(recordEvents.slice(0, i + 1)), 1e-6));
    });
    expect(records.epsilon(1e-9)).toBeGreaterThan(records.epsilon(1e-6));
    expect(records.epsilon(1e-9)).toBe(accountant.epsilon(composed(recordEvents), 1e-9));
  });

  it("equals accounting the concatenated events of all runs", () => {
    const concatenated = composed([
      dpSgdEvent(0.01, 1.1, 3000),
      dpSgdEvent(0.02, 0.9, 1200), // the resumed run as if it had run straight through
      dpSgdEvent(0.005, 1.5, 123),
    ]);
    expect(records.epsilon(1e-6)).toBe(accountant.epsilon(concatenated, 1e-6));
    expect(records.epsilon(1e-6)).toBe(accountant.epsilon(composed(recordEvents), 1e-6));
  });

  it("is smaller than adding the runs epsilons", () => {
    const runs = ["run-a", "run-b", "run-c"];
    const composedPerRun = runs.map((run) => compositionOf(accountant, (c) => c.run === run).epsilon(1e-6));
    const perRun = [
      accountant.epsilon(dpSgdEvent(0.01, 1.1, 3000), 1e-6),
      accountant.epsilon(dpSgdEvent(0.02, 0.9, 1200), 1e-6),
      accountant.epsilon(dpSgdEvent(0.005, 1.5, 123), 1e-6),
    ];
    const naive = perRun.reduce((a, b) => a + b, 0);
    expect(composedPerRun.reduce((a, b) => a + b, 0)).toBeCloseTo(naive, 12);
    expect(records.epsilon(1e-6)).toBeLessThan(naive);
    expect(records.epsilon(1e-6)).toBeGreaterThan(Math.max(...perRun));
  });
});

describe("composition validation", () => {
  it.each(["rdp", "pld"] as const)("%s: refuses malformed events and deltas, naming the field; spends nothing empty", (name) => {
    const composition = createAccountant(name).composition();
    expect(composition.epsilon(1e-5)).toBe(0);
    expect(() => composition.add({ type: "self_composed", event: dpSgdEvent(0.1, 1, 1), count: -1 })).toThrow(
      /event\.count: count must be a whole number >= 0/,
    );
    expect(() => composition.add({ type: "household" } as never)).toThrow(/unknown event type "household"/);
    expect(() => composition.epsilon(0)).toThrow(/delta must be > 0/);
    expect(composition.epsilon(1e-5)).toBe(0);
    expect(composition.add(dpSgdEvent(0.1, 1, 0)).epsilon(1e-5)).toBe(0);
  });
});
