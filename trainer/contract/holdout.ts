// The validation hold-out, decided for each privacy unit on its own: a unit is held out when the HMAC-SHA256 of its
// identity, keyed with the lineage's secret and read as a number in [0, 1), falls below a fixed fraction. Adding or
// removing one unit therefore changes the training set by that unit only (a rank or position cut would move others).
// Identities: a subject's is its subject id; a record's is the SHA-256 hex of its canonical JSON (so identical
// records share one, and a record's position in the file never matters). TF-free: the job runner imports it.
import { createHash, createHmac } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "./canonical-json";
import { readRecords, type NormalisedRecord } from "./normalised-record";
import type { PrivacyUnit } from "../privacy";

/** The share of units held out for validation. */
export const HOLDOUT_FRACTION = 0.1;

/** A hold-out key: at least 16 bytes, as hex. */
export const holdoutKeySchema = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2}){16,}$/, "the key must be hex, at least 32 digits (16 bytes), an even number of digits");
export const holdoutFractionSchema = z.number().gt(0, "the fraction must be > 0").lt(1, "the fraction must be < 1");

/** The SHA-256 hex of a record's canonical JSON line: its identity as a record-level unit. */
export function recordUnitId(record: NormalisedRecord): string {
  return createHash("sha256").update(canonicalJson(record), "utf8").digest("hex");
}

/** A record's unit of privacy: its subject (a record without one is a subject of its own), or the record. */
export function unitOf(record: NormalisedRecord, unit: PrivacyUnit): { kind: PrivacyUnit; id: string } {
  return unit === "subject" && record.subject !== null
    ? { kind: "subject", id: record.subject }
    : { kind: "record", id: recordUnitId(record) };
}

const TWO_POW_64 = 2n ** 64n;

/** Whether a unit is held out: its keyed hash (the kind separates the domains of subjects and records) is below `fraction`. */
export function isHeldOut(key: Buffer, unit: { kind: PrivacyUnit; id: string }, fraction = HOLDOUT_FRACTION): boolean {
  const mac = createHmac("sha256", key).update(`${unit.kind}\u0000${unit.id}`, "utf8").digest();
  // The first 64 bits, read as an integer in [0, 2^64), compared with fraction * 2^64 (53 bits of the fraction are exact).
  const threshold = (BigInt(Math.round(fraction * 2 ** 53)) * TWO_POW_64) / 2n ** 53n;
  return mac.readBigUInt64BE(0) < threshold;
}

export interface HoldoutSummary {
  /** Held-out unit ids, sorted. */
  held_out: string[];
  training_units: number;
  held_out_units: number;
}

/** Reads a normalised dataset file and says which of its units are held out (distinct unit ids). */
export async function holdoutOfFile(file: string, options: { unit: PrivacyUnit; key: string; fraction?: number }): Promise<HoldoutSummary> {
  const key = Buffer.from(holdoutKeySchema.parse(options.key), "hex");
  const fraction = holdoutFractionSchema.parse(options.fraction ?? HOLDOUT_FRACTION);
  const heldOut = new Set<string>();
  const training = new Set<string>();
  for await (const record of readRecords(file)) {
    const unit = unitOf(record, options.unit);
    (isHeldOut(key, unit, fraction) ? heldOut : training).add(unit.id);
  }
  return { held_out: [...heldOut].sort(), training_units: training.size, held_out_units: heldOut.size };
}
