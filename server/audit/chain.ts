// The hash chain's pure rules, shared by the database-backed log and the offline verifier: how an entry is hashed.
import type { AuditEntry } from "../../db/schema";
import { canonicalJson, sha256Hex } from "./canonical";

export const GENESIS_HASH = "0".repeat(64);

export type EntryBody = Omit<AuditEntry, "hash">;

/** The hash that chains an entry: SHA-256 of the canonical JSON of every other column. */
export function entryHash(body: EntryBody): string {
  return sha256Hex(canonicalJson(body));
}
