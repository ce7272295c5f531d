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
export const MAIL_KINDS = [
  "psi.start",
  "psi.blinded",
  "psi.reblinded",
  "psi.report",
  // A federated round (fedavg.ts over secure-aggregation.ts): the coordinator asks, the party answers.
  "round.advertise",
  "round.keys",
  "round.share",
  "round.shares",
  "round.deliver",
  "round.update",
  "round.masked",
  "round.unmask",
  "round.unmasking",
] as const;

/** What a party sends the coordinator in a round, and what it answers. */
export const ROUND_ANSWERS = { "round.advertise": "round.keys", "round.share": "round.shares", "round.update": "round.masked", "round.unmask": "round.unmasking" } as const;
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

const rawKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "a raw X25519 public key in base64");
const shamirShare = z.strictObject({ x: z.number().int().min(1).max(100_000), y: z.string().regex(/^[0-9a-f]{1,140}$/) });

const roundKeys = z.strictObject({ party: z.uuid(), cipher_public: rawKey, mask_public: rawKey });
const encryptedShares = z.array(z.strictObject({ from: z.uuid(), to: z.uuid(), ciphertext: z.string().max(20_000) })).max(10_000);

/** Float32 values as round.update carries them: little-endian, base64. */
export const floatsToBase64 = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");

/** floatsToBase64's values back. */
export function base64ToFloats(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** The bodies of the coordinator's asks in a round, as the party checks them. */
export const roundAskSchemas = {
  "round.advertise": z.strictObject({}),
  "round.share": z.strictObject({ advertised: z.array(roundKeys).max(10_000), threshold: z.number().int().min(1) }),
  "round.deliver": z.strictObject({ shares: encryptedShares }),
  "round.update": z.strictObject({
    /** The global weights of the trainable parameters (floatsToBase64). */
    weights: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
    clip_norm: z.number().gt(0),
    scale: z.number().gt(0),
    /** LoRA's rank when the run trains adapters (the weights are then the adapters'); null for every weight. */
    lora_rank: z.number().int().min(1).max(256).nullable().default(null),
    /**
     * With a person as the unit: each person's bound on the delta, and the most records of one person used; the party
     * then takes one SGD step of per-person clipped gradients (and clips the whole to clip_norm). Null: party-level.
     */
    person_clip: z.strictObject({ bound: z.number().gt(0), records_per_person: z.number().int().min(1).max(10_000) }).nullable().default(null),
    /** Whether the party was sampled: it sends its clipped delta; else zeros (with its noise share, if any). */
    contribute: z.boolean().default(true),
    /** With distributed noise: the std (integer units) of the discrete Gaussian noise the party adds; else null. */
    noise_std: z.number().min(0.5).nullable().default(null),
    training: z.strictObject({ steps: z.number().int().min(1).max(10_000), batchSize: z.number().int().min(1).max(100_000), learningRate: z.number().gt(0).max(10) }),
  }),
  "round.unmask": z.strictObject({ survivors: z.array(z.uuid()).max(10_000) }),
} as const;

/** The bodies of a party's answers in a round; each names the party, which must be the sender. */
export const roundAnswerSchemas = {
  "round.keys": z.strictObject({ keys: roundKeys }),
  "round.shares": z.strictObject({ shares: encryptedShares }),
  "round.masked": z.strictObject({ masked: z.strictObject({ party: z.uuid(), masked: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) }) }),
  "round.unmasking": z.strictObject({
    unmasking: z.strictObject({ party: z.uuid(), self_mask: z.record(z.uuid(), shamirShare), mask_key: z.record(z.uuid(), shamirShare) }),
  }),
} as const;
export type RoundAnswerKind = keyof typeof roundAnswerSchemas;

/** The party a round answer names (its keys', shares', vector's or shares' sender). */
export function answerParty(kind: RoundAnswerKind, body: unknown): string | null {
  const parsed = roundAnswerSchemas[kind].safeParse(body);
  if (!parsed.success) return null;
  const d = parsed.data as Record<string, unknown>;
  if (kind === "round.shares") {
    const froms = new Set((d.shares as { from: string }[]).map((x) => x.from));
    return froms.size === 1 ? [...froms][0]! : null;
  }
  return (Object.values(d)[0] as { party: string }).party;
}
