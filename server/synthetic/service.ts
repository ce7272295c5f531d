// Synthetic datasets as the web server sees them: an engineer asks for records sampled from an approved fine-tuned
// version into a new dataset (the job runner generates and validates them, server/jobs/synthetic.ts), may cancel;
// a privacy officer approves a version whose validation passed before anyone may train on or download it, and sets
// the organisation's thresholds. Every change is audited.
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { first, transaction, type Db, type Executor, type Tx } from "../../db/client";
import { datasetAccess, datasetVersions, datasets, modelVersions, runs, syntheticJobs, syntheticThresholds, users, type SyntheticJob } from "../../db/schema";
import type { UserActor } from "../actor";
import { audited, SYSTEM_ACTOR } from "../audit/service";
import { ABILITIES, may } from "../auth/access";
import type { SessionUser } from "../context";
import { hasAccess, visibleDataset } from "../datasets/access";
import { insertVersion, type IngestedVersion } from "../datasets/service";
import { AppError } from "../errors";
import { openIncidentIn } from "../incidents/service";
import { guarantees } from "../models/service";
import { visibleModelVersion } from "../models/visibility";
import { DEFAULT_THRESHOLDS, validationReportSchema, type Thresholds, type ValidationReport } from "./report";
import { syntheticRequestSchema } from "./request";

export const requestSyntheticInput = z.strictObject({ versionId: z.uuid(), request: syntheticRequestSchema });
export const syntheticJobInput = z.strictObject({ jobId: z.uuid() });

const ORGANISATION = "organisation";

/** The organisation's thresholds: as a privacy officer set them, else the defaults. */
export async function currentThresholds(db: Executor): Promise<Thresholds> {
  const row = await first(db.select().from(syntheticThresholds).where(eq(syntheticThresholds.id, ORGANISATION)));
  if (!row) return DEFAULT_THRESHOLDS;
  return { near_duplicate_jaccard: row.nearDuplicateJaccard, max_duplicate_share: row.maxDuplicateShare, max_closer_share: row.maxCloserShare, max_copied_pii: row.maxCopiedPii };
}

/** Sets the organisation's thresholds (a privacy officer); versions validated before keep the thresholds they were checked against. */
export function setThresholds(db: Db, actor: UserActor, input: Thresholds): Promise<Thresholds> {
  return audited(db, { actor, action: "synthetic.set_thresholds", entityType: "organisation", entityId: ORGANISATION, input }, async (tx) => {
    const values = {
      nearDuplicateJaccard: input.near_duplicate_jaccard,
      maxDuplicateShare: input.max_duplicate_share,
      maxCloserShare: input.max_closer_share,
      maxCopiedPii: input.max_copied_pii,
      updatedBy: actor.id,
      updatedAt: new Date().toISOString(),
    };
    await tx.insert(syntheticThresholds).values({ id: ORGANISATION, ...values }).onConflictDoUpdate({ target: syntheticThresholds.id, set: values });
    return currentThresholds(tx);
  });
}

/**
 * Queues a generation from a fine-tuned version the engineer may see, approved or deployed, into a new dataset named as
 * asked (the engineer is granted access to it); the audit entry digests the whole request.
 */
export async function requestSynthetic(db: Db, user: SessionUser, actor: UserActor, input: z.infer<typeof requestSyntheticInput>): Promise<{ jobId: string; datasetId: string }> {
  const version = await visibleModelVersion(db, user, input.versionId);
  if (!version.runId) throw new AppError("BAD_REQUEST", "Synthetic data comes from a fine-tuned version: a base model was not trained on data of ours.");
  if (version.status !== "approved" && version.status !== "deployed") {
    throw new AppError("CONFLICT", `Only an approved or deployed version may generate synthetic data; this one is ${version.status}.`);
  }
  const jobId = randomUUID();
  const datasetId = randomUUID();
  const { request } = input;
  const change = { actor, action: "synthetic.request", entityType: "dataset", entityId: datasetId, input: { jobId, versionId: input.versionId, ...request } };
  await audited(db, change, async (tx) => {
    if (await first(tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, request.dataset_name)))) {
      throw new AppError("CONFLICT", `A dataset named "${request.dataset_name}" already exists.`);
    }
    const description = `Synthetic records sampled from a fine-tuned model version (${input.versionId}).`;
    await tx.insert(datasets).values({ id: datasetId, name: request.dataset_name, description, createdBy: user.id });
    await tx.insert(datasetAccess).values({ datasetId, userId: user.id, grantedBy: user.email });
    await tx.insert(syntheticJobs).values({ id: jobId, datasetId, modelVersionId: input.versionId, requestedBy: actor.id, request: JSON.stringify(request), total: request.records });
  });
  return { jobId, datasetId };
}

