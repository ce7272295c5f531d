// Leakage evidence: the canaries a run inserted (kept server-side for scoring), the leakage reports computed after
// training, on demand and by drift probes, and the drift thresholds privacy officers set per model version.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { modelVersions } from "./models";
import { runs } from "./runs";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const runCanaries = sqliteTable(
  "run_canaries",
  {
    runId: text("run_id").notNull().references(() => runs.id),
    idx: integer("idx").notNull(),
    /** A synthetic secret drawn from the plan's randomness space (not personal data). */
    secret: text("secret").notNull(),
    salt: text("salt").notNull(),
    digest: text("digest").notNull(),
    included: integer("included", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.idx] })],
);

export const LEAKAGE_REPORT_KINDS = ["post_training", "on_demand", "drift_probe"] as const;
export const LEAKAGE_REPORT_STATUSES = ["queued", "running", "done", "failed"] as const;

export const leakageReports = sqliteTable(
  "leakage_reports",
  {
    id: text("id").primaryKey(),
    modelVersionId: text("model_version_id").notNull().references(() => modelVersions.id),
    kind: text("kind", { enum: LEAKAGE_REPORT_KINDS }).notNull(),
    /** Evaluations are jobs of the job runner: queued, running, then done (with a report) or failed (with a reason). */
    status: text("status", { enum: LEAKAGE_REPORT_STATUSES }).notNull().default("queued"),
    /** The job runner (its lease) carrying the evaluation out. */
    runnerId: text("runner_id"),
    error: text("error"),
    /** JSON: the report (server/leakage/evaluate-model.ts's stored schema), once done. */
    report: text("report"),
    /** Whether a threshold or the accountant's epsilon was crossed. */
    alert: integer("alert", { mode: "boolean" }).notNull().default(false),
    requestedAt: text("requested_at").notNull().default(now),
    computedAt: text("computed_at"),
  },
  (t) => [index("leakage_reports_model_idx").on(t.modelVersionId, t.requestedAt), index("leakage_reports_status_idx").on(t.status)],
);

export const driftThresholds = sqliteTable("drift_thresholds", {
  modelVersionId: text("model_version_id").primaryKey().references(() => modelVersions.id),
  /** Membership-inference AUC above which a probe alerts. */
  maxAuc: real("max_auc").notNull(),
  /** Mean exposure (bits) of the included canaries above which a probe alerts. */
  maxExposure: real("max_exposure").notNull(),
  /** PII occurrences per 1000 sampled outputs above which a probe alerts. */
  maxPiiPer1000: real("max_pii_per_1000").notNull(),
  /** Minutes between scheduled probes; 0 for manual probes only. */
  intervalMinutes: integer("interval_minutes").notNull(),
  setBy: text("set_by").notNull().references(() => users.id),
  updatedAt: text("updated_at").notNull().default(now),
});

export type LeakageReport = typeof leakageReports.$inferSelect;
