// Leakage evaluations and privacy-drift monitoring, as the web server sees them: requests (after training, on demand,
// drift probes by hand or on a schedule) queue jobs that the job runner carries out (./jobs.ts); thresholds; reports.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { first, transaction, type Db, type Executor, type Tx } from "../../db/client";
import { LEAKAGE_REPORT_KINDS, driftThresholds, leakageReports, modelFamilies, modelVersions, runs } from "../../db/schema";
import { appendAudit, audited, type Actor } from "../audit/service";
import type { UserActor } from "../actor";
import { AppError } from "../errors";
import { storedLeakageSchema, type StoredLeakage } from "./stored";

export const evaluateInput = z.object({ versionId: z.uuid(), kind: z.enum(["on_demand", "drift_probe"]) });
export const thresholdsInput = z.object({
  versionId: z.uuid(),
  maxAuc: z.number().min(0.5).max(1),
  maxExposure: z.number().min(0).max(200),
  maxPiiPer1000: z.number().min(0).max(1000),
  intervalMinutes: z.number().int().min(0).max(7 * 24 * 60),
});

/** Queues an evaluation inside the caller's transaction, with its audit entry. */
export async function queueEvaluationIn(tx: Tx, actor: Actor, versionId: string, kind: (typeof LEAKAGE_REPORT_KINDS)[number]): Promise<string> {
  const version = await first(tx.select().from(modelVersions).where(eq(modelVersions.id, versionId)));
  if (!version) throw new AppError("NOT_FOUND", "No such model version.");
  const run = version.runId ? await first(tx.select().from(runs).where(eq(runs.id, version.runId))) : undefined;
  if (!run?.canaryPlan) throw new AppError("BAD_REQUEST", "Leakage tests need a fine-tuned version whose run inserted canaries.");
  const id = randomUUID();
  await tx.insert(leakageReports).values({ id, modelVersionId: versionId, kind });
  await appendAudit(tx, { actor, action: `leakage.${kind}`, entityType: "model_version", entityId: versionId, input: { reportId: id, kind } });
  return id;
}

export function requestEvaluation(db: Db, actor: UserActor, input: z.infer<typeof evaluateInput>): Promise<string> {
  return transaction(db, (tx) => queueEvaluationIn(tx, actor, input.versionId, input.kind));
}

export function setThresholds(db: Db, actor: UserActor, input: z.infer<typeof thresholdsInput>) {
  return audited(db, { actor, action: "leakage.set_thresholds", entityType: "model_version", entityId: input.versionId, input }, async (tx) => {
    await assertVersionExists(tx, input.versionId);
    const { versionId, ...values } = input;
    const row = { modelVersionId: versionId, ...values, setBy: actor.id, updatedAt: new Date().toISOString() };
    await tx.insert(driftThresholds).values(row).onConflictDoUpdate({ target: driftThresholds.modelVersionId, set: row });
  });
}

async function assertVersionExists(db: Executor, versionId: string): Promise<void> {
  if (!(await first(db.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.id, versionId))))) {
    throw new AppError("NOT_FOUND", "No such model version.");
  }
}

/** A version's evaluations, newest first (reports read back through their schema), and its drift thresholds. */
export async function leakageOverview(db: Executor, versionId: string) {
  await assertVersionExists(db, versionId);
  const rows = await db.select().from(leakageReports).where(eq(leakageReports.modelVersionId, versionId)).orderBy(desc(leakageReports.requestedAt));
  const reports = rows.map((r) => ({ ...r, report: r.report === null ? null : storedLeakageSchema.parse(JSON.parse(r.report)) }));
  return { reports, thresholds: await thresholdsOf(db, versionId) };
}

async function thresholdsOf(db: Executor, versionId: string) {
  return (await first(db.select().from(driftThresholds).where(eq(driftThresholds.modelVersionId, versionId)))) ?? null;
}

/** Deployed versions under monitoring, with their thresholds and drift timelines. */
export async function monitoredVersions(db: Executor) {
  const deployed = await db
    .select({ id: modelVersions.id, version: modelVersions.version, family: modelFamilies.name, status: modelVersions.status })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .where(eq(modelVersions.status, "deployed"));
  return Promise.all(deployed.map(async (v) => ({ ...v, thresholds: await thresholdsOf(db, v.id), timeline: await driftTimeline(db, [v.id]) })));
}

/** Mean exposure of the canaries that were inserted (what memorisation would raise). */
export function meanIncludedExposure(stored: StoredLeakage): number {
  const included = stored.leakage.canaries.filter((c) => c.included);
  return included.length ? included.reduce((s, c) => s + c.exposure, 0) / included.length : 0;
}

/** Drift timeline of a version: each probe's AUC, mean included exposure and PII per 1000 outputs. */
export async function driftTimeline(db: Executor, versionIds: string[]) {
  if (versionIds.length === 0) return [];
  const done = await db
    .select()
    .from(leakageReports)
    .where(and(inArray(leakageReports.modelVersionId, versionIds), eq(leakageReports.status, "done")))
    .orderBy(asc(leakageReports.requestedAt));
  return done.map((r) => {
      const stored = storedLeakageSchema.parse(JSON.parse(r.report!));
      return {
        at: r.requestedAt,
        kind: r.kind,
        alert: r.alert,
        auc: stored.leakage.membership.auc,
        exposure: meanIncludedExposure(stored),
        piiPer1000: Object.values(stored.output_pii?.per_1000 ?? {}).reduce((s, n) => s + n, 0),
      };
    });
}
