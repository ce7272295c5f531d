// Privacy budgets, one per dataset lineage, and engineers' requests for more.
import { sql } from "drizzle-orm";
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { datasets } from "./datasets";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const PRIVACY_UNITS = ["record", "subject"] as const;

export const budgets = sqliteTable("budgets", {
  datasetId: text("dataset_id").primaryKey().references(() => datasets.id),
  epsilon: real("epsilon").notNull(),
  delta: real("delta").notNull(),
  privacyUnit: text("privacy_unit", { enum: PRIVACY_UNITS }).notNull(),
  /** ISO date (YYYY-MM-DD): from this day on the budget admits no new run until renewed. */
  renewsOn: text("renews_on").notNull(),
  /** Set by an incident's containment: no new reservation while frozen. */
  frozen: integer("frozen", { mode: "boolean" }).notNull().default(false),
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

export type Budget = typeof budgets.$inferSelect;
export type BudgetRequest = typeof budgetRequests.$inferSelect;
