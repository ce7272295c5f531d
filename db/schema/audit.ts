// The append-only, hash-chained audit log: one row per governance change, written in the change's transaction.
import { integer, sqliteTable, text, index } from "drizzle-orm/sqlite-core";

export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    actorId: text("actor_id"),
    actorEmail: text("actor_email").notNull(),
    actorRole: text("actor_role").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    /** SHA-256 (hex) of the canonical JSON of the procedure input, secrets redacted. */
    inputDigest: text("input_digest").notNull(),
    /** SHA-256 (hex) of the previous entry; 64 zeros for the first. */
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull().unique(),
  },
  (t) => [
    index("audit_log_action_idx").on(t.action),
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    index("audit_log_actor_idx").on(t.actorEmail),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
