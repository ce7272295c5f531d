// Synthetic datasets: generation jobs that sample records from an approved fine-tuned version into a dataset version of
// kind synthetic, each with its leakage validation report and a privacy officer's approval; and the organisation's
// validation thresholds.
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { datasets, datasetVersions } from "./datasets";
import { incidents } from "./incidents";
import { modelVersions } from "./models";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const SYNTHETIC_JOB_STATUSES = ["queued", "running", "done", "failed", "cancelled"] as const;
export const SYNTHETIC_VERDICTS = ["passed", "failed"] as const;

export const syntheticJobs = sqliteTable(
  "synthetic_jobs",
  {
    id: text("id").primaryKey(),
    /** The synthetic dataset the job makes a version of (created with the request). */
    datasetId: text("dataset_id").notNull().references(() => datasets.id),
    /** The fine-tuned version sampled from. */
    modelVersionId: text("model_version_id").notNull().references(() => modelVersions.id),
    requestedBy: text("requested_by").notNull().references(() => users.id),
    /** JSON: the request as checked (server/synthetic/request.ts). */
    request: text("request").notNull(),
    /** Queued, running (by the runner holding `runnerId`'s lease), then done, failed (with a reason) or cancelled. */
    status: text("status", { enum: SYNTHETIC_JOB_STATUSES }).notNull().default("queued"),
    runnerId: text("runner_id"),
    /** Records generated so far, of `total`. */
    generated: integer("generated").notNull().default(0),
    total: integer("total").notNull(),
    /** Set by a cancel: the runner stops at its next batch. */
    cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
    error: text("error"),
    /** The dataset version made, once done. */
    datasetVersionId: text("dataset_version_id").references(() => datasetVersions.id),
    /** JSON: the leakage validation report (server/synthetic/report.ts), samples masked. */
    report: text("report"),
    verdict: text("verdict", { enum: SYNTHETIC_VERDICTS }),
    /** The privacy officer who approved the version for training and download, and when. */
    approvedBy: text("approved_by").references(() => users.id),
    approvedAt: text("approved_at"),
    /** The incident a failed validation opened. */
    incidentId: text("incident_id").references(() => incidents.id),
    requestedAt: text("requested_at").notNull().default(now),
    finishedAt: text("finished_at"),
  },
  (t) => [index("synthetic_jobs_dataset_idx").on(t.datasetId), index("synthetic_jobs_status_idx").on(t.status)],
);

/** The organisation's thresholds for validating synthetic versions: one row, id "organisation". */
export const syntheticThresholds = sqliteTable("synthetic_thresholds", {
  id: text("id").primaryKey(),
  /** MinHash Jaccard (character 5-grams) at or above which a synthetic record near-duplicates a training record. */
  nearDuplicateJaccard: real("near_duplicate_jaccard").notNull(),
  /** The share of synthetic records that may be exact or near duplicates of training records. */
  maxDuplicateShare: real("max_duplicate_share").notNull(),
  /** The share of synthetic records that may sit closer to training than to held-out records (DCR). */
  maxCloserShare: real("max_closer_share").notNull(),
  /** PII values copied from training records that the synthetic text may hold. */
  maxCopiedPii: integer("max_copied_pii").notNull(),
  updatedBy: text("updated_by").notNull().references(() => users.id),
  updatedAt: text("updated_at").notNull().default(now),
});

export type SyntheticJob = typeof syntheticJobs.$inferSelect;
export type SyntheticThresholdRow = typeof syntheticThresholds.$inferSelect;
