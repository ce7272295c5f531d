// What callers read of runs: a run's view (an explicit DTO), the runs a user may see, and what an engineer may launch on.
import { asc, count, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../db/client";
import { datasetAccess, datasetVersions, datasets, modelFamilies, modelVersions, runs, type Run } from "../../db/schema";
import type { SessionUser } from "../context";
import { visibleRead } from "../datasets/access";
import { modelVisibility } from "../models/visibility";

/**
 * What an engineer may launch on: versions of datasets they were granted (the federation's declarations among them,
 * marked, for federated runs), and every model version not withdrawn whose data they may see.
 */
export async function launchOptions(db: Executor, user: SessionUser) {
  const granted = await db
    .select({ versionId: datasetVersions.id, version: datasetVersions.version, datasetId: datasets.id, datasetName: datasets.name, recordCount: datasetVersions.recordCount, subjectCount: datasetVersions.subjectCount, federation: datasets.federation })
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
const RUN_VIEW_FIELDS = [
  "id",
  "datasetId",
  "datasetVersionId",
  "baseModelVersionId",
  "privacyUnit",
  "samplingRate",
  "noiseMultiplier",
  "plannedSteps",
  "chargedSteps",
  "checkpointStep",
  "cancelRequested",
  "status",
  "statusReason",
  "resultModelVersionId",
  "keepRunFiles",
  "runFilesDeletedAt",
  "createdBy",
  "createdAt",
  "startedAt",
  "endedAt",
] as const satisfies readonly (keyof Run)[];
export type RunView = Pick<Run, (typeof RUN_VIEW_FIELDS)[number]>;

/** The columns of a run's view, for queries that read only those. */
const runViewColumns = Object.fromEntries(RUN_VIEW_FIELDS.map((field) => [field, runs[field]])) as { [F in (typeof RUN_VIEW_FIELDS)[number]]: (typeof runs)[F] };

export function runView(run: RunView): RunView {
  return Object.fromEntries(RUN_VIEW_FIELDS.map((field) => [field, run[field]])) as RunView;
}

/** Which page of the runs list: newest first, `pageSize` to a page. */
export const runsPageInput = z.object({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});

/**
 * A page of the runs on datasets the user may see, newest first, and how many there are in all: in one query, which
 * counts them too (a page past the end counts them apart).
 */
export async function listRuns(db: Executor, user: SessionUser, { page, pageSize }: z.infer<typeof runsPageInput>) {
  const rows = await visibleRuns(db, user, { limit: pageSize, offset: (page - 1) * pageSize });
  const total = rows[0]?.total ?? (await visibleRunCount(db, user))[0]?.n ?? 0;
  return { runs: rows.map(({ total: _total, ...run }) => run), total, page, pageSize };
}

/** Engineers see runs on the datasets they were granted; the other roles see every run. Newest first. */
const visibleRuns = visibleRead("visible_runs", (db, visible) =>
  db
    .select({ ...runViewColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(runs)
    .where(visible(runs.datasetId))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset")),
);
const visibleRunCount = visibleRead("visible_run_count", (db, visible) => db.select({ n: count() }).from(runs).where(visible(runs.datasetId)));
