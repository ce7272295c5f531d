// Cross-institution training: the parties (institutions) an admin registered, each enrolled with its own Ed25519 key
// by a one-time token, with what it last said of itself.
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const PARTY_STATUSES = ["invited", "enrolled", "revoked"] as const;

export const federationParties = sqliteTable("federation_parties", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** Invited (a token is out), enrolled (its key is known), or revoked (nothing of it is accepted). */
  status: text("status", { enum: PARTY_STATUSES }).notNull().default("invited"),
  /** SHA-256 of the one-time enrolment token (the token is shown once, never stored); null once used. */
  tokenDigest: text("token_digest"),
  tokenExpiresAt: text("token_expires_at").notNull(),
  /** The Ed25519 public key the party made at enrolment, raw, base64. */
  publicKey: text("public_key"),
  /** The privacy units its data holds, as the party states it (not verified). */
  statedUnits: integer("stated_units"),
  /** The last message's sequence number accepted from it: a later one must be greater. */
  lastSequence: integer("last_sequence").notNull().default(0),
  lastSeenAt: text("last_seen_at"),
  /** The last federated round it took part in (none yet). */
  lastRoundId: text("last_round_id"),
  createdBy: text("created_by").notNull().references(() => users.id),
  createdAt: text("created_at").notNull().default(now),
  enrolledAt: text("enrolled_at"),
});

export type FederationParty = typeof federationParties.$inferSelect;
