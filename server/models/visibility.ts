// Who may know a model version exists: a version follows its data's access. Overseers see every version; an engineer
// sees one only with access to every dataset its chain (its own run and its ancestors' runs) was trained on.
import { eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { datasetVersions, modelVersions, runs, type ModelVersion } from "../../db/schema";
import type { SessionUser } from "../context";
import { maySeeDataset } from "../datasets/access";
import { AppError } from "../errors";

/** The datasets a version was itself trained on (its run's, its dataset version's); null when a record it names is missing. */
function ownDatasets(db: Executor, version: Pick<ModelVersion, "runId" | "datasetVersionId">): string[] | null {
  const ids: string[] = [];
  if (version.runId) {
    const run = db.select({ datasetId: runs.datasetId }).from(runs).where(eq(runs.id, version.runId)).get();
    if (!run) return null;
    ids.push(run.datasetId);
  }
  if (version.datasetVersionId) {
    const dv = db.select({ datasetId: datasetVersions.datasetId }).from(datasetVersions).where(eq(datasetVersions.id, version.datasetVersionId)).get();
    if (!dv) return null;
    ids.push(dv.datasetId);
  }
  return ids;
}

/**
 * Whether the user may see each version, as a predicate remembered over one request (a registry's versions share
 * ancestors). A base model trained on a public corpus (no run, no dataset) is visible to all; a version whose chain
 * names a missing run or dataset version is visible to overseers only.
 */
export function modelVisibility(db: Executor, user: SessionUser): (versionId: string) => boolean {
  const known = new Map<string, boolean>();
  const visible = (versionId: string): boolean => {
    const remembered = known.get(versionId);
    if (remembered !== undefined) return remembered;
    known.set(versionId, false); // a cycle in the lineage (the registry never makes one) hides the version
    const version = db.select().from(modelVersions).where(eq(modelVersions.id, versionId)).get();
    // A record the chain names is missing: only those who see every dataset may see it (no grant names a version's id).
    const required = version ? (ownDatasets(db, version) ?? [version.id]) : [];
    const answer =
      version !== undefined &&
      required.every((datasetId) => maySeeDataset(db, user, datasetId)) &&
      (version.parentVersionId === null || visible(version.parentVersionId));
    known.set(versionId, answer);
    return answer;
  };
  return visible;
}

/** The version, or NOT_FOUND for a user who may not see it (so that its existence does not leak). */
export function visibleModelVersion(db: Executor, user: SessionUser, versionId: string): ModelVersion {
  const version = db.select().from(modelVersions).where(eq(modelVersions.id, versionId)).get();
  if (!version || !modelVisibility(db, user)(version.id)) throw new AppError("NOT_FOUND", "No such model version.");
  return version;
}
