// Secure aggregation (Bonawitz et al. 2017, the semi-honest protocol with dropouts): the coordinator learns the sum
// of the parties' vectors (fixed point, mod 2^32) and nothing else of any one of them.
//
//   0. advertise   each party makes two X25519 key pairs (one to encrypt shares, one for pairwise masks);
//   1. share keys  each party Shamir-shares its mask private key and a fresh self-mask seed among all who advertised
//                  (threshold t > n/2), each share encrypted (AES-256-GCM) for its holder, relayed by the coordinator;
//   2. mask        each party sends x + PRG(self seed) ± PRG(pairwise secret with every other party that shared
//                  its keys) mod 2^32;
//   3. unmask      the survivors send, for each party that sent a masked vector, its self-seed share, and for each
//                  that dropped out before, its mask-key share (never both for one party); with t of them the
//                  coordinator removes the self masks and the dropped parties' pairwise masks.
//
// Fewer than t masked vectors or unmasking answers abort the round (SecureAggregationAbort): nothing is summed. Every
// random draw is node:crypto's. Messages are plain JSON.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { addInto, expandMask } from "./masking";
import { combine, split, type Share } from "./shamir";

export class SecureAggregationAbort extends Error {}

/** Round 0: what a party announces. Keys are raw X25519 public keys, base64. */
export interface AdvertisedKeys {
  party: string;
  cipher_public: string;
  mask_public: string;
}

/** Round 1: one party's shares for another, encrypted for it. */
export interface EncryptedShares {
  from: string;
  to: string;
  /** base64 of nonce (12) | tag (16) | ciphertext. */
  ciphertext: string;
}

/** Round 2: a party's masked vector (base64 of little-endian 32-bit words). */
export interface MaskedInput {
  party: string;
  masked: string;
}

/** Round 3: a survivor's shares, by party: self-mask seeds of those that sent a vector, mask keys of those that did not. */
export interface UnmaskingShares {
  party: string;
  self_mask: Record<string, Share>;
  mask_key: Record<string, Share>;
}

const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

const rawPublic = (key: KeyObject) => key.export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length);
const rawPrivate = (key: KeyObject) => key.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_X25519.length);
const publicKey = (raw: string) => createPublicKey({ key: Buffer.concat([SPKI_X25519, Buffer.from(raw, "base64")]), format: "der", type: "spki" });
const privateKey = (raw: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: "der", type: "pkcs8" });

/** The pairwise secret two parties' keys agree on, for a purpose. */
function agreed(own: KeyObject, otherPublic: string, purpose: string): Buffer {
  return createHash("sha256").update(`epsilon-ledger secure aggregation ${purpose} v1\0`).update(diffieHellman({ privateKey: own, publicKey: publicKey(otherPublic) })).digest();
}

export const wordsToBase64 = (words: Uint32Array) => Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString("base64");
export function base64ToWords(text: string, length: number): Uint32Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== length * 4) throw new SecureAggregationAbort(`a masked vector of ${bytes.length / 4} words, not ${length}`);
  const words = new Uint32Array(length);
  for (let i = 0; i < length; i++) words[i] = bytes.readUInt32LE(i * 4);
  return words;
}

/** The threshold may not be reached by a minority: t > n/2, and at most n. */
function checkThreshold(threshold: number, n: number): void {
  if (!Number.isInteger(threshold) || threshold <= n / 2 || threshold > n) {
    throw new SecureAggregationAbort(`the threshold must be more than half of the ${n} parties and at most ${n}; it is ${threshold}`);
  }
}

export class AggregationParty {
  private readonly cipherKeys = generateKeyPairSync("x25519");
  private readonly maskKeys = generateKeyPairSync("x25519");
  private readonly selfSeed = randomBytes(32);
  private advertised: AdvertisedKeys[] = [];
  private threshold = 0;
  /** Shares held for other parties (and for itself), by party. */
  private readonly held = new Map<string, { self_mask: Share; mask_key: Share }>();
  private sentMasked = false;

  constructor(
    readonly id: string,
    readonly roundId: string,
  ) {}

  advertise(): AdvertisedKeys {
    return { party: this.id, cipher_public: rawPublic(this.cipherKeys.publicKey).toString("base64"), mask_public: rawPublic(this.maskKeys.publicKey).toString("base64") };
  }

  private aad(from: string, to: string): Buffer {
    return Buffer.from(`${this.roundId}\0${from}\0${to}`);
  }

  /** Round 1: shares of its mask key and self seed for every party that advertised (itself included), encrypted. */
  shareKeys(advertised: readonly AdvertisedKeys[], threshold: number): EncryptedShares[] {
    const ids = advertised.map((a) => a.party);
    if (new Set(ids).size !== ids.length || !ids.includes(this.id)) throw new SecureAggregationAbort("the advertised parties must be distinct and include this one");
    checkThreshold(threshold, ids.length);
    this.advertised = [...advertised].sort((a, b) => (a.party < b.party ? -1 : 1));
    this.threshold = threshold;
    const n = this.advertised.length;
    const keyShares = split(rawPrivate(this.maskKeys.privateKey), threshold, n);
    const seedShares = split(this.selfSeed, threshold, n);
    return this.advertised.map((to, i) => {
      const key = agreed(this.cipherKeys.privateKey, to.cipher_public, "share encryption");
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, nonce).setAAD(this.aad(this.id, to.party));
      const body = Buffer.concat([cipher.update(JSON.stringify({ self_mask: seedShares[i], mask_key: keyShares[i] })), cipher.final()]);
      return { from: this.id, to: to.party, ciphertext: Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64") };
    });
  }

