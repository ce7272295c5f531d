// Datasets and their immutable versions: registering an ingested upload or a minimised version, access grants,
// and what each role may see of them.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { and, asc, desc, eq, gt, max, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { engineOf, first, type Db, type Executor, type Tx } from "../../db/client";
import { DATASET_FORMATS, datasetAccess, datasetVersions, datasets, users, type Dataset, type DatasetVersion } from "../../db/schema";
import { audited, type Actor } from "../audit/service";
import type { SessionUser } from "../context";
import { AppError } from "../errors";
import { lineText } from "../validation";
import { hasAccess, mayMinimise, maySeeDataset, visibleDataset, visibleRead } from "./access";
import { MinimisationError, minimiseDataset, minimisationPlanSchema } from "./ingest/minimise";
import { piiReportSchema, type PiiReport } from "./ingest/pii-report";
import type { VersionSummary } from "./ingest/version-file";
import { retentionEndsAt, versionFile } from "./version-files";
import { datasetVersionById, extraFieldsOf } from "./version-row";

export const datasetName = lineText().min(1, "Enter a dataset name").max(200);
export const accessInput = z.object({ datasetId: z.uuid(), userId: z.uuid() });
export const minimiseInput = z.object({ versionId: z.uuid(), plan: minimisationPlanSchema });

/** Why the federation's lineage takes no upload and no minimised version. */
const FEDERATION_VERSIONS = "The federation's lineage holds the parties' declarations only, recorded on the Federation page: it takes no upload and no minimised version.";

/** What ingesting (or minimising) produced: the stored file and what we know of its content. */
export interface IngestedVersion {
  format: (typeof DATASET_FORMATS)[number];
  textField: string;
  subjectField: string | null;
  storagePath: string;
  sourceDigest: string;
  contentDigest: string;
  bytes: number;
  recordCount: number;
  subjectCount: number;
  maxRecordsPerSubject: number;
  fields: string[];
  piiReport: PiiReport;
  minimisation: z.infer<typeof minimisationPlanSchema> | null;
}

/**
 * Inserts a version (numbered after the dataset's last) inside the caller's transaction; `sourceModelVersionId` names
 * the model a synthetic version was sampled from.
 */
export async function insertVersion(
  tx: Tx,
  datasetId: string,
  parentVersionId: string | null,
  v: IngestedVersion,
  createdBy: string,
  id: string,
  sourceModelVersionId: string | null = null,
): Promise<DatasetVersion> {
  // The next number is read, then written: the dataset's row is locked first so that concurrent versions queue. The
  // job runner, which records synthetic versions, may not lock a dataset's row (db/worker-role.ts): the unique version
  // number refuses the one of two concurrent versions that comes second.
  if (sourceModelVersionId === null) await engineOf(tx).lockRow(tx, "datasets", datasetId);
  const last = await first(tx.select({ n: max(datasetVersions.version) }).from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)));
  await tx
    .insert(datasetVersions)
    .values({
      id,
      datasetId,
      version: (last?.n ?? 0) + 1,
      parentVersionId,
      format: v.format,
      textField: v.textField,
      subjectField: v.subjectField,
      storagePath: v.storagePath,
      sourceDigest: v.sourceDigest,
      contentDigest: v.contentDigest,
      bytes: v.bytes,
      recordCount: v.recordCount,
      subjectCount: v.subjectCount,
      maxRecordsPerSubject: v.maxRecordsPerSubject,
      fields: JSON.stringify(v.fields),
      piiReport: JSON.stringify(v.piiReport),
      minimisation: v.minimisation === null ? null : JSON.stringify(v.minimisation),
      sourceModelVersionId,
      createdBy,
    });
  return (await first(tx.select().from(datasetVersions).where(eq(datasetVersions.id, id))))!;
}

/**
 * Registers an uploaded version: of a new dataset named `target.name` (its uploader is granted access), or a new
 * version of `target.datasetId`, which the uploader must have access to.
 */
