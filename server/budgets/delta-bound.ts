// Budget rules checked at setting and again at launch: delta below 1/N units, subject-level only with a subject field.
import { eq, sql } from "drizzle-orm";
import { preparedRead, type Executor } from "../../db/client";
import { datasetVersions, type Budget, type DatasetVersion } from "../../db/schema";

type PrivacyUnit = Budget["privacyUnit"];

/** The bound delta must stay below for `unitCount` units: 1/N (N taken as at least 1). */
export function deltaBound(unitCount: number): number {
  return 1 / Math.max(1, unitCount);
}

/**
 * N: the largest unit count over the lineage's versions, records or (for a subject-level budget) subjects. The
 * largest, so that a later, bigger version cannot slip under a delta chosen for a smaller one.
 */
const unitCountsOf = preparedRead("unit_counts_of_lineage", (db) =>
  db.select({ records: datasetVersions.recordCount, subjects: datasetVersions.subjectCount }).from(datasetVersions).where(eq(datasetVersions.datasetId, sql.placeholder("datasetId"))),
);

export async function lineageUnitCount(db: Executor, datasetId: string, privacyUnit: PrivacyUnit): Promise<number> {
  const rows = await unitCountsOf(db, { datasetId });
  const counts = rows.map((v) => (privacyUnit === "subject" ? v.subjects : v.records));
  return Math.max(0, ...counts);
}

/**
 * Why `budget.delta` is not allowed on this lineage (delta >= 1/N, and no override reason recorded), or null when it
 * is. A delta that large lets a mechanism publish some unit's data outright with probability delta and still qualify.
 */
export async function deltaRefusal(
  db: Executor,
  datasetId: string,
  budget: Pick<Budget, "delta" | "privacyUnit" | "deltaOverrideReason">,
): Promise<string | null> {
  if (budget.deltaOverrideReason?.trim()) return null;
  const n = Math.max(1, await lineageUnitCount(db, datasetId, budget.privacyUnit));
  if (budget.delta < deltaBound(n)) return null;
  const units = budget.privacyUnit === "subject" ? "subjects" : "records";
  return (
    `delta must be below 1/N = 1/${n} ≈ ${deltaBound(n).toExponential(2)} for this dataset's ${n} ${units} (smaller is safer); ` +
    "a privacy officer may override with a recorded reason."
  );
}

/**
 * Why a subject-level guarantee cannot be given here, or null when it can (or the unit is record): for a dataset
 * (a budget), every version must name its subjects; for one version (a run), that version must.
 */
export async function subjectFieldRefusal(
  db: Executor,
  target: { datasetId: string } | { datasetVersionId: string },
  privacyUnit: PrivacyUnit,
): Promise<string | null> {
  if (privacyUnit !== "subject") return null;
  const where = "datasetId" in target ? eq(datasetVersions.datasetId, target.datasetId) : eq(datasetVersions.id, target.datasetVersionId);
  const versions = await db
    .select({ version: datasetVersions.version, subjectField: datasetVersions.subjectField })
    .from(datasetVersions)
    .where(where)
    .orderBy(datasetVersions.version);
  return subjectFieldRefusalOf(versions, "datasetId" in target ? "dataset" : "version", privacyUnit);
}

/** subjectFieldRefusal's rule on versions already read (in version order): of a dataset's, or one version's. */
export function subjectFieldRefusalOf(
  versions: readonly Pick<DatasetVersion, "version" | "subjectField">[],
  of: "dataset" | "version",
  privacyUnit: PrivacyUnit,
): string | null {
  if (privacyUnit !== "subject") return null;
  const missing = versions
    .filter((v) => v.subjectField === null)
    .map((v) => v.version);
  if (missing.length === 0) return null;
  const which = `${missing.length === 1 ? "version" : "versions"} ${missing.join(", ")} ${missing.length === 1 ? "was" : "were"} uploaded without a subject id field`;
  const why = "so nothing ties records to the person they are about; upload with a subject id field, or use a record-level budget with a stated records-per-person bound.";
  return of === "dataset"
    ? `This dataset has no subject field, so it cannot have a subject-level budget: ${which}, ${why}`
    : `This dataset version has no subject field, so it cannot be trained on at subject level: ${which}, ${why}`;
}
