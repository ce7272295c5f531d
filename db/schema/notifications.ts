// In-app notifications: one row per person told about something that concerns them (a request decided, a run ended,
// an incident assigned), written in the same transaction as the change that caused it.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const NOTIFICATION_KINDS = [
  "budget_request_approved",
  "budget_request_refused",
  "run_finished",
  "run_failed",
  "incident_assigned",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Who is told: only they ever see it. */
    userId: text("user_id").notNull().references(() => users.id),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    /** One sentence, in words (names, not ids). */
    text: text("text").notNull(),
    /** Where the work is done: a path of the dashboard ("/runs/<id>"). */
    href: text("href").notNull(),
    createdAt: text("created_at").notNull().default(now),
    readAt: text("read_at"),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.readAt)],
);

export type Notification = typeof notifications.$inferSelect;
