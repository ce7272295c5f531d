// A dataset version by id: read by every launch, preview and version visibility check, so prepared once.
import { eq, sql } from "drizzle-orm";
import { preparedRead, type Executor } from "../../db/client";
import { datasetVersions, type DatasetVersion } from "../../db/schema";

const byId = preparedRead("dataset_version_by_id", (db) => db.select().from(datasetVersions).where(eq(datasetVersions.id, sql.placeholder("id"))));

/** The dataset version with this id, or undefined. */
export async function datasetVersionById(db: Executor, id: string): Promise<DatasetVersion | undefined> {
  return (await byId(db, { id }))[0];
}
