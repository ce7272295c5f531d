// The outcome of leakage evaluations: stores a report, opens a critical incident when a one-run audit's lower bound
// exceeds the accountant's epsilon or attribute inference goes beyond what it allows, and a drift alert when a probe
// crosses its thresholds, and queues scheduled drift
// probes (the job runner, server/jobs, carries the evaluations out).
import { and, desc, eq } from "drizzle-orm";
import { first, lockedRow, transaction, type Db, type Executor } from "../../db/client";
import { driftThresholds, leakageReports, modelVersions, type LeakageReport } from "../../db/schema";
import { audited, SYSTEM_ACTOR } from "../audit/service";
import { openIncidentIn } from "../incidents/service";
import { meanIncludedExposure, queueEvaluationIn } from "./service";
import type { StoredLeakage } from "./stored";

/**
 * Why a finished evaluation alerts: the accountant contradicted (by the one-run audit, or by attribute inference beyond
 * what the guarantee allows), or a drift threshold crossed; empty when not.
 */
export function alerts(stored: StoredLeakage, thresholds: typeof driftThresholds.$inferSelect | undefined, kind: string): { critical: string[]; drift: string[] } {
  const bound = stored.leakage.one_run_audit.epsilon_lower_bound;
  const critical: string[] = [];
  if (bound > stored.accountant.epsilon) {
    critical.push(`the one-run audit's lower bound ε ≥ ${bound.toFixed(3)} exceeds the accountant's ε = ${stored.accountant.epsilon.toFixed(3)} at δ = ${stored.accountant.delta}`);
  }
  const attribute = stored.leakage.attribute_inference;
  if (attribute?.exceeds) {
    critical.push(
      `attribute inference completed ${attribute.member_hits} of ${attribute.members} training subjects' attributes against ${attribute.non_member_hits} of ${attribute.non_members} held-out subjects', beyond what ε = ${attribute.guarantee.epsilon.toFixed(3)} per subject allows even at the 95% intervals' ends`,
    );
  }
  const drift: string[] = [];
  if (thresholds && kind === "drift_probe") {
    const { auc } = stored.leakage.membership;
    if (auc > thresholds.maxAuc) drift.push(`membership AUC ${auc.toFixed(3)} > ${thresholds.maxAuc}`);
    const exposure = meanIncludedExposure(stored);
    if (exposure > thresholds.maxExposure) drift.push(`mean canary exposure ${exposure.toFixed(2)} bits > ${thresholds.maxExposure}`);
    const pii = Object.values(stored.output_pii?.per_1000 ?? {}).reduce((s, n) => s + n, 0);
    if (pii > thresholds.maxPiiPer1000) drift.push(`${pii.toFixed(1)} PII per 1000 outputs > ${thresholds.maxPiiPer1000}`);
  }
  return { critical, drift };
}

/** Records a finished evaluation's report, with a critical incident or a drift alert when it raises one. */
export async function recordEvaluation(db: Db, job: LeakageReport, stored: StoredLeakage): Promise<void> {
  const thresholds = await first(db.select().from(driftThresholds).where(eq(driftThresholds.modelVersionId, job.modelVersionId)));
  const { critical, drift } = alerts(stored, thresholds, job.kind);
  const links = [{ entityType: "model_version" as const, entityId: job.modelVersionId }];
  const change = { actor: SYSTEM_ACTOR, action: "leakage.report", entityType: "model_version", entityId: job.modelVersionId, input: { reportId: job.id, alerts: [...critical, ...drift] } };
  await audited(db, change, async (tx) => {
    await tx
      .update(leakageReports)
      .set({ status: "done", report: JSON.stringify(stored), alert: critical.length + drift.length > 0, computedAt: new Date().toISOString() })
      .where(eq(leakageReports.id, job.id));
    if (critical.length) {
      await openIncidentIn(tx, SYSTEM_ACTOR, {
        title: "A leakage audit contradicts the accountant",
        description: `${critical.join("; ")}. The implementation or the accounting is wrong.`,
        severity: "critical",
        source: "failed_audit",
        links,
      });
    }
    if (drift.length) {
      await openIncidentIn(tx, SYSTEM_ACTOR, { title: "Privacy drift alert", description: drift.join("; "), severity: "high", source: "drift_alert", links });
    }
  });
}

/** Records that an evaluation could not be carried out, and why. */
export async function recordEvaluationFailure(db: Db, job: LeakageReport, reason: string): Promise<void> {
  await transaction(db, async (tx) => {
    await tx.update(leakageReports).set({ status: "failed", error: reason, computedAt: new Date().toISOString() }).where(eq(leakageReports.id, job.id));
  });
}

/**
 * Queues drift probes of deployed versions whose schedule is due (and none is already waiting): one per version, however
 * many runners schedule at once.
 */
export async function scheduleDriftProbes(db: Db, now = Date.now()): Promise<number> {
  const monitored = await db
    .select({ versionId: driftThresholds.modelVersionId, interval: driftThresholds.intervalMinutes })
    .from(driftThresholds)
    .innerJoin(modelVersions, eq(modelVersions.id, driftThresholds.modelVersionId))
    .where(eq(modelVersions.status, "deployed"));
  const isDue = async (reader: Executor, { versionId, interval }: (typeof monitored)[number]) => {
    if (interval === 0) return false;
    const last = await first(
      reader
        .select()
        .from(leakageReports)
        .where(and(eq(leakageReports.modelVersionId, versionId), eq(leakageReports.kind, "drift_probe")))
        .orderBy(desc(leakageReports.requestedAt))
        .limit(1),
    );
    if (!last) return true;
    if (last.status === "queued" || last.status === "running") return false;
    return now - Date.parse(last.requestedAt) >= interval * 60_000;
  };
  let queued = 0;
  for (const m of monitored) {
    if (!(await isDue(db, m))) continue;
    // Runners on other hosts may find it due at the same moment: under the version's row lock, the one that finds it
    // still due queues the probe.
    queued += await transaction(db, async (tx) => {
      await lockedRow(tx, modelVersions, m.versionId);
      if (!(await isDue(tx, m))) return 0;
      await queueEvaluationIn(tx, SYSTEM_ACTOR, m.versionId, "drift_probe");
      return 1;
    });
  }
  return queued;
}
