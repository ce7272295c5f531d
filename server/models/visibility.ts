// Who may know a model version exists: a version follows its data's access. Overseers see every version; an engineer
// sees one only with access to every dataset its chain (its own run and its ancestors' runs) was trained on.
import { eq, sql } from "drizzle-orm";
import { first, preparedRead, type Executor } from "../../db/client";
import { datasetVersions, modelVersions, runs, type ModelVersion } from "../../db/schema";
import type { SessionUser } from "../context";
import { maySeeDataset } from "../datasets/access";
import { AppError } from "../errors";

const modelVersionById = preparedRead("model_version_by_id", (db) => db.select().from(modelVersions).where(eq(modelVersions.id, sql.placeholder("id"))));

/** The datasets a version was itself trained on (its run's, its dataset version's); null when a record it names is missing. */
async function ownDatasets(db: Executor, version: Pick<ModelVersion, "runId" | "datasetVersionId">): Promise<string[] | null> {
  const ids: string[] = [];
  if (version.runId) {
    const run = await first(db.select({ datasetId: runs.datasetId }).from(runs).where(eq(runs.id, version.runId)));
    if (!run) return null;
    ids.push(run.datasetId);
  }
  if (version.datasetVersionId) {
    const dv = await first(db.select({ datasetId: datasetVersions.datasetId }).from(datasetVersions).where(eq(datasetVersions.id, version.datasetVersionId)));
    if (!dv) return null;
    ids.push(dv.datasetId);
  }
  return ids;
}

/**
 * Whether the user may see each version, as a predicate remembered over one request (a registry's versions share
 * ancestors). A base model trained on a public corpus (no run, no dataset) is visible to all; a version whose chain
 * names a missing run or dataset version is visible to overseers only. A version is visible when every version of
 * its chain exists and the user may see the datasets each was itself trained on; a cycle in the lineage (the registry
 * never makes one) hides the version. The predicate may be called concurrently (each answer is remembered as a promise).
 * `known`: versions the caller has just read.
 */
export function modelVisibility(db: Executor, user: SessionUser, known: readonly ModelVersion[] = []): (versionId: string) => Promise<boolean> {
  // Versions the caller already read are not read again.
  const versions = new Map<string, Promise<ModelVersion | undefined>>(known.map((v) => [v.id, Promise.resolve(v)]));
  const ownVisible = new Map<string, Promise<boolean>>();
  const answers = new Map<string, Promise<boolean>>();
  const versionOf = (id: string) => {
    let v = versions.get(id);
    if (!v) versions.set(id, (v = modelVersionById(db, { id }).then((rows) => rows[0])));
    return v;
  };
  // Whether the user may see the datasets the version itself was trained on (not its ancestors').
  const maySeeOwn = (version: ModelVersion) => {
    let answer = ownVisible.get(version.id);
    if (!answer) {
      answer = (async () => {
        // A record the chain names is missing: only those who see every dataset may see it (no grant names a version's id).
        const required = (await ownDatasets(db, version)) ?? [version.id];
        for (const datasetId of required) if (!(await maySeeDataset(db, user, datasetId))) return false;
        return true;
      })();
      ownVisible.set(version.id, answer);
    }
    return answer;
  };
  const walk = async (versionId: string): Promise<boolean> => {
    const seen = new Set<string>();
    for (let id: string | null = versionId; id !== null; ) {
      if (seen.has(id)) return false;
      seen.add(id);
      const version = await versionOf(id);
      if (!version || !(await maySeeOwn(version))) return false;
      id = version.parentVersionId;
    }
    return true;
  };
  return (versionId) => {
    let answer = answers.get(versionId);
    if (!answer) answers.set(versionId, (answer = walk(versionId)));
    return answer;
  };
}

/** The version, or NOT_FOUND for a user who may not see it (so that its existence does not leak). */
export async function visibleModelVersion(db: Executor, user: SessionUser, versionId: string): Promise<ModelVersion> {
  const [version] = await modelVersionById(db, { id: versionId });
  if (!version || !(await modelVisibility(db, user, [version])(version.id))) throw new AppError("NOT_FOUND", "No such model version.");
  return version;
}
