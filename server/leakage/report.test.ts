// The stored leakage report's schema: what it accepts and what it refuses.
import { describe, expect, it } from "vitest";
import { prepareCanaries } from "./canaries";
import { exactExposures } from "./exposure";
import { extractionSummary } from "./extraction";
import { membershipSummary } from "./membership";
import { oneRunAudit } from "./one-run-audit";
import { leakageReportSchema, oneRunAuditSchema } from "./report";

describe("leakageReportSchema", () => {
  // Synthetic scores standing in for a model's: lower loss for inserted canaries and for members.
  const plan = { space: "pin {ddd}", m: 40, repeats: 1, k_plus: 5, k_minus: 5, confidence: 0.95 };
  const { canaries } = prepareCanaries(plan);
  const losses = canaries.map((c, i) => (c.included ? 1 : 2) + i / 1000);
  const spaceLosses = [...losses, ...Array.from({ length: 1000 - 40 }, (_, i) => 1.5 + i / 1000)];
  const exposures = exactExposures(losses, spaceLosses);
  const figures = {
    canaries: canaries.map((c, i) => ({
      digest: c.digest,
      included: c.included,
      exposure: exposures[i]!,
      method: "exact" as const,
    })),
    membership: membershipSummary([0.5, 0.7, 1.2], [0.9, 1.1, 1.3, 1.6]),
    extraction: extractionSummary(2, [{ piiType: "ssn", pii: "123-45-6789", completion: "123-45-6789" }]),
  };
  const report = {
    ...figures,
    one_run_audit: oneRunAudit({
      scores: losses.map((l) => -l),
      included: canaries.map((c) => c.included),
      kPlus: 5,
      kMinus: 5,
      delta: 1e-5,
      confidence: 0.95,
    }),
    base_model: figures,
    computed_at: new Date(0).toISOString(),
  };

  it("accepts a report assembled from the leakage functions and survives a JSON round trip", () => {
    expect(leakageReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(leakageReportSchema.parse({ ...report, base_model: undefined }).base_model).toBeUndefined();
  });

  it("rejects inconsistent or incomplete reports", () => {
    const audit = report.one_run_audit;
    expect(oneRunAuditSchema.safeParse({ ...audit, correct: audit.guesses + 1 }).success).toBe(false);
    expect(oneRunAuditSchema.safeParse({ ...audit, guesses: audit.guesses + 1 }).success).toBe(false);
    expect(leakageReportSchema.safeParse({ ...report, computed_at: "yesterday" }).success).toBe(false);
    expect(leakageReportSchema.safeParse({ ...report, membership: { ...report.membership, auc: 1.2 } }).success).toBe(
      false,
    );
    const { extraction: _omitted, ...withoutExtraction } = report;
    expect(leakageReportSchema.safeParse(withoutExtraction).success).toBe(false);
  });
});