export function registerUpload(db: Db, user: SessionUser, actor: Actor, target: { name: string } | { datasetId: string }, v: IngestedVersion) {
  const versionId = randomUUID();
  const datasetId = "datasetId" in target ? target.datasetId : randomUUID();
  const input = { ...target, contentDigest: v.contentDigest, sourceDigest: v.sourceDigest, recordCount: v.recordCount };
  return audited(db, { actor, action: "dataset.upload", entityType: "dataset_version", entityId: versionId, input }, async (tx) => {
    if ("name" in target) {
      if (await first(tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, target.name)))) {
        throw new AppError("CONFLICT", `A dataset named "${target.name}" already exists.`);
      }
      await tx.insert(datasets).values({ id: datasetId, name: target.name, createdBy: user.id });
      await tx.insert(datasetAccess).values({ datasetId, userId: user.id, grantedBy: user.email });
    } else {
      const dataset = await visibleDataset(tx, user, datasetId);
      if (!(await hasAccess(tx, user.id, datasetId))) throw new AppError("FORBIDDEN", "You do not have access to this dataset.");
      if (dataset.federation) throw new AppError("CONFLICT", FEDERATION_VERSIONS);
    }
    return insertVersion(tx, datasetId, null, v, user.id, versionId);
  });
}

/**
 * Makes a new version from `versionId` by the plan (redact, mask or drop fields and entity types). It belongs to the
 * same dataset, so it shares its parent's budget. Streams file to file; on any failure no file and no row remain.
 */
export async function minimiseVersion(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof minimiseInput>, dataDir: string) {
  const parent = await visibleVersion(db, user, input.versionId);
  if (!(await mayMinimise(db, user, parent.datasetId))) throw new AppError("FORBIDDEN", "You do not have access to this dataset.");
  if ((await visibleDataset(db, user, parent.datasetId)).federation) throw new AppError("CONFLICT", FEDERATION_VERSIONS);
  const storagePath = path.join("datasets", `${randomUUID()}.jsonl`);
  const destination = path.join(dataDir, storagePath);
  let summary;
  try {
    summary = await minimiseDataset({ sourcePath: versionFile(dataDir, parent), destination, plan: input.plan });
  } catch (err) {
    if (err instanceof MinimisationError) throw new AppError("BAD_REQUEST", `The plan was refused: ${err.message}.`);
    throw err;
  }
  if (summary.sourceDigest !== parent.contentDigest) {
    await rm(destination, { force: true });
    throw new AppError("CONFLICT", "The stored file of this version does not match its digest; it was altered on disk.");
  }
  const versionId = randomUUID();
  const audit = { actor, action: "dataset.minimise", entityType: "dataset_version", entityId: versionId, input: { ...input, contentDigest: summary.contentDigest } };
  try {
    const created = await audited(db, audit, (tx) =>
      insertVersion(tx, parent.datasetId, parent.id, { ...versionFields(parent), ...summaryFields(summary), storagePath, minimisation: input.plan }, user.id, versionId),
    );
    return versionView(created);
  } catch (err) {
    await rm(destination, { force: true });
    throw err;
  }
}

function versionFields(v: DatasetVersion) {
  return { format: v.format, textField: v.textField, subjectField: v.subjectField };
}

/** The columns a version takes from what ingesting or minimising measured. */
export function summaryFields(summary: VersionSummary) {
  return {
    sourceDigest: summary.sourceDigest,
    contentDigest: summary.contentDigest,
    bytes: summary.contentBytes,
    recordCount: summary.recordCount,
    subjectCount: summary.subjectCount,
    maxRecordsPerSubject: summary.maxRecordsPerSubject,
    fields: summary.fields,
    piiReport: summary.pii,
  };
}

/**
 * What callers see of a stored version (an explicit DTO: never where its file lies), with its JSON columns read back
 * through their schemas.
 */
export function versionView(row: DatasetVersion) {
  return {
    id: row.id,
    datasetId: row.datasetId,
    version: row.version,
    parentVersionId: row.parentVersionId,
    /** An upload, a version minimised from its parent, or records sampled from a model (its source, post-processing). */
    kind: row.sourceModelVersionId !== null ? ("synthetic" as const) : row.parentVersionId !== null ? ("minimised" as const) : ("upload" as const),
    sourceModelVersionId: row.sourceModelVersionId,
    format: row.format,
    textField: row.textField,
    subjectField: row.subjectField,
    sourceDigest: row.sourceDigest,
    contentDigest: row.contentDigest,
    bytes: row.bytes,
    recordCount: row.recordCount,
    subjectCount: row.subjectCount,
    maxRecordsPerSubject: row.maxRecordsPerSubject,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    filesDeletedAt: row.filesDeletedAt,
    filesDeletedBy: row.filesDeletedBy,
    fields: extraFieldsOf(row),
    piiReport: piiReportSchema.parse(JSON.parse(row.piiReport)),
    minimisation: row.minimisation === null ? null : minimisationPlanSchema.parse(JSON.parse(row.minimisation)),
  };
}

