// The life of a dataset version's file: where it is while it is kept, its deletion by a privacy officer (refused while
// a queued or running run uses it), and the retention sweep that deletes files older than their dataset's retention.
// The version's row, digests, counts and audit trail stay; a version without its file cannot be trained on or minimised.
import { rmSync } from "node:fs";
import path from "node:path";
import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { engineOf, first, lockedRow, type Db, type Executor, type Tx } from "../../db/client";
import { datasetVersions, datasets, runs, type DatasetVersion } from "../../db/schema";
import { SYSTEM_ACTOR, audited, type Actor } from "../audit/service";
import type { SessionUser } from "../context";
import { AppError } from "../errors";

/** Who deleted a version's files when its dataset's retention did. */
export const RETENTION_DELETER = "retention";
/** Longest retention an officer may set: 100 years. */
const MAX_RETENTION_DAYS = 36_500;
const DAY_MS = 86_400_000;

export const retentionInput = z.object({
  datasetId: z.uuid(),
  /** Days a version's files are kept after its upload; null keeps them until deleted by hand. */
  retentionDays: z.number().int("Retention is a whole number of days").min(1, "Retention is at least 1 day").max(MAX_RETENTION_DAYS, `Retention is at most ${MAX_RETENTION_DAYS} days`).nullable(),
});
export const deleteFilesInput = z.object({ versionId: z.uuid() });

/** Why a version cannot be read any more, or null while its file is kept. */
export function filesDeletedRefusal(version: Pick<DatasetVersion, "version" | "filesDeletedAt" | "filesDeletedBy">): string | null {
  if (version.filesDeletedAt === null) return null;
  const by = version.filesDeletedBy === RETENTION_DELETER ? "by its dataset's retention" : "by a privacy officer";
  return `The files of version ${version.version} were deleted ${by} on ${version.filesDeletedAt.slice(0, 10)}; it can no longer be trained on, downloaded or minimised (its digests and audit trail remain).`;
}

/** The absolute path of a version's file; CONFLICT when its files were deleted. */
export function versionFile(dataDir: string, version: DatasetVersion): string {
  const refusal = filesDeletedRefusal(version);
  if (refusal) throw new AppError("CONFLICT", refusal);
  return path.join(dataDir, version.storagePath);
}

/** Ids of the queued or running runs that read this version. */
async function activeRunsOn(db: Executor, versionId: string): Promise<string[]> {
  const active = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.datasetVersionId, versionId), inArray(runs.status, ["queued", "running"])));
  return active.map((r) => r.id);
}

/** Marks the version's files deleted by `by` and removes them, inside the caller's transaction (a failed removal undoes the mark). */
async function removeVersionFiles(tx: Tx, dataDir: string, version: DatasetVersion, by: string): Promise<void> {
  await tx.update(datasetVersions).set({ filesDeletedAt: new Date().toISOString(), filesDeletedBy: by }).where(eq(datasetVersions.id, version.id));
  rmSync(path.join(dataDir, version.storagePath), { force: true });
}

/** A privacy officer sets (or clears, with null) a dataset's retention in days. */
export function setRetention(db: Db, actor: Actor, input: z.infer<typeof retentionInput>) {
  return audited(db, { actor, action: "dataset.set_retention", entityType: "dataset", entityId: input.datasetId, input }, async (tx) => {
    if (!(await first(tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, input.datasetId))))) throw new AppError("NOT_FOUND", "No such dataset.");
    await tx.update(datasets).set({ retentionDays: input.retentionDays }).where(eq(datasets.id, input.datasetId));
    return (await first(tx.select().from(datasets).where(eq(datasets.id, input.datasetId))))!;
  });
}

/** A privacy officer deletes a version's files; refused while a queued or running run uses it, or when already deleted. */
export function deleteVersionFiles(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof deleteFilesInput>, dataDir: string) {
  return audited(db, { actor, action: "dataset.delete_version_files", entityType: "dataset_version", entityId: input.versionId, input }, async (tx) => {
    const version = await lockedRow(tx, datasetVersions, input.versionId);
    if (!version) throw new AppError("NOT_FOUND", "No such dataset version.");
    const deleted = filesDeletedRefusal(version);
    if (deleted) throw new AppError("CONFLICT", deleted);
    const active = await activeRunsOn(tx, version.id);
    if (active.length > 0) {
      throw new AppError("CONFLICT", `Run ${active.map((id) => id.slice(0, 8)).join(", ")} (queued or running) uses version ${version.version}; cancel it or wait until it ends.`);
    }
    await removeVersionFiles(tx, dataDir, version, user.id);
    const deletedRow = (await first(tx.select().from(datasetVersions).where(eq(datasetVersions.id, version.id))))!;
    return { versionId: deletedRow.id, filesDeletedAt: deletedRow.filesDeletedAt, filesDeletedBy: deletedRow.filesDeletedBy };
  });
}

/** When a version's retention ends (upload date plus the days), or null when its dataset keeps files. */
export function retentionEndsAt(createdAt: string, retentionDays: number | null): Date | null {
  return retentionDays === null ? null : new Date(Date.parse(createdAt) + retentionDays * DAY_MS);
}

/**
 * The job runner's retention sweep: deletes the files of every version past its dataset's retention, each audited as
 * the system's doing. A version that a queued or running run uses waits for the next sweep after the run. Returns the
 * versions whose files were deleted.
 */
export async function sweepRetention(db: Db, dataDir: string, now = new Date()): Promise<string[]> {
  const candidates = await db
    .select({ version: datasetVersions, retentionDays: datasets.retentionDays })
    .from(datasetVersions)
    .innerJoin(datasets, eq(datasets.id, datasetVersions.datasetId))
    .where(and(isNotNull(datasets.retentionDays), isNull(datasetVersions.filesDeletedAt)));
  const deleted: string[] = [];
  for (const { version, retentionDays } of candidates) {
    const endsAt = retentionEndsAt(version.createdAt, retentionDays)!;
    if (endsAt > now || (await activeRunsOn(db, version.id)).length > 0) continue;
    const input = { versionId: version.id, retentionDays, retentionEndedAt: endsAt.toISOString() };
    try {
      await audited(db, { actor: SYSTEM_ACTOR, action: "dataset.retention_delete_files", entityType: "dataset_version", entityId: version.id, input }, async (tx) => {
        // Checked again in the transaction: an officer may have deleted them, or a run started on the version, meanwhile.
        await engineOf(tx).lockRow(tx, "dataset_versions", version.id);
        const current = (await first(tx.select().from(datasetVersions).where(eq(datasetVersions.id, version.id))))!;
        if (current.filesDeletedAt !== null || (await activeRunsOn(tx, version.id)).length > 0) throw new NotNow();
        await removeVersionFiles(tx, dataDir, current, RETENTION_DELETER);
      });
      deleted.push(version.id);
    } catch (err) {
      if (!(err instanceof NotNow)) throw err;
    }
  }
  return deleted;
}

/** Thrown to call a sweep's deletion off (and roll its audit entry back) when the version changed meanwhile. */
class NotNow extends Error {}