async function jobIn(db: Executor, jobId: string): Promise<SyntheticJob> {
  const row = await first(db.select().from(syntheticJobs).where(eq(syntheticJobs.id, jobId)));
  if (!row) throw new AppError("NOT_FOUND", "No such synthetic-data job.");
  return row;
}

/** Cancels a queued job at once, or asks the runner to stop a running one at its next batch: its engineers or a privacy officer. */
export async function cancelSynthetic(db: Db, user: SessionUser, actor: UserActor, input: z.infer<typeof syntheticJobInput>) {
  return audited(db, { actor, action: "synthetic.cancel", entityType: "synthetic_job", entityId: input.jobId, input }, async (tx) => {
    const job = await jobIn(tx, input.jobId);
    await visibleDataset(tx, user, job.datasetId).catch(() => {
      throw new AppError("NOT_FOUND", "No such synthetic-data job.");
    });
    if (!may(user.role, ABILITIES["runs.cancel.any"]) && !(await hasAccess(tx, user.id, job.datasetId))) throw new AppError("FORBIDDEN", "You may not cancel this job.");
    if (job.status !== "queued" && job.status !== "running") throw new AppError("CONFLICT", `The job is ${job.status}; only a queued or running job can be cancelled.`);
    // A queued job stops at once, unless a runner claimed it meanwhile; a running one at its next batch.
    const stopped = await tx
      .update(syntheticJobs)
      .set({ cancelRequested: true, status: "cancelled", finishedAt: new Date().toISOString() })
      .where(and(eq(syntheticJobs.id, job.id), eq(syntheticJobs.status, "queued")))
      .returning({ id: syntheticJobs.id });
    if (stopped.length === 0) await tx.update(syntheticJobs).set({ cancelRequested: true }).where(eq(syntheticJobs.id, job.id));
    return { jobId: job.id };
  });
}

/** Approves a done version whose validation passed, for training and download (a privacy officer); once. */
export function approveSynthetic(db: Db, actor: UserActor, input: z.infer<typeof syntheticJobInput>) {
  return audited(db, { actor, action: "synthetic.approve", entityType: "synthetic_job", entityId: input.jobId, input }, async (tx) => {
    const job = await jobIn(tx, input.jobId);
    if (job.status !== "done" || job.verdict === null) throw new AppError("CONFLICT", "The job has no validated version to approve yet.");
    if (job.verdict === "failed") throw new AppError("CONFLICT", "The version failed its leakage validation and cannot be approved; see its report and incident.");
    if (job.approvedAt !== null) throw new AppError("CONFLICT", "The version is already approved.");
    const source = (await first(tx.select({ status: modelVersions.status }).from(modelVersions).where(eq(modelVersions.id, job.modelVersionId))))!;
    if (source.status === "withdrawn") throw new AppError("CONFLICT", "The model version it was sampled from was withdrawn.");
    await tx.update(syntheticJobs).set({ approvedBy: actor.id, approvedAt: new Date().toISOString() }).where(eq(syntheticJobs.id, job.id));
    return { jobId: job.id };
  });
}

/** A job as the dashboard shows it: its request, progress, masked report and approval. */
async function shown(db: Executor, job: SyntheticJob) {
  const approver = job.approvedBy === null ? null : await first(db.select({ email: users.email }).from(users).where(eq(users.id, job.approvedBy)));
  return {
    id: job.id,
    datasetId: job.datasetId,
    modelVersionId: job.modelVersionId,
    request: syntheticRequestSchema.parse(JSON.parse(job.request)),
    status: job.status,
    generated: job.generated,
    total: job.total,
    cancelRequested: job.cancelRequested,
    error: job.error,
    datasetVersionId: job.datasetVersionId,
    verdict: job.verdict,
    report: job.report === null ? null : validationReportSchema.parse(JSON.parse(job.report)),
    approvedBy: approver?.email ?? null,
    approvedAt: job.approvedAt,
    incidentId: job.incidentId,
    requestedAt: job.requestedAt,
    finishedAt: job.finishedAt,
  };
}

/**
 * A dataset's synthetic side, for its page: its jobs, newest first, and the guarantee its records carry (the source
 * model's, on the source lineages); null for a dataset of real data.
 */
export async function syntheticOfDataset(db: Executor, user: SessionUser, datasetId: string) {
  await visibleDataset(db, user, datasetId);
  const jobs = await db.select().from(syntheticJobs).where(eq(syntheticJobs.datasetId, datasetId)).orderBy(desc(syntheticJobs.requestedAt));
  if (jobs.length === 0) return null;
  const sourceId = jobs[0]!.modelVersionId;
  return {
    sourceModelVersionId: sourceId,
    /** Post-processing: the records carry the source model's guarantee on its lineages, and training on them spends nothing more. */
    guarantees: await guarantees(db, sourceId),
    jobs: await Promise.all(jobs.map((j) => shown(db, j))),
  };
}

