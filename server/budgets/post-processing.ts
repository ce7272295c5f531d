// The lineage of a synthetic dataset holds no real person until someone adds real data to it: its records were sampled
// from a DP model (post-processing), whose guarantee on its own lineages they carry. Training on it therefore needs no
// budget of its own and charges none: it stands under an unlimited budget, never stored, until a real version arrives
// (then a privacy officer must set a budget, as for any lineage of real people).
import { and, eq, exists, isNull, not, sql } from "drizzle-orm";
import { preparedRead, type Executor } from "../../db/client";
import { datasetVersions, syntheticJobs, type Budget } from "../../db/schema";

/** The delta runs on synthetic records are accounted at (their figures protect no real person). */
const POST_PROCESSING_DELTA = 1e-6;

const syntheticOnly = preparedRead("lineage_is_synthetic_only", (db) =>
  db
    .select({ one: sql<number>`1` })
    .from(syntheticJobs)
    .where(
      and(
        eq(syntheticJobs.datasetId, sql.placeholder("datasetId")),
        not(exists(db.select({ one: sql`1` }).from(datasetVersions).where(and(eq(datasetVersions.datasetId, sql.placeholder("datasetId")), isNull(datasetVersions.sourceModelVersionId))))),
      ),
    )
    .limit(1),
);

/** Whether the lineage is a synthetic dataset's with no real version added. */
export async function isSyntheticOnly(db: Executor, datasetId: string): Promise<boolean> {
  return (await syntheticOnly(db, { datasetId })).length > 0;
}

/** The unlimited, never-stored budget of a synthetic-only lineage. */
export function postProcessingBudget(datasetId: string): Budget {
  return {
    datasetId,
    epsilon: Number.POSITIVE_INFINITY,
    delta: POST_PROCESSING_DELTA,
    privacyUnit: "record",
    renewsOn: "9999-12-31",
    frozen: false,
    recordsPerPersonBound: 1,
    deltaOverrideReason: null,
    updatedBy: "system",
    updatedAt: "1970-01-01T00:00:00.000Z",
  };
}
