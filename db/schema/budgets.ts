// Privacy budgets, one per dataset lineage, and engineers' requests for more.
import { sql } from "drizzle-orm";
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { PRIVACY_UNITS } from "../../trainer/privacy/units";
import { datasets, datasetVersions } from "./datasets";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

/** The privacy units (defined in trainer/privacy), re-exported for the schema's importers. */
export { PRIVACY_UNITS };

export const budgets = sqliteTable("budgets", {
  datasetId: text("dataset_id").primaryKey().references(() => datasets.id),
  epsilon: real("epsilon").notNull(),
  delta: real("delta").notNull(),
  privacyUnit: text("privacy_unit", { enum: PRIVACY_UNITS }).notNull(),
  /** ISO date (YYYY-MM-DD): from this day on the budget admits no new run until renewed. */
  renewsOn: text("renews_on").notNull(),
  /** Set by an incident's containment: no new reservation while frozen. */
  frozen: integer("frozen", { mode: "boolean" }).notNull().default(false),
  /**
   * k: the most records one person is taken to have, a bound the officer states (never the observed maximum, which
   * is private). For a record-level budget the person-level figure from group privacy is stated for this k.
   */
  recordsPerPersonBound: integer("records_per_person_bound").notNull().default(1),
  /** Why a privacy officer allowed a delta not below 1/N of the lineage's units (null: no override). */
  deltaOverrideReason: text("delta_override_reason"),
  updatedBy: text("updated_by").notNull().references(() => users.id),
  updatedAt: text("updated_at").notNull().default(now),
});

export const BUDGET_REQUEST_STATUSES = ["pending", "approved", "refused"] as const;

export const budgetRequests = sqliteTable("budget_requests", {
  id: text("id").primaryKey(),
  datasetId: text("dataset_id").notNull().references(() => datasets.id),
  requestedBy: text("requested_by").notNull().references(() => users.id),
  /** The new limit asked for. */
  epsilon: real("epsilon").notNull(),
  reason: text("reason").notNull(),
  status: text("status", { enum: BUDGET_REQUEST_STATUSES }).notNull().default("pending"),
  decidedBy: text("decided_by").references(() => users.id),
  decisionReason: text("decision_reason"),
  createdAt: text("created_at").notNull().default(now),
  decidedAt: text("decided_at"),
});

/**
 * DP counts of a dataset version released for the disclosure report: Gaussian noise on the record and subject
 * counts, charged to the lineage's budget as a privacy event on the same ledger as its runs.
 */
export const countReleases = sqliteTable("count_releases", {
  id: text("id").primaryKey(),
  datasetId: text("dataset_id").notNull().references(() => datasets.id),
  datasetVersionId: text("dataset_version_id").notNull().references(() => datasetVersions.id),
  /** JSON: the privacy event document ({version, event}) charged to the lineage. */
  event: text("event").notNull(),
  /** Standard deviations of the noise added to each count. */
  recordNoiseStd: real("record_noise_std").notNull(),
  subjectNoiseStd: real("subject_noise_std").notNull(),
  /** The noisy counts, rounded and floored at zero (post-processing). */
  noisyRecordCount: integer("noisy_record_count").notNull(),
  noisySubjectCount: integer("noisy_subject_count").notNull(),
  releasedBy: text("released_by").notNull().references(() => users.id),
  releasedAt: text("released_at").notNull().default(now),
});

export type Budget = typeof budgets.$inferSelect;
export type CountRelease = typeof countReleases.$inferSelect;
export type BudgetRequest = typeof budgetRequests.$inferSelect;
