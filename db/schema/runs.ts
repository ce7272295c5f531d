// DP fine-tuning runs: what was asked, what was reserved against the budget, and what was charged.
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { PRIVACY_UNITS } from "./budgets";
import { datasets, datasetVersions } from "./datasets";
import { modelVersions } from "./models";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const RUN_STATUSES = ["queued", "running", "finished", "failed", "cancelled", "interrupted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Runs whose reservation still stands (they may yet spend up to their planned steps). */
export const ACTIVE_RUN_STATUSES = ["queued", "running"] as const satisfies readonly RunStatus[];

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    /** The dataset lineage whose budget the run spends. */
    datasetId: text("dataset_id").notNull().references(() => datasets.id),
    datasetVersionId: text("dataset_version_id").notNull().references(() => datasetVersions.id),
    baseModelVersionId: text("base_model_version_id").notNull().references(() => modelVersions.id),
    /** The run this one resumes, if any. */
    resumedFromRunId: text("resumed_from_run_id"),
    privacyUnit: text("privacy_unit", { enum: PRIVACY_UNITS }).notNull(),
    samplingRate: real("sampling_rate").notNull(),
    noiseMultiplier: real("noise_multiplier").notNull(),
    plannedSteps: integer("planned_steps").notNull(),
    /** Steps charged so far: the trainer's last reported step (and, after a crash, the step in flight). */
    chargedSteps: integer("charged_steps").notNull().default(0),
    /** JSON: the full run specification, as validated at launch. */
    spec: text("spec").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    statusReason: text("status_reason"),
    resultModelVersionId: text("result_model_version_id"),
    createdBy: text("created_by").notNull().references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
  },
  (t) => [index("runs_dataset_idx").on(t.datasetId), index("runs_status_idx").on(t.status)],
);

export type Run = typeof runs.$inferSelect;
