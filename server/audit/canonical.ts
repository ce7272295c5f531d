// Canonical JSON (sorted keys) and SHA-256 digests, so that the same value always hashes the same way.
import { createHash } from "node:crypto";
import { z } from "zod";

export { canonicalJson } from "../../trainer/contract/canonical-json";

const SECRET_KEY = /pass(word)?|secret|token|hash/i;

/** Replaces every member whose key looks like a secret, so a digest can never be used to guess a password. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : redactSecrets(v)]),
    );
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A SHA-256 digest as lowercase hex: what every hash of the audit log and the provenance export looks like. */
export const hexHashSchema = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hash in lowercase hex");
