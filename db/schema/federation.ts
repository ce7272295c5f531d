// Cross-institution training: the parties (institutions) an admin registered, each enrolled with its own Ed25519 key
// by a one-time token, with what it last said of itself; their declarations as recorded in versions of the
// federation's lineage; the mailbox parties talk through; overlaps of their subjects; federated rounds.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { datasetVersions } from "./datasets";
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

/**
 * The coordinator's mailbox: what parties send each other (relayed, never read by the coordinator beyond its form) and
 * what the coordinator sends them. A party or the coordinator (null) at either end.
 */
export const federationMail = sqliteTable(
  "federation_mail",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    session: text("session").notNull(),
    fromParty: text("from_party").references(() => federationParties.id),
    toParty: text("to_party").references(() => federationParties.id),
    kind: text("kind").notNull(),
    /** JSON. */
    body: text("body").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("federation_mail_to_idx").on(t.toParty, t.id)],
);

/** Running, then done (every party reported) or abandoned (not all reported in time). */
export const OVERLAP_STATUSES = ["running", "done", "abandoned"] as const;

/**
 * A private set intersection of the parties' subjects: who takes part, and each party's report (counts only). Its
 * result is the most parties one person is at: the k of k-fold group privacy when parties are the privacy unit.
 */
export const federationOverlaps = sqliteTable("federation_overlaps", {
  id: text("id").primaryKey(),
  status: text("status", { enum: OVERLAP_STATUSES }).notNull().default("running"),
  /** JSON: the party ids taking part. */
  parties: text("parties").notNull(),
  /** JSON: party id -> its report (trainer/contract/federation/messages.ts, overlapReportSchema). */
  reports: text("reports").notNull().default("{}"),
  mostPartiesOfOnePerson: integer("most_parties_of_one_person"),
  startedBy: text("started_by").notNull().references(() => users.id),
  startedAt: text("started_at").notNull().default(now),
  finishedAt: text("finished_at"),
});

export type FederationOverlap = typeof federationOverlaps.$inferSelect;

export const ROUND_STATUSES = ["running", "applied", "abandoned"] as const;

/** A federated round: who may take part (the enrolled parties when it began), and how it ended. */
export const federationRounds = sqliteTable("federation_rounds", {
  id: text("id").primaryKey(),
  /** The federated run the round belongs to (null for a round run on its own, as tests do). */
  runId: text("run_id"),
  /** 1, 2, … within its run, counting abandoned rounds too. */
  attempt: integer("attempt"),
  status: text("status", { enum: ROUND_STATUSES }).notNull().default("running"),
  /** JSON: the party ids that may take part (the round samples among them). */
  parties: text("parties").notNull(),
  /** JSON: the sampled, surviving and dropped parties, and why it was abandoned, once it ended. */
  outcome: text("outcome"),
  startedAt: text("started_at").notNull().default(now),
  finishedAt: text("finished_at"),
});

/**
 * The parties a version of the federation's lineage declares, one row each, as the version's file holds them (its
 * content digest is over that file): what a federated run on the version trains among, and its model's lineage.
 */
export const federationDeclarations = sqliteTable(
  "federation_declarations",
  {
    datasetVersionId: text("dataset_version_id").notNull().references(() => datasetVersions.id),
    partyId: text("party_id").notNull().references(() => federationParties.id),
    name: text("name").notNull(),
    /** The units the party stated of its data at the time (not verified). */
    statedUnits: integer("stated_units").notNull(),
    /** SHA-256 of its enrolment key. */
    publicKeySha256: text("public_key_sha256").notNull(),
    enrolledAt: text("enrolled_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetVersionId, t.partyId] })],
);
