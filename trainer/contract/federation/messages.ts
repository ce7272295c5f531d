// What parties and the coordinator say to each other: the enrolment request (a one-time token and the party's new
// Ed25519 public key) and signed envelopes. Every message after enrolment is signed with the party's enrolment key
// over its canonical JSON and carries a sequence number that must grow, so a forged or replayed message is refused.
import { generateKeyPairSync, sign, verify, createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../canonical-json";

const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

export const enrolRequestSchema = z.strictObject({
  token: z.string().min(20).max(200),
  /** The party's Ed25519 public key, raw 32 bytes, base64. */
  public_key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "a raw Ed25519 public key in base64"),
  /** How many privacy units (people) its data holds, as the party states it; not verified. */
  stated_units: z.number().int().min(0).max(1e9),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

/** What the coordinator answers an enrolment: the party's id, which its every message names. */
export const enrolAnswerSchema = z.strictObject({ party_id: z.uuid(), name: z.string() });

export const MESSAGE_TYPES = ["status"] as const;

const statusBody = z.strictObject({ stated_units: z.number().int().min(0).max(1e9) });

/** A message's signed part. */
export const messageSchema = z.strictObject({
  party: z.uuid(),
  /** Strictly greater than the last the coordinator accepted from this party. */
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** ISO 8601 UTC; the coordinator refuses a message sent too long ago or in the future. */
  sent_at: z.iso.datetime(),
  type: z.enum(MESSAGE_TYPES),
  body: statusBody,
});
export type PartyMessage = z.infer<typeof messageSchema>;

export const envelopeSchema = z.strictObject({
  message: messageSchema,
  /** Ed25519 over the message's canonical JSON, base64. */
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, "an Ed25519 signature in base64"),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** A new enrolment key pair, with its public key as the coordinator keeps it (raw, base64). */
export function newEnrolmentKey(): { privateKey: KeyObject; publicKey: string } {
  const pair = generateKeyPairSync("ed25519");
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519.length).toString("base64") };
}

export function signMessage(message: PartyMessage, privateKey: KeyObject): Envelope {
  return { message, signature: sign(null, Buffer.from(canonicalJson(message)), privateKey).toString("base64") };
}

/** Whether the envelope's signature is the key's over its message. */
export function signatureHolds(envelope: Envelope, publicKeyBase64: string): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(publicKeyBase64, "base64")]), format: "der", type: "spki" });
  return verify(null, Buffer.from(canonicalJson(envelope.message)), key, Buffer.from(envelope.signature, "base64"));
}
