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

/** What parties relay to each other, or report to the coordinator, through its mailbox. */
export const MAIL_KINDS = ["psi.start", "psi.blinded", "psi.reblinded", "psi.report"] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

const units = z.number().int().min(0).max(1e9);
const signedPart = {
  party: z.uuid(),
  /** Strictly greater than the last the coordinator accepted from this party. */
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** ISO 8601 UTC; the coordinator refuses a message sent too long ago or in the future. */
  sent_at: z.iso.datetime(),
};

/** A message's signed part: a status, a poll for mail, or mail to send. */
export const messageSchema = z.discriminatedUnion("type", [
  z.strictObject({ ...signedPart, type: z.literal("status"), body: z.strictObject({ stated_units: units }) }),
  /** The mail addressed to the party with an id above `after`. */
  z.strictObject({ ...signedPart, type: z.literal("poll"), body: z.strictObject({ after: z.number().int().min(0) }) }),
  /** Mail for another party of the same session, or for the coordinator. */
  z.strictObject({
    ...signedPart,
    type: z.literal("send"),
    body: z.strictObject({ session: z.uuid(), to: z.union([z.literal("coordinator"), z.uuid()]), kind: z.enum(MAIL_KINDS), body: z.record(z.string(), z.unknown()) }),
  }),
]);
export type PartyMessage = z.infer<typeof messageSchema>;

/** One piece of mail as a poll answers it (`from`: a party's id, or "coordinator"). */
export const mailSchema = z.strictObject({ id: z.number().int(), session: z.uuid(), from: z.string(), kind: z.enum(MAIL_KINDS), body: z.record(z.string(), z.unknown()) });
export type Mail = z.infer<typeof mailSchema>;

/** A group element as it travels (ristretto255, 32 bytes, hex). */
export const pointsSchema = z.strictObject({ points: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1_000_000) });

/** What a party reports of a private set intersection: counts only. */
export const overlapReportSchema = z.strictObject({
  party: z.uuid(),
  subjects: z.number().int().min(0),
  shared_with: z.record(z.uuid(), z.number().int().min(0)),
  held_by: z.record(z.string().regex(/^[1-9]\d*$/), z.number().int().min(0)),
});

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
