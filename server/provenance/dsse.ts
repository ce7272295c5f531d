// Ed25519 signing for provenance: DSSE v1 envelopes (pre-authentication encoding, keyid = SHA-256 of the public key's
// SPKI DER) and signed audit tree heads. Verification never throws; it says why it failed.
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { canonicalJson, hexHashSchema } from "../audit/canonical";

export type Result<T> = ({ ok: true } & T) | { ok: false; reason: string };

/** Base64 in its one canonical form (padded, no whitespace, unused bits zero), so that no two strings decode alike. */
export const base64Schema = z
  .string()
  .refine((s) => Buffer.from(s, "base64").toString("base64") === s, "must be canonical base64");

export const envelopeSchema = z.strictObject({
  payloadType: z.string().min(1),
  payload: base64Schema,
  signatures: z.array(z.strictObject({ keyid: hexHashSchema, sig: base64Schema })).min(1),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const treeHeadSchema = z.strictObject({
  tree_size: z.number().int().min(0),
  root_hash: hexHashSchema,
  timestamp: z.iso.datetime(),
});
export type TreeHead = z.infer<typeof treeHeadSchema>;

export const signedTreeHeadSchema = treeHeadSchema.extend({ signature: base64Schema });
export type SignedTreeHead = z.infer<typeof signedTreeHeadSchema>;

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes as ASCII decimal. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    payload,
  ]);
}

/** The public half of a key pair from either half. */
function publicHalf(key: KeyObject): KeyObject {
  return key.type === "public" ? key : createPublicKey(key);
}

/** Hex SHA-256 of the public key's SPKI DER encoding; accepts the private key too (its public half is used). */
export function keyIdOf(key: KeyObject): string {
  const der = publicHalf(key).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex");
}

/** The public key as SPKI PEM: the form the dashboard publishes and the export carries. */
export function publicKeyPem(key: KeyObject): string {
  return publicHalf(key).export({ type: "spki", format: "pem" }).toString();
}

/** Reads an Ed25519 public key, accepting only its canonical SPKI PEM text (so that every byte of it matters). */
export function parsePublicKey(pem: string): Result<{ key: KeyObject }> {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (cause) {
    return { ok: false, reason: `not a PEM public key (${(cause as Error).message})` };
  }
  if (key.asymmetricKeyType !== "ed25519") return { ok: false, reason: `not an Ed25519 key (${key.asymmetricKeyType})` };
  if (publicKeyPem(key) !== pem) return { ok: false, reason: "not in canonical SPKI PEM form" };
  return { ok: true, key };
}

/** A verification key: PEM text is parsed (canonical form only); a KeyObject must be an Ed25519 public key. */
function verificationKey(publicKey: string | KeyObject): Result<{ key: KeyObject }> {
  if (typeof publicKey === "string") return parsePublicKey(publicKey);
  if (publicKey.type !== "public" || publicKey.asymmetricKeyType !== "ed25519") {
    return { ok: false, reason: "not an Ed25519 public key" };
  }
  return { ok: true, key: publicKey };
}

function checkSigningKey(privateKey: KeyObject): void {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw new TypeError("signing needs an Ed25519 private key");
  }
}

function verifies(data: Uint8Array, signature: string, key: KeyObject): boolean {
  const sig = Buffer.from(signature, "base64");
  return sig.length === 64 && verify(null, data, key, sig);
}

/** A DSSE envelope with one Ed25519 signature over PAE(payloadType, payload). */
export function signEnvelope(payloadType: string, payload: Uint8Array, privateKey: KeyObject): Envelope {
  checkSigningKey(privateKey);
  const sig = sign(null, pae(payloadType, payload), privateKey).toString("base64");
  return {
    payloadType,
    payload: Buffer.from(payload).toString("base64"),
    signatures: [{ keyid: keyIdOf(privateKey), sig }],
  };
}

/**
 * Checks that the envelope is well formed and that every signature on it is by this key and verifies; returns the
 * payload when it does.
 */
export function verifyEnvelope(
  envelope: unknown,
  publicKey: string | KeyObject,
): Result<{ payloadType: string; payload: Buffer }> {
  const parsed = envelopeSchema.safeParse(envelope);
  if (!parsed.success) return { ok: false, reason: `malformed envelope: ${parsed.error.issues[0]?.message}` };
  const key = verificationKey(publicKey);
  if (!key.ok) return key;
  const { payloadType, payload, signatures } = parsed.data;
  const keyid = keyIdOf(key.key);
  const body = Buffer.from(payload, "base64");
  const signed = pae(payloadType, body);
  for (const [i, signature] of signatures.entries()) {
    if (signature.keyid !== keyid) return { ok: false, reason: `signature ${i} has keyid ${signature.keyid}, not the public key's ${keyid}` };
    if (!verifies(signed, signature.sig, key.key)) return { ok: false, reason: `signature ${i} does not verify` };
  }
  return { ok: true, payloadType, payload: body };
}

/** The bytes a tree head signature covers: the UTF-8 of canonicalJson({ tree_size, root_hash, timestamp }). */
function treeHeadBytes(head: TreeHead): Buffer {
  const { tree_size, root_hash, timestamp } = head;
  return Buffer.from(canonicalJson({ tree_size, root_hash, timestamp }), "utf8");
}

export function signTreeHead(head: TreeHead, privateKey: KeyObject): SignedTreeHead {
  checkSigningKey(privateKey);
  const valid = treeHeadSchema.parse(head);
  return { ...valid, signature: sign(null, treeHeadBytes(valid), privateKey).toString("base64") };
}

export function verifyTreeHead(head: unknown, publicKey: string | KeyObject): Result<{ head: SignedTreeHead }> {
  const parsed = signedTreeHeadSchema.safeParse(head);
  if (!parsed.success) return { ok: false, reason: `malformed tree head: ${parsed.error.issues[0]?.message}` };
  const key = verificationKey(publicKey);
  if (!key.ok) return key;
  if (!verifies(treeHeadBytes(parsed.data), parsed.data.signature, key.key)) {
    return { ok: false, reason: "tree head signature does not verify" };
  }
  return { ok: true, head: parsed.data };
}
