// What callers read of runs: a run's view (an explicit DTO), the runs a user may see, and what an engineer may launch on.
import { asc, desc, eq, ne } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { datasetAccess, datasetVersions, datasets, modelFamilies, modelVersions, runs, type Run } from "../../db/schema";
import type { SessionUser } from "../context";
import { modelVisibility } from "../models/visibility";

/** What an engineer may launch on: versions of datasets they were granted, and every model version not withdrawn whose data they may see. */
export async function launchOptions(db: Executor, user: SessionUser) {
  const granted = await db
    .select({ versionId: datasetVersions.id, version: datasetVersions.version, datasetId: datasets.id, datasetName: datasets.name, recordCount: datasetVersions.recordCount, subjectCount: datasetVersions.subjectCount })
    .from(datasetAccess)
    .innerJoin(datasets, eq(datasets.id, datasetAccess.datasetId))
    .innerJoin(datasetVersions, eq(datasetVersions.datasetId, datasets.id))
    .where(eq(datasetAccess.userId, user.id))
    .orderBy(asc(datasets.name), desc(datasetVersions.version));
  const models = await db
    .select({ id: modelVersions.id, version: modelVersions.version, kind: modelVersions.kind, status: modelVersions.status, family: modelFamilies.name })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .where(ne(modelVersions.status, "withdrawn"))
    .orderBy(asc(modelFamilies.name), desc(modelVersions.version));
  const visible = await modelVisibility(db, user);
  const shown = await Promise.all(models.map((m) => visible(m.id)));
  return { datasetVersions: granted, modelVersions: models.filter((_, i) => shown[i]) };
}

/**
 * What callers see of a run (an explicit DTO): its settings, progress and outcome; not the server's own bookkeeping
 * (runner lease, canary plan, reported events, the stored spec).
 */
export function runView(run: Run) {
  return {
    id: run.id,
    datasetId: run.datasetId,
    datasetVersionId: run.datasetVersionId,
    baseModelVersionId: run.baseModelVersionId,
    privacyUnit: run.privacyUnit,
    samplingRate: run.samplingRate,
    noiseMultiplier: run.noiseMultiplier,
    plannedSteps: run.plannedSteps,
    chargedSteps: run.chargedSteps,
    checkpointStep: run.checkpointStep,
    cancelRequested: run.cancelRequested,
    status: run.status,
    statusReason: run.statusReason,
    resultModelVersionId: run.resultModelVersionId,
    keepRunFiles: run.keepRunFiles,
    runFilesDeletedAt: run.runFilesDeletedAt,
    createdBy: run.createdBy,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
  };
}

/** Runs on datasets the user may see, newest first. */
export async function listRuns(db: Executor, user: SessionUser) {
  const all = (await db.select().from(runs).orderBy(desc(runs.createdAt))).map(runView);
  if (user.role !== "engineer") return all;
  const granted = new Set(
    (await db.select({ datasetId: datasetAccess.datasetId }).from(datasetAccess).where(eq(datasetAccess.userId, user.id))).map((r) => r.datasetId),
  );
  return all.filter((r) => granted.has(r.datasetId));
}

