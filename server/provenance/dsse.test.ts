// DSSE and tree head signing tests: the spec's PAE example, round trips, and refusals for other keys and tampering.
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  keyIdOf,
  pae,
  parsePublicKey,
  publicKeyPem,
  signEnvelope,
  signTreeHead,
  verifyEnvelope,
  verifyTreeHead,
  type Envelope,
} from "./dsse";

const { privateKey } = generateKeyPairSync("ed25519");
const pem = publicKeyPem(privateKey);
const other = generateKeyPairSync("ed25519").privateKey;
const TYPE = "application/vnd.in-toto+json";
const payload = Buffer.from('{"hello":"world ✓"}', "utf8");

describe("pae", () => {
  it("matches the DSSE specification's example", () => {
    expect(pae("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe(
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
  });

  it("counts bytes, not characters", () => {
    expect(pae("é", Buffer.from("✓")).toString()).toBe("DSSEv1 2 é 3 ✓");
  });
});

describe("envelopes", () => {
  it("sign and verify, with the keyid the SHA-256 of the SPKI DER", () => {
    const envelope = signEnvelope(TYPE, payload, privateKey);
    const der = createPublicKey(privateKey).export({ type: "spki", format: "der" });
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]!.keyid).toBe(createHash("sha256").update(der).digest("hex"));
    expect(keyIdOf(privateKey)).toBe(envelope.signatures[0]!.keyid);
    expect(parsePublicKey(pem).ok).toBe(true);
    const result = verifyEnvelope(envelope, pem);
    expect(result).toEqual({ ok: true, payloadType: TYPE, payload });
  });

  it("refuse another key, a changed payload or type, and a foreign keyid", () => {
    const envelope = signEnvelope(TYPE, payload, privateKey);
    expect(verifyEnvelope(envelope, publicKeyPem(other))).toMatchObject({ ok: false, reason: expect.stringMatching(/keyid/) });
    const changed: Envelope = { ...envelope, payload: Buffer.from('{"hello":"world ✗"}').toString("base64") };
    expect(verifyEnvelope(changed, pem)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(verifyEnvelope({ ...envelope, payloadType: "text/plain" }, pem).ok).toBe(false);
    const resigned = signEnvelope(TYPE, payload, other);
    const swapped = { ...resigned, signatures: [{ ...resigned.signatures[0]!, keyid: keyIdOf(privateKey) }] };
    expect(verifyEnvelope(swapped, pem)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
  });

  it("refuse non-canonical base64, non-Ed25519 and non-canonical keys, and garbage without throwing", () => {
    const envelope = signEnvelope(TYPE, Buffer.from("A"), privateKey);
    expect(envelope.payload).toBe("QQ==");
    expect(verifyEnvelope({ ...envelope, payload: "QR==" }, pem).ok).toBe(false);
    expect(verifyEnvelope(envelope, pem.replace("\n", "\r\n")).ok).toBe(false);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" });
    expect(verifyEnvelope(envelope, rsa.toString())).toMatchObject({ ok: false, reason: expect.stringMatching(/Ed25519/) });
    for (const garbage of [null, 1, "x", {}, { ...envelope, signatures: [] }, { ...envelope, extra: 1 }]) {
      expect(verifyEnvelope(garbage, pem).ok).toBe(false);
    }
    expect(verifyEnvelope(envelope, "not a key").ok).toBe(false);
    expect(() => signEnvelope(TYPE, payload, createPublicKey(privateKey))).toThrow(TypeError);
  });
});

describe("tree heads", () => {
  const head = { tree_size: 7, root_hash: "ab".repeat(32), timestamp: "2025-01-02T03:04:05.678Z" };

  it("sign and verify over the canonical JSON of size, root and time", () => {
    const signed = signTreeHead(head, privateKey);
    expect(verifyTreeHead(signed, pem)).toEqual({ ok: true, head: signed });
  });

  it("refuse any changed field, another key, and malformed heads", () => {
    const signed = signTreeHead(head, privateKey);
    expect(verifyTreeHead({ ...signed, tree_size: 8 }, pem).ok).toBe(false);
    expect(verifyTreeHead({ ...signed, root_hash: "ac".repeat(32) }, pem).ok).toBe(false);
    expect(verifyTreeHead({ ...signed, timestamp: "2025-01-02T03:04:05.679Z" }, pem).ok).toBe(false);
    expect(verifyTreeHead(signed, publicKeyPem(other)).ok).toBe(false);
    expect(verifyTreeHead({ ...signed, signature: undefined }, pem).ok).toBe(false);
    expect(verifyTreeHead("head", pem).ok).toBe(false);
  });
});
