// Users of the dashboard: local accounts (argon2id hash) or OIDC-linked accounts, each with one role.
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ROLES } from "./roles";


export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: text("role", { enum: ROLES }).notNull(),
  /** argon2id PHC string; null for accounts that only sign in through OIDC. */
  passwordHash: text("password_hash"),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  /** Sessions carry the version they were issued at; sign-out, disabling and re-enabling raise it, voiding them all. */
  sessionVersion: integer("session_version").notNull().default(0),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export type User = typeof users.$inferSelect;

/** Failed sign-in counters, one row per throttled key ("account:<email>" or "ip:<address>"). */
export const signInThrottle = sqliteTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: integer("last_failure_at").notNull(),
  blockedUntil: integer("blocked_until").notNull(),
});
