// What a disclosure report says of a version's leakage tests: every evaluation that exists (after training, on
// demand, drift probes), with what may leave the organisation. The one-run audit and the canaries' exposure are
// computed from the model and synthetic canaries drawn by fair coins (post-processing of the DP model), so their
// figures are disclosed; membership inference and extraction read real training records (not DP), so the report says
// that they were run and where their figures are kept (the dashboard's leakage panel), never the figures.
import type { Executor } from "../../db/client";
import { leakageOverview } from "../leakage/service";
import type { StoredLeakage } from "../leakage/stored";

function mean(values: number[]): number | null {
  return values.length ? values.reduce((s, x) => s + x, 0) / values.length : null;
}

function disclosedFigures(stored: StoredLeakage) {
  const audit = stored.leakage.one_run_audit;
  const canaries = stored.leakage.canaries;
  return {
    oneRunAudit: {
      canaries: audit.m,
      guesses: audit.guesses,
      correct: audit.correct,
      confidence: audit.confidence,
      epsilonLowerBound: audit.epsilon_lower_bound,
      accountantEpsilon: stored.accountant.epsilon,
      accountantDelta: stored.accountant.delta,
      groupSize: stored.accountant.group_size,
      /** The audit's lower bound does not exceed the accountant's epsilon (else an incident was opened). */
      consistent: audit.epsilon_lower_bound <= stored.accountant.epsilon,
    },
    exposure: {
      inserted: canaries.filter((c) => c.included).length,
      others: canaries.filter((c) => !c.included).length,
      /** Mean exposure in bits of the inserted canaries, and of the others (what memorisation would separate). */
      insertedMean: mean(canaries.filter((c) => c.included).map((c) => c.exposure)),
      othersMean: mean(canaries.filter((c) => !c.included).map((c) => c.exposure)),
      method: canaries.some((c) => c.method === "extrapolated") ? ("extrapolated" as const) : ("exact" as const),
    },
    /** Run on training records: stated, figures withheld (internal evidence, not DP). */
    internalProbes: [
      "membership inference (loss threshold on training records against held-out ones)",
      "extraction of verbatim PII from training-record prefixes",
      ...(stored.output_pii ? ["PII in sampled outputs"] : []),
    ],
  };
}

/** The version's leakage evaluations, oldest first; an empty list when none was ever requested. */
export async function leakageEvidence(db: Executor, versionId: string) {
  return (await leakageOverview(db, versionId)).reports
    .toReversed()
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      requestedAt: r.requestedAt,
      computedAt: r.computedAt,
      alert: r.alert,
      error: r.error,
      figures: r.report ? disclosedFigures(r.report) : null,
    }));
}

export type LeakageEvidence = Awaited<ReturnType<typeof leakageEvidence>>;