/** A version the user may see; records (not only metadata) need an access grant, checked by the caller. */
export async function visibleVersion(db: Executor, user: SessionUser, versionId: string): Promise<DatasetVersion> {
  const version = await datasetVersionById(db, versionId);
  if (!version || !(await maySeeDataset(db, user, version.datasetId))) throw new AppError("NOT_FOUND", "No such dataset version.");
  return version;
}

/** What callers see of a dataset (an explicit DTO, so a new column is not shown unasked). */
function datasetView(d: Dataset) {
  return { id: d.id, name: d.name, description: d.description, createdBy: d.createdBy, createdAt: d.createdAt, retentionDays: d.retentionDays };
}

/** The latest version of each dataset the user may see, in one query. */
/** The datasets the user may see, by name, each with its latest version (none before its first upload): one query. */
const visibleWithLatest = visibleRead("visible_datasets_with_latest_version", (db, visible) => {
  const newer = alias(datasetVersions, "newer");
  const isNewer = and(eq(newer.datasetId, datasetVersions.datasetId), gt(newer.version, datasetVersions.version));
  return db
    .select({ dataset: datasets, latest: datasetVersions })
    .from(datasets)
    .leftJoin(datasetVersions, and(eq(datasetVersions.datasetId, datasets.id), notExists(db.select({ one: sql`1` }).from(newer).where(isNewer))))
    .where(visible(datasets.id))
    .orderBy(asc(datasets.name));
});

export async function listDatasets(db: Executor, user: SessionUser) {
  // An engineer sees a dataset only with access to it, so may train on each one listed.
  return (await visibleWithLatest(db, user)).map(({ dataset, latest }) => ({
    ...datasetView(dataset),
    latest: latest && versionView(latest),
    canTrain: user.role === "engineer",
  }));
}

export async function datasetDetail(db: Executor, user: SessionUser, datasetId: string) {
  const dataset = await visibleDataset(db, user, datasetId);
  const rows = await db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.version));
  const versions = rows.map((v) => ({
    ...versionView(v),
    retentionEndsAt: v.filesDeletedAt === null ? (retentionEndsAt(v.createdAt, dataset.retentionDays)?.toISOString() ?? null) : null,
  }));
  const access = await db
    .select({ userId: users.id, email: users.email, name: users.name, grantedBy: datasetAccess.grantedBy, grantedAt: datasetAccess.grantedAt })
    .from(datasetAccess)
    .innerJoin(users, eq(users.id, datasetAccess.userId))
    .where(eq(datasetAccess.datasetId, datasetId));
  return {
    dataset: datasetView(dataset),
    versions,
    access,
    canTrain: user.role === "engineer" && (await hasAccess(db, user.id, datasetId)),
    canMinimise: await mayMinimise(db, user, datasetId),
  };
}

export function grantAccess(db: Db, actor: Actor, input: z.infer<typeof accessInput>) {
  return audited(db, { actor, action: "dataset.grant_access", entityType: "dataset", entityId: input.datasetId, input }, async (tx) => {
    if (!(await first(tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, input.datasetId))))) throw new AppError("NOT_FOUND", "No such dataset.");
    const user = await first(tx.select().from(users).where(eq(users.id, input.userId)));
    if (!user) throw new AppError("NOT_FOUND", "No such user.");
    if (user.role !== "engineer") throw new AppError("BAD_REQUEST", "Only engineers are granted access to train on datasets.");
    if (await hasAccess(tx, user.id, input.datasetId)) throw new AppError("CONFLICT", `${user.email} already has access.`);
    await tx.insert(datasetAccess).values({ ...input, grantedBy: actor.email });
    return { datasetId: input.datasetId, userId: user.id };
  });
}

export function revokeAccess(db: Db, actor: Actor, input: z.infer<typeof accessInput>) {
  return audited(db, { actor, action: "dataset.revoke_access", entityType: "dataset", entityId: input.datasetId, input }, async (tx) => {
    const where = and(eq(datasetAccess.datasetId, input.datasetId), eq(datasetAccess.userId, input.userId));
    if (!(await first(tx.select().from(datasetAccess).where(where)))) throw new AppError("NOT_FOUND", "That user has no access to this dataset.");
    await tx.delete(datasetAccess).where(where);
    return input;
  });
}
