// Datasets (one per lineage of people), their immutable versions, and which engineers may train on each.
import { sql } from "drizzle-orm";
import { integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const datasets = sqliteTable("datasets", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  createdBy: text("created_by").notNull().references(() => users.id),
  createdAt: text("created_at").notNull().default(now),
  /** Days a version's files are kept after its upload (null: kept until deleted by hand); digests and audit stay. */
  retentionDays: integer("retention_days"),
  /**
   * The federation's lineage (cross-institution training): its people are those of every registered party, its unit a
   * party, and its versions the parties' own declarations (server/federation/declarations.ts), never uploads.
   */
  federation: integer("federation", { mode: "boolean" }).notNull().default(false),
});

export const DATASET_FORMATS = ["jsonl", "csv"] as const;

export const datasetVersions = sqliteTable(
  "dataset_versions",
  {
    id: text("id").primaryKey(),
    datasetId: text("dataset_id").notNull().references(() => datasets.id),
    /** 1, 2, … within the dataset. */
    version: integer("version").notNull(),
    /** The version this one was minimised from; null for an upload. */
    parentVersionId: text("parent_version_id").references((): AnySQLiteColumn => datasetVersions.id),
    format: text("format", { enum: DATASET_FORMATS }).notNull(),
    textField: text("text_field").notNull(),
    subjectField: text("subject_field"),
    /** The normalised JSONL the trainer reads, relative to the data directory. */
    storagePath: text("storage_path").notNull(),
    /** SHA-256 of the uploaded bytes (for a minimised version: of its parent's content). */
    sourceDigest: text("source_digest").notNull(),
    /** SHA-256 of the stored normalised JSONL. */
    contentDigest: text("content_digest").notNull(),
    bytes: integer("bytes").notNull(),
    recordCount: integer("record_count").notNull(),
    subjectCount: integer("subject_count").notNull(),
    maxRecordsPerSubject: integer("max_records_per_subject").notNull(),
    /** JSON: string[] of the extra field names. */
    fields: text("fields").notNull(),
    /** JSON: the PII report of this version's content. */
    piiReport: text("pii_report").notNull(),
    /**
     * For a synthetic version: the fine-tuned model version its records were sampled from (post-processing of that
     * model: its guarantee, on its lineages, is this version's); null for real data.
     */
    sourceModelVersionId: text("source_model_version_id"),
    /** JSON: the minimisation plan that made this version from its parent; null for an upload. */
    minimisation: text("minimisation"),
    createdBy: text("created_by").notNull().references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    /** When the version's files were deleted (by an officer, or by its dataset's retention); its row, digests and audit stay. */
    filesDeletedAt: text("files_deleted_at"),
    /** Who deleted them: a user id, or "retention". */
    filesDeletedBy: text("files_deleted_by"),
  },
  (t) => [uniqueIndex("dataset_versions_number").on(t.datasetId, t.version)],
);

export const datasetAccess = sqliteTable(
  "dataset_access",
  {
    datasetId: text("dataset_id").notNull().references(() => datasets.id),
    userId: text("user_id").notNull().references(() => users.id),
    grantedBy: text("granted_by").notNull(),
    grantedAt: text("granted_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.userId] })],
);

/**
 * The secret of a dataset lineage that keys its validation hold-out (HMAC of each unit's identity): kept on the server,
 * never shown or exported, so that nobody can choose records to land in or out of training.
 */
export const lineageSecrets = sqliteTable("lineage_secrets", {
  datasetId: text("dataset_id").primaryKey().references(() => datasets.id),
  /** 32 random bytes from node:crypto, hex. */
  holdoutKey: text("holdout_key").notNull(),
  createdAt: text("created_at").notNull().default(now),
});

export type Dataset = typeof datasets.$inferSelect;
export type DatasetVersion = typeof datasetVersions.$inferSelect;