  /** Round 1, received: the shares every party made for this one. */
  receiveShares(shares: readonly EncryptedShares[]): void {
    for (const s of shares) {
      const from = this.advertised.find((a) => a.party === s.from);
      if (!from || s.to !== this.id) throw new SecureAggregationAbort(`shares from ${s.from} to ${s.to} are not this party's`);
      const bytes = Buffer.from(s.ciphertext, "base64");
      const decipher = createDecipheriv("aes-256-gcm", agreed(this.cipherKeys.privateKey, from.cipher_public, "share encryption"), bytes.subarray(0, 12)).setAAD(this.aad(s.from, s.to));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
      this.held.set(s.from, JSON.parse(plain.toString("utf8")) as { self_mask: Share; mask_key: Share });
    }
  }

  /**
   * Round 2: the encoded vector under its self mask and its pairwise masks with every other party whose shares it
   * received (those that shared keys: a party that advertised and went silent has no shares to unmask it with).
   */
  maskedInput(input: Uint32Array): MaskedInput {
    const masked = input.slice();
    addInto(masked, expandMask(this.selfSeed, this.roundId, input.length));
    for (const other of this.advertised) {
      if (other.party === this.id || !this.held.has(other.party)) continue;
      const mask = expandMask(agreed(this.maskKeys.privateKey, other.mask_public, "mask"), this.roundId, input.length);
      addInto(masked, mask, this.id < other.party ? 1 : -1);
    }
    this.sentMasked = true;
    return { party: this.id, masked: wordsToBase64(masked) };
  }

  /**
   * Round 3: for each party that sent a masked vector (`survivors`), its self-seed share; for each that advertised and
   * did not, its mask-key share. Refuses a list that is not a subset of the advertised parties or is below threshold.
   */
  unmaskingShares(survivors: readonly string[]): UnmaskingShares {
    const ids = new Set(this.advertised.map((a) => a.party));
    if (!survivors.every((s) => ids.has(s))) throw new SecureAggregationAbort("the survivors must have advertised keys in this round");
    if (new Set(survivors).size < this.threshold) throw new SecureAggregationAbort(`only ${new Set(survivors).size} survivors; the threshold is ${this.threshold}`);
    if (!this.sentMasked) throw new SecureAggregationAbort("this party sent no masked vector in this round");
    const alive = new Set(survivors);
    const out: UnmaskingShares = { party: this.id, self_mask: {}, mask_key: {} };
    for (const [party, share] of this.held) {
      if (alive.has(party)) out.self_mask[party] = share.self_mask;
      else out.mask_key[party] = share.mask_key;
    }
    return out;
  }
}

/**
 * The coordinator's sum of the survivors' vectors (mod 2^32): their masked vectors added, self masks removed with the
 * seeds recovered from t shares, and the pairwise masks shared with parties that dropped out removed with those
 * parties' mask keys, recovered the same way. Aborts, naming why, when fewer than t parties sent a vector or answered.
 */
export function unmaskSum(round: {
  roundId: string;
  threshold: number;
  length: number;
  advertised: readonly AdvertisedKeys[];
  masked: readonly MaskedInput[];
  unmasking: readonly UnmaskingShares[];
}): { sum: Uint32Array; survivors: string[]; dropped: string[] } {
  const n = round.advertised.length;
  checkThreshold(round.threshold, n);
  const keys = new Map(round.advertised.map((a) => [a.party, a]));
  const masked = round.masked.filter((m) => keys.has(m.party));
  const survivors = [...new Set(masked.map((m) => m.party))].sort();
  if (survivors.length < round.threshold) {
    throw new SecureAggregationAbort(`only ${survivors.length} of ${n} parties sent their masked update; at least ${round.threshold} must, so the round is abandoned`);
  }
  const answers = round.unmasking.filter((u) => survivors.includes(u.party));
  if (answers.length < round.threshold) {
    throw new SecureAggregationAbort(`only ${answers.length} of ${survivors.length} survivors sent their unmasking shares; at least ${round.threshold} must, so the round is abandoned`);
  }
  const sharesOf = (kind: "self_mask" | "mask_key", party: string) => {
    const shares = answers.flatMap((a) => (a[kind][party] ? [a[kind][party]!] : []));
    if (shares.length < round.threshold) throw new SecureAggregationAbort(`only ${shares.length} shares of ${party}'s ${kind.replace("_", " ")}; at least ${round.threshold} are needed`);
    return shares.slice(0, round.threshold);
  };
  const sum = new Uint32Array(round.length);
  for (const m of masked) addInto(sum, base64ToWords(m.masked, round.length));
  for (const party of survivors) addInto(sum, expandMask(combine(sharesOf("self_mask", party), 32), round.roundId, round.length), -1);
  const dropped = [...keys.keys()].filter((p) => !survivors.includes(p)).sort();
  for (const party of dropped) {
    const key = privateKey(combine(sharesOf("mask_key", party), 32));
    for (const v of survivors) {
      const mask = expandMask(agreed(key, keys.get(v)!.mask_public, "mask"), round.roundId, round.length);
      // v added +mask if v < party, −mask otherwise: take it away.
      addInto(sum, mask, v < party ? -1 : 1);
    }
  }
  return { sum, survivors, dropped };
}
