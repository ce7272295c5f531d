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
    privacyUnit: text("privacy_unit", { enum: PRIVACY_UNITS }).notNull(),
    samplingRate: real("sampling_rate").notNull(),
    noiseMultiplier: real("noise_multiplier").notNull(),
    plannedSteps: integer("planned_steps").notNull(),
    /** Steps charged so far, over every segment: each reported step (and, after a crash, the step in flight). */
    chargedSteps: integer("charged_steps").notNull().default(0),
    /** The checkpoint step the current segment resumed from (0 for a fresh start). */
    resumeFromStep: integer("resume_from_step").notNull().default(0),
    /** Steps charged before the current segment began. */
    segmentBaseSteps: integer("segment_base_steps").notNull().default(0),
    /** The last checkpoint the trainer wrote (its step; the directory is checkpoint/ under the run's directory). */
    checkpointStep: integer("checkpoint_step"),
    /** Set by a cancel: the runner stops the trainer at its next step boundary. */
    cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
    /** JSON: the trainer's own report of the run's whole privacy event, kept to compare with the server's. */
    reportedEvent: text("reported_event"),
    /** JSON: the canary plan (server/leakage), when the run inserts canaries for a one-run audit. */
    canaryPlan: text("canary_plan"),
    /** JSON: the trainer's started message (backend, model, parameter counts). */
    startedInfo: text("started_info"),
    /** JSON: the full run specification, as validated at launch. */
    spec: text("spec").notNull(),
    /** Set by a privacy officer (for an incident): the run's copies of training data are kept when it ends. */
    keepRunFiles: integer("keep_run_files", { mode: "boolean" }).notNull().default(false),
    /** When the run's copies of training data (train.jsonl, validation.jsonl, checkpoints) were deleted. */
    runFilesDeletedAt: text("run_files_deleted_at"),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    /** The job runner (its lease) that claimed the run; only it may apply the trainer's messages. */
    runnerId: text("runner_id"),
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

/**
 * Job runners' leases: a runner claims runs only while its lease holds, renews it by heartbeat, and another runner
 * may take over (mark interrupted) a run only once its owner's lease has expired.
 */
export const runnerLeases = sqliteTable("runner_leases", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  startedAt: text("started_at").notNull().default(now),
  heartbeatAt: text("heartbeat_at").notNull(),
  /** ISO 8601 UTC: after this the lease is void. */
  expiresAt: text("expires_at").notNull(),
});

/** One reported step: what the run page charts. The loss and norms are diagnostics on training data, not DP output. */
export const runSteps = sqliteTable(
  "run_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull().references(() => runs.id),
    step: integer("step").notNull(),
    batchSize: integer("batch_size").notNull(),
    loss: real("loss"),
    /** Epsilon after this step as the trainer reported it (the server recomputes its own). */
    trainerEpsilon: real("trainer_epsilon"),
    clippedFraction: real("clipped_fraction"),
    /** JSON: {p10, p50, p90, max} of the per-unit gradient norms. */
    gradNormQuantiles: text("grad_norm_quantiles"),
    elapsedMs: real("elapsed_ms").notNull(),
    at: text("at").notNull().default(now),
  },
  (t) => [index("run_steps_run_idx").on(t.runId)],
);

export const runEvaluations = sqliteTable("run_evaluations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  runId: text("run_id").notNull().references(() => runs.id),
  step: integer("step").notNull(),
  validationLoss: real("validation_loss").notNull(),
  perplexity: real("perplexity").notNull(),
  /** With a task: the held-out records classified, and the accuracy and macro-F1 (internal figures, not DP). */
  taskRecords: integer("task_records"),
  taskAccuracy: real("task_accuracy"),
  taskMacroF1: real("task_macro_f1"),
  at: text("at").notNull().default(now),
});
