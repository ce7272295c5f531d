// The job runner's side of leakage evaluations: carries out queued evaluations with the trainer's evaluation
// commands, stores the report, opens a critical incident when a one-run audit's lower bound exceeds the accountant's
// epsilon and a drift alert when a probe crosses its thresholds, and queues scheduled drift probes.
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { driftThresholds, leakageReports, modelVersions } from "../../db/schema";
import { audited, SYSTEM_ACTOR } from "../audit/service";
import { leaseHolds } from "../jobs/runner-lease";
import { openIncidentIn } from "../incidents/service";
import { evaluateModel } from "./evaluate-model";
import { meanIncludedExposure, queueEvaluationIn } from "./service";
import type { StoredLeakage } from "./stored";

/** Why a finished evaluation alerts: the accountant contradicted, or a drift threshold crossed; empty when not. */
export function alerts(stored: StoredLeakage, thresholds: typeof driftThresholds.$inferSelect | undefined, kind: string): { critical: string[]; drift: string[] } {
  const bound = stored.leakage.one_run_audit.epsilon_lower_bound;
  const critical =
    bound > stored.accountant.epsilon
      ? [`the one-run audit's lower bound ε ≥ ${bound.toFixed(3)} exceeds the accountant's ε = ${stored.accountant.epsilon.toFixed(3)} at δ = ${stored.accountant.delta}`]
      : [];
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

/** Carries out the oldest queued evaluation, if any; returns whether there was one. Used by the job runner. */
export async function runNextEvaluation(db: Db, dataDir: string, trainerCommand: readonly string[], runnerId: string): Promise<boolean> {
  const job = db.select().from(leakageReports).where(eq(leakageReports.status, "queued")).orderBy(asc(leakageReports.requestedAt)).limit(1).get();
  if (!job) return false;
  // Claimed by a conditional update: of two runners, one carries it out.
  const claimed = db
    .update(leakageReports)
    .set({ status: "running", runnerId })
    .where(and(eq(leakageReports.id, job.id), eq(leakageReports.status, "queued")))
    .run();
  if (claimed.changes !== 1) return true;
  let stored: StoredLeakage;
  try {
    stored = await evaluateModel(db, dataDir, job.modelVersionId, { trainerCommand, probeOutputs: job.kind === "drift_probe" });
  } catch (err) {
    db.update(leakageReports).set({ status: "failed", error: (err as Error).message, computedAt: new Date().toISOString() }).where(eq(leakageReports.id, job.id)).run();
    return true;
  }
  const thresholds = db.select().from(driftThresholds).where(eq(driftThresholds.modelVersionId, job.modelVersionId)).get();
  const { critical, drift } = alerts(stored, thresholds, job.kind);
  const links = [{ entityType: "model_version" as const, entityId: job.modelVersionId }];
  audited(db, { actor: SYSTEM_ACTOR, action: "leakage.report", entityType: "model_version", entityId: job.modelVersionId, input: { reportId: job.id, alerts: [...critical, ...drift] } }, (tx) => {
    tx.update(leakageReports)
      .set({ status: "done", report: JSON.stringify(stored), alert: critical.length + drift.length > 0, computedAt: new Date().toISOString() })
      .where(eq(leakageReports.id, job.id))
      .run();
    if (critical.length) {
      openIncidentIn(tx, SYSTEM_ACTOR, {
        title: "A leakage audit contradicts the accountant",
        description: `${critical.join("; ")}. The implementation or the accounting is wrong.`,
        severity: "critical",
        source: "failed_audit",
        links,
      });
    }
    if (drift.length) {
      openIncidentIn(tx, SYSTEM_ACTOR, { title: "Privacy drift alert", description: drift.join("; "), severity: "high", source: "drift_alert", links });
    }
  });
  return true;
}

/** Queues drift probes of deployed versions whose schedule is due (and none is already waiting). */
export function scheduleDriftProbes(db: Db, now = Date.now()): number {
  const due = db
    .select({ versionId: driftThresholds.modelVersionId, interval: driftThresholds.intervalMinutes })
    .from(driftThresholds)
    .innerJoin(modelVersions, eq(modelVersions.id, driftThresholds.modelVersionId))
    .where(eq(modelVersions.status, "deployed"))
    .all()
    .filter(({ versionId, interval }) => {
      if (interval === 0) return false;
      const last = db
        .select()
        .from(leakageReports)
        .where(and(eq(leakageReports.modelVersionId, versionId), eq(leakageReports.kind, "drift_probe")))
        .orderBy(desc(leakageReports.requestedAt))
        .limit(1)
        .get();
      if (!last) return true;
      if (last.status === "queued" || last.status === "running") return false;
      return now - Date.parse(last.requestedAt) >= interval * 60_000;
    });
  for (const { versionId } of due) db.transaction((tx) => queueEvaluationIn(tx, SYSTEM_ACTOR, versionId, "drift_probe"), { behavior: "immediate" });
  return due.length;
}


/** Evaluations left running by a runner whose lease expired go back to the queue, to be carried out again. */
export function requeueOrphanedEvaluations(db: Db, now = Date.now()): void {
  const running = db.select({ id: leakageReports.id, runnerId: leakageReports.runnerId }).from(leakageReports).where(eq(leakageReports.status, "running")).all();
  for (const { id, runnerId } of running) {
    if (leaseHolds(db, runnerId, now)) continue;
    db.update(leakageReports)
      .set({ status: "queued", runnerId: null })
      .where(and(eq(leakageReports.id, id), eq(leakageReports.status, "running"), runnerId === null ? isNull(leakageReports.runnerId) : eq(leakageReports.runnerId, runnerId)))
      .run();
  }
}
