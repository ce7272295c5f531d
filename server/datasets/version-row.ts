// A dataset version by id: read by every launch, preview and version visibility check, so prepared once; and the
// dataset a version belongs to, remembered once read (it never changes, and versions are never removed); its fields;
// whether a dataset is the federation's lineage, remembered alike.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { preparedRead, type Executor } from "../../db/client";
import { datasetVersions, datasets, type DatasetVersion } from "../../db/schema";

const byId = preparedRead("dataset_version_by_id", (db) => db.select().from(datasetVersions).where(eq(datasetVersions.id, sql.placeholder("id"))));

/** The dataset version with this id, or undefined. */
export async function datasetVersionById(db: Executor, id: string): Promise<DatasetVersion | undefined> {
  const version = (await byId(db, { id }))[0];
  if (version) remember(version);
  return version;
}

/** The names of the version's fields besides its text (and subject). */
export function extraFieldsOf(version: Pick<DatasetVersion, "fields">): string[] {
  return z.array(z.string()).parse(JSON.parse(version.fields));
}

/** Version id → dataset id, as read; bounded (emptied when full: it is only a shortcut). */
const datasetOf = new Map<string, string>();
const REMEMBERED = 10_000;

function remember(version: Pick<DatasetVersion, "id" | "datasetId">): void {
  if (datasetOf.size >= REMEMBERED) datasetOf.clear();
  datasetOf.set(version.id, version.datasetId);
}

/**
 * The dataset of a version read before in this process, or undefined: so that reads keyed by the dataset can go out
 * together with the version's own. Version ids are UUIDs, unique whatever the database.
 */
export function knownDatasetOf(versionId: string): string | undefined {
  return datasetOf.get(versionId);
}

const federationFlag = preparedRead("dataset_federation_flag", (db) => db.select({ federation: datasets.federation }).from(datasets).where(eq(datasets.id, sql.placeholder("id"))));
/** Dataset id → whether it is the federation's lineage, as read (a dataset is made one or the other, never changed). */
const federationOf = new Map<string, boolean>();

/** Whether the dataset is the federation's lineage (whose runs are federated runs); remembered once read. */
export async function isFederationLineage(db: Executor, datasetId: string): Promise<boolean> {
  const known = federationOf.get(datasetId);
  if (known !== undefined) return known;
  const federation = (await federationFlag(db, { id: datasetId }))[0]?.federation ?? false;
  if (federationOf.size >= REMEMBERED) federationOf.clear();
  federationOf.set(datasetId, federation);
  return federation;
}
