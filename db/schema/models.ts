// The model registry: families and versions (base and fine-tuned) with lineage, status and stored weights.
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { datasetVersions } from "./datasets";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const modelFamilies = sqliteTable("model_families", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  createdAt: text("created_at").notNull().default(now),
});

export const MODEL_KINDS = ["base", "fine_tuned"] as const;
export const MODEL_STATUSES = ["draft", "approved", "deployed", "withdrawn"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const modelVersions = sqliteTable(
  "model_versions",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id").notNull().references(() => modelFamilies.id),
    version: integer("version").notNull(),
    kind: text("kind", { enum: MODEL_KINDS }).notNull(),
    parentVersionId: text("parent_version_id").references((): AnySQLiteColumn => modelVersions.id),
    datasetVersionId: text("dataset_version_id").references(() => datasetVersions.id),
    /** The run that trained it (null for a base model registered from files). */
    runId: text("run_id"),
    status: text("status", { enum: MODEL_STATUSES }).notNull().default("draft"),
    /** Directory holding weights.safetensors and config.json, relative to the data directory. */
    weightsPath: text("weights_path").notNull(),
    weightsDigest: text("weights_digest").notNull(),
    /** JSON: the model configuration. */
    config: text("config").notNull(),
    /** JSON: where it came from (corpus, code version, settings). */
    provenance: text("provenance").notNull(),
    /** JSON: utility metrics such as validation loss and perplexity. */
    metrics: text("metrics").notNull().default("{}"),
    createdAt: text("created_at").notNull().default(now),
    /** When it was withdrawn, why (as the withdrawing officer wrote it) and the incident that caused it, if any. */
    withdrawnAt: text("withdrawn_at"),
    withdrawalReason: text("withdrawal_reason"),
    withdrawalIncidentId: text("withdrawal_incident_id"),
  },
  (t) => [uniqueIndex("model_versions_number").on(t.familyId, t.version)],
);

export type ModelVersion = typeof modelVersions.$inferSelect;
