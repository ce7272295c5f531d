// Red-team exercises: batches of adversarial prompts that privacy officers and auditors run against a fine-tuned model
// version (jobs of the job runner), kept as evidence reports with their prompts, settings and findings.
import { sql } from "drizzle-orm";
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { incidents } from "./incidents";
import { modelVersions } from "./models";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const RED_TEAM_STATUSES = ["queued", "running", "done", "failed"] as const;

export const redTeamExercises = sqliteTable(
  "red_team_exercises",
  {
    id: text("id").primaryKey(),
    modelVersionId: text("model_version_id").notNull().references(() => modelVersions.id),
    requestedBy: text("requested_by").notNull().references(() => users.id),
    /** JSON: the request as checked (server/red-team/attack-sets.ts): attack sets, own prompts, decoding settings. */
    request: text("request").notNull(),
    /** Queued, running (by the runner holding `runnerId`'s lease), then done (with a report) or failed (with a reason). */
    status: text("status", { enum: RED_TEAM_STATUSES }).notNull().default("queued"),
    runnerId: text("runner_id"),
    error: text("error"),
    /** JSON: the evidence report (server/red-team/report.ts), every prompt and output masked where it holds PII. */
    report: text("report"),
    /** JSON: the prompts and outputs unmasked, shown only to a privacy officer who reveals them (audited). */
    unmasked: text("unmasked"),
    /** The incident a privacy officer opened from the exercise's findings. */
    incidentId: text("incident_id").references(() => incidents.id),
    requestedAt: text("requested_at").notNull().default(now),
    computedAt: text("computed_at"),
  },
  (t) => [index("red_team_exercises_model_idx").on(t.modelVersionId, t.requestedAt), index("red_team_exercises_status_idx").on(t.status)],
);

export type RedTeamExercise = typeof redTeamExercises.$inferSelect;
