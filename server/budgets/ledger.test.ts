// The lineage ledger composes with the RDP accountant: its running totals equal the accountant's epsilon of the
// composed events (prefix by prefix), reservations count planned steps, charges only what ran, and DP count
// releases compose with the runs as entries of their own.
import { describe, expect, it } from "vitest";
import { composed, dpSgdEvent } from "../../trainer/privacy";
import { countReleaseEvent } from "./dp-counts";
import { LEDGER_ACCOUNTANT, spendOf, type ReleaseItem } from "./ledger";

const SETTINGS = [
  [0.01, 1.0],
  [0.02, 1.3],
  [0.005, 0.8],
] as const;

const runs = Array.from({ length: 30 }, (_, i) => {
  const [q, sigma] = SETTINGS[i % SETTINGS.length]!;
  return {
    id: `run-${i}`,
    status: i === 29 ? ("queued" as const) : ("finished" as const),
    privacyUnit: "record" as const,
    samplingRate: q,
    noiseMultiplier: sigma,
    plannedSteps: 300 + 10 * i,
    chargedSteps: i === 29 ? 0 : 200 + 10 * i,
    resumeFromStep: 0,
    segmentBaseSteps: 0,
    createdAt: `2026-01-01T00:00:${String(i).padStart(2, "0")}Z`,
  };
});
const stepsOf = (r: (typeof runs)[number]) => (r.status === "queued" ? r.plannedSteps : r.chargedSteps);

describe("spendOf", () => {
  it("equals the accountant's epsilon of the composed events, for every prefix", () => {
    const spend = spendOf(runs, 1e-5);
    for (const n of [1, 2, 7, 30]) {
      const events = runs.slice(0, n).map((r) => dpSgdEvent(r.samplingRate, r.noiseMultiplier, stepsOf(r)));
      expect(spend.runs[n - 1]!.cumulativeEpsilon).toBeCloseTo(LEDGER_ACCOUNTANT.epsilon(composed(events), 1e-5), 10);
    }
    expect(spend.epsilon).toBe(spend.runs.at(-1)!.cumulativeEpsilon);
    expect(spend.naiveEpsilonSum).toBeGreaterThan(2 * spend.epsilon);
    expect(spend.accountant).toBe(LEDGER_ACCOUNTANT.description);
    expect(LEDGER_ACCOUNTANT.name).toBe("rdp");
  });

  it("counts a queued run's planned steps as reserved and charges only what ran", () => {
    const spend = spendOf(runs, 1e-5);
    const charged = runs.map((r) => dpSgdEvent(r.samplingRate, r.noiseMultiplier, r.chargedSteps));
    expect(spend.chargedEpsilon).toBeCloseTo(LEDGER_ACCOUNTANT.epsilon(composed(charged), 1e-5), 10);
    expect(spend.epsilon).toBeGreaterThan(spend.chargedEpsilon);
    expect(spend.runs.at(-1)!.reserved).toBe(true);
  });

  it("composes count releases with the runs, charged in full at once, in the order given", () => {
    const release: ReleaseItem = { kind: "count release", id: "release-1", datasetVersionId: "v1", event: countReleaseEvent(10), createdAt: "2026-01-01T00:00:05Z" };
    const items = [...runs.slice(0, 5), release, ...runs.slice(5)];
    const spend = spendOf(items, 1e-5);
    const events = items.map((item) => ("kind" in item ? item.event : dpSgdEvent(item.samplingRate, item.noiseMultiplier, stepsOf(item))));
    expect(spend.epsilon).toBeCloseTo(LEDGER_ACCOUNTANT.epsilon(composed(events), 1e-5), 10);
    expect(spend.runs[5]).toMatchObject({ kind: "count release", releaseId: "release-1", datasetVersionId: "v1", reserved: false });
    expect(spend.runs[5]!.epsilonAlone).toBeCloseTo(LEDGER_ACCOUNTANT.epsilon(countReleaseEvent(10), 1e-5), 10);
    expect(spend.runs[5]!.cumulativeEpsilon).toBeCloseTo(LEDGER_ACCOUNTANT.epsilon(composed(events.slice(0, 6)), 1e-5), 10);
    expect(spend.epsilon).toBeGreaterThan(spendOf(runs, 1e-5).epsilon);
    expect(spendOf([release], 1e-5).chargedEpsilon).toBeCloseTo(spend.runs[5]!.epsilonAlone, 10);
  });

  it("spends nothing without runs", () => {
    expect(spendOf([], 1e-5)).toMatchObject({ epsilon: 0, chargedEpsilon: 0, naiveEpsilonSum: 0, runs: [] });
  });
});
