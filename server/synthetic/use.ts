// Whether a synthetic dataset version may be used (trained on, downloaded): a leaf of the synthetic domain, so that the
// launch's checks import it without the services that write versions.
import { eq } from "drizzle-orm";
import { first, type Executor } from "../../db/client";
import { modelVersions, syntheticJobs, type DatasetVersion } from "../../db/schema";

/**
 * Why a synthetic version may not be trained on or downloaded, or null when it may (its validation passed, an officer
 * approved it and its source model was not withdrawn since); null for a version of real data.
 */
export async function syntheticUseRefusal(db: Executor, version: Pick<DatasetVersion, "id" | "sourceModelVersionId">): Promise<string | null> {
  if (version.sourceModelVersionId === null) return null;
  const job = await first(db.select().from(syntheticJobs).where(eq(syntheticJobs.datasetVersionId, version.id)));
  if (!job || job.approvedAt === null) return "This synthetic version is not approved: a privacy officer must approve its leakage validation report before anyone trains on it or downloads it.";
  const source = await first(db.select({ status: modelVersions.status }).from(modelVersions).where(eq(modelVersions.id, version.sourceModelVersionId)));
  if (source?.status === "withdrawn") return "The model version this synthetic version was sampled from was withdrawn; it may no longer be used.";
  return null;
}