/** A model version's synthetic datasets (for its page), newest first. */
export async function syntheticOfModel(db: Executor, user: SessionUser, versionId: string) {
  await visibleModelVersion(db, user, versionId);
  const rows = await db
    .select({ job: syntheticJobs, dataset: datasets.name })
    .from(syntheticJobs)
    .innerJoin(datasets, eq(datasets.id, syntheticJobs.datasetId))
    .where(eq(syntheticJobs.modelVersionId, versionId))
    .orderBy(desc(syntheticJobs.requestedAt));
  return Promise.all(rows.map(async (r) => ({ ...(await shown(db, r.job)), datasetName: r.dataset })));
}

/** Records a job's progress (not a governance change: no audit entry). */
export function recordProgress(db: Db, jobId: string, generated: number): Promise<{ cancelRequested: boolean }> {
  return transaction(db, async (tx) => {
    await tx.update(syntheticJobs).set({ generated }).where(eq(syntheticJobs.id, jobId));
    const row = await first(tx.select({ cancelRequested: syntheticJobs.cancelRequested }).from(syntheticJobs).where(eq(syntheticJobs.id, jobId)));
    return { cancelRequested: row?.cancelRequested ?? true };
  });
}

/**
 * Records a finished generation: the synthetic version, its report and verdict; a failed validation opens a
 * high-severity incident linked to the version and its model, in the same transaction.
 */
export function recordSyntheticVersion(db: Db, job: SyntheticJob, version: IngestedVersion, report: ValidationReport): Promise<string> {
  const versionId = randomUUID();
  const input = { jobId: job.id, contentDigest: version.contentDigest, recordCount: version.recordCount, passed: report.passed, failures: report.failures };
  return audited(db, { actor: SYSTEM_ACTOR, action: "synthetic.validated", entityType: "dataset_version", entityId: versionId, input }, async (tx: Tx) => {
    await insertVersion(tx, job.datasetId, null, version, job.requestedBy, versionId, job.modelVersionId);
    const incidentId = report.passed
      ? null
      : await openIncidentIn(tx, SYSTEM_ACTOR, {
          title: "A synthetic dataset failed its leakage validation",
          description: `Synthetic version ${versionId} of model version ${job.modelVersionId}: ${report.failures.join(" ")}`,
          severity: "high",
          source: "synthetic_validation",
          links: [
            { entityType: "dataset_version", entityId: versionId },
            { entityType: "model_version", entityId: job.modelVersionId },
          ],
        });
    const now = new Date().toISOString();
    await tx
      .update(syntheticJobs)
      .set({ status: "done", generated: version.recordCount, datasetVersionId: versionId, report: JSON.stringify(report), verdict: report.passed ? "passed" : "failed", incidentId, finishedAt: now })
      .where(eq(syntheticJobs.id, job.id));
    return versionId;
  });
}

/** Records that a job failed (with why) or stopped on a cancel. */
export function recordSyntheticEnd(db: Db, job: SyntheticJob, end: { status: "failed" | "cancelled"; reason: string | null }): Promise<void> {
  const change = { actor: SYSTEM_ACTOR, action: `synthetic.${end.status}`, entityType: "synthetic_job", entityId: job.id, input: { reason: end.reason } };
  return audited(db, change, async (tx) => {
    await tx.update(syntheticJobs).set({ status: end.status, error: end.reason, finishedAt: new Date().toISOString() }).where(eq(syntheticJobs.id, job.id));
  });
}

/**
 * The synthetic versions a model version's chain was trained on, for its disclosure and provenance: each with its
 * content digest, the model it was sampled from (and its weights' digest), its validation verdict and approval.
 */
export async function syntheticSourcesOf(db: Executor, chainRunIds: readonly string[]) {
  if (chainRunIds.length === 0) return [];
  const rows = await db
    .select({ version: datasetVersions, job: syntheticJobs, weightsDigest: modelVersions.weightsDigest, approver: users.email })
    .from(runs)
    .innerJoin(datasetVersions, eq(datasetVersions.id, runs.datasetVersionId))
    .innerJoin(syntheticJobs, eq(syntheticJobs.datasetVersionId, datasetVersions.id))
    .innerJoin(modelVersions, eq(modelVersions.id, syntheticJobs.modelVersionId))
    .leftJoin(users, eq(users.id, syntheticJobs.approvedBy))
    .where(inArray(runs.id, [...chainRunIds]));
  const byVersion = new Map(rows.map((r) => [r.version.id, r]));
  return [...byVersion.values()].map((r) => ({
    datasetVersionId: r.version.id,
    contentDigest: r.version.contentDigest,
    sourceModelVersionId: r.job.modelVersionId,
    sourceWeightsDigest: r.weightsDigest,
    validationPassed: r.job.verdict === "passed",
    approvedBy: r.approver,
    approvedAt: r.job.approvedAt,
  }));
}
