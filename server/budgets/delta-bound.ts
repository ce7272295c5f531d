// Budget rules checked at setting and again at launch: delta below 1/N units, subject-level only with a subject field.
import { eq, sql } from "drizzle-orm";
import { preparedRead, type Executor } from "../../db/client";
import { datasetVersions, type Budget, type DatasetVersion } from "../../db/schema";

type PrivacyUnit = Budget["privacyUnit"];

/** The bound delta must stay below for `unitCount` units: 1/N (N taken as at least 1). */
export function deltaBound(unitCount: number): number {
  return 1 / Math.max(1, unitCount);
}

const unitCountsOf = preparedRead("unit_counts_of_lineage", (db) =>
  db.select({ records: datasetVersions.recordCount, subjects: datasetVersions.subjectCount }).from(datasetVersions).where(eq(datasetVersions.datasetId, sql.placeholder("datasetId"))),
);

/**
 * N for each unit: the largest count over the lineage's versions of records and of subjects. The largest, so that a
 * later, bigger version cannot slip under a delta chosen for a smaller one. A federation lineage's versions hold one
 * record per party (its declaration), so its parties are its records.
 */
export async function lineageUnitCounts(db: Executor, datasetId: string): Promise<Record<PrivacyUnit, number>> {
  const rows = await unitCountsOf(db, { datasetId });
  const records = Math.max(0, ...rows.map((v) => v.records));
  return { record: records, subject: Math.max(0, ...rows.map((v) => v.subjects)), party: records };
}

/**
 * Why a budget of `privacyUnit` cannot be set on this lineage, or null: the federation's lineage (cross-institution
 * training, whose records the server never holds) protects a party, or a person when its parties clip per person; a
 * party is the unit of no other lineage.
 */
export function partyUnitRefusal(federation: boolean, privacyUnit: PrivacyUnit): string | null {
  if (federation && privacyUnit === "record") return "The federation's budget protects each party, or each person when parties clip per person: set it with the party or the subject as the privacy unit.";
  if (!federation && privacyUnit === "party") return "Only the federation's lineage has parties as its privacy unit; choose a subject or a record for this dataset.";
  return null;
}

type DeltaSetting = Pick<Budget, "delta" | "privacyUnit" | "deltaOverrideReason">;

/**
 * Why `budget.delta` is not allowed on this lineage (delta >= 1/N, and no override reason recorded), or null when it
 * is. A delta that large lets a mechanism publish some unit's data outright with probability delta and still qualify.
 */
export async function deltaRefusal(db: Executor, datasetId: string, budget: DeltaSetting): Promise<string | null> {
  return deltaRefusalAt(await lineageUnitCounts(db, datasetId), budget);
}

/** deltaRefusal's rule on the lineage's unit counts, already read. */
export function deltaRefusalAt(unitCounts: Record<PrivacyUnit, number>, budget: DeltaSetting): string | null {
  if (budget.deltaOverrideReason?.trim()) return null;
  const n = Math.max(1, unitCounts[budget.privacyUnit]);
  if (budget.delta < deltaBound(n)) return null;
  const units = { record: "records", subject: "subjects", party: "parties" }[budget.privacyUnit];
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
