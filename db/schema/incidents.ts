// Incidents: opened by hand or automatically, with severity, status, owner, a timeline, and the entities they touch.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const INCIDENT_SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const INCIDENT_STATUSES = ["open", "contained", "resolved", "review_done"] as const;
export const INCIDENT_SOURCES = ["manual", "failed_audit", "drift_alert", "budget_overrun", "trainer_fault", "accounting_mismatch", "red_team", "synthetic_validation"] as const;
export const INCIDENT_ENTITY_TYPES = ["dataset", "dataset_version", "run", "model_version"] as const;

export const incidents = sqliteTable("incidents", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  description: text("description").notNull().default(""),
  severity: text("severity", { enum: INCIDENT_SEVERITIES }).notNull(),
  status: text("status", { enum: INCIDENT_STATUSES }).notNull().default("open"),
  source: text("source", { enum: INCIDENT_SOURCES }).notNull(),
  ownerId: text("owner_id").references(() => users.id),
  /** Null when the system opened it. */
  openedBy: text("opened_by").references(() => users.id),
  openedAt: text("opened_at").notNull().default(now),
  updatedAt: text("updated_at").notNull().default(now),
});

export const incidentLinks = sqliteTable(
  "incident_links",
  {
    incidentId: text("incident_id").notNull().references(() => incidents.id),
    entityType: text("entity_type", { enum: INCIDENT_ENTITY_TYPES }).notNull(),
    entityId: text("entity_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.entityType, t.entityId] }), index("incident_links_entity_idx").on(t.entityType, t.entityId)],
);

export const INCIDENT_NOTE_KINDS = ["note", "action", "status"] as const;

export const incidentNotes = sqliteTable("incident_notes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  incidentId: text("incident_id").notNull().references(() => incidents.id),
  kind: text("kind", { enum: INCIDENT_NOTE_KINDS }).notNull(),
  text: text("text").notNull(),
  /** Who wrote it ("system" for automatic entries). */
  author: text("author").notNull(),
  at: text("at").notNull().default(now),
});

export type Incident = typeof incidents.$inferSelect;
