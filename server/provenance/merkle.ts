// The audit log as a Merkle tree with RFC 6962 hashing (RFC 9162 §2.1): tree roots, and inclusion and consistency
// proofs with their verifiers. Pure functions; hashes cross the API as lowercase hex strings.
import { createHash } from "node:crypto";

const HEX_HASH = /^[0-9a-f]{64}$/;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function bytesOf(hex: string): Buffer {
  if (!HEX_HASH.test(hex)) throw new RangeError(`not a SHA-256 hash in lowercase hex: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, "hex");
}

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT = sha256().toString("hex");

/** HASH(0x00 || data): the hash of one leaf. */
export function leafHash(data: Uint8Array): string {
  return sha256(Uint8Array.of(0), data).toString("hex");
}

/** HASH(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: string, right: string): string {
  return sha256(Uint8Array.of(1), bytesOf(left), bytesOf(right)).toString("hex");
}

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree of n leaves. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number >= 0, got ${n}`);
}

/** MTH(D[n]): the root hash of the tree whose leaves have these hashes. */
export function treeRoot(leafHashes: readonly string[]): string {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  if (leafHashes.length === 1) return bytesOf(leafHashes[0]!).toString("hex");
  const k = split(leafHashes.length);
  return nodeHash(treeRoot(leafHashes.slice(0, k)), treeRoot(leafHashes.slice(k)));
}

/** PATH(m, D[n]) (RFC 6962 §2.1.1): the sibling hashes from leaf `leafIndex` up to the root, bottom first. */
export function inclusionProof(leafIndex: number, leafHashes: readonly string[]): string[] {
  checkSize(leafIndex, "leaf index");
  if (leafIndex >= leafHashes.length) {
    throw new RangeError(`leaf index ${leafIndex} is outside a tree of ${leafHashes.length} leaves`);
  }
  const path = (m: number, leaves: readonly string[]): string[] => {
    if (leaves.length === 1) return [];
    const k = split(leaves.length);
    return m < k
      ? [...path(m, leaves.slice(0, k)), treeRoot(leaves.slice(k))]
      : [...path(m - k, leaves.slice(k)), treeRoot(leaves.slice(0, k))];
  };
  return path(leafIndex, leafHashes);
}

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows the leaf with hash `leaf` at `leafIndex` in the tree of `treeSize` leaves
 * whose root is `root`. False (never an exception) for any malformed input.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: string,
  proof: readonly string[],
  root: string,
): boolean {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) {
    return false;
  }
  if (!HEX_HASH.test(leaf) || !HEX_HASH.test(root) || !proof.every((p) => HEX_HASH.test(p))) return false;
  // BigInt so that the shifts stay exact for any safe integer size.
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r === root;
}

/**
 * PROOF(m, D[n]) (RFC 6962 §2.1.2): the hashes that show the tree of the first m leaves is a prefix of the tree of all
 * of them. Empty when m is 0 or m equals n.
 */
export function consistencyProof(m: number, leafHashes: readonly string[]): string[] {
  checkSize(m, "old tree size");
  if (m > leafHashes.length) throw new RangeError(`old tree size ${m} exceeds the tree's ${leafHashes.length} leaves`);
  if (m === 0) return [];
  const subproof = (m: number, leaves: readonly string[], complete: boolean): string[] => {
    if (m === leaves.length) return complete ? [] : [treeRoot(leaves)];
    const k = split(leaves.length);
    return m <= k
      ? [...subproof(m, leaves.slice(0, k), complete), treeRoot(leaves.slice(k))]
      : [...subproof(m - k, leaves.slice(k), false), treeRoot(leaves.slice(0, k))];
  };
  return subproof(m, leafHashes, true);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of m leaves with root `rootM` is a prefix of the tree of n
 * leaves with root `rootN`. Equal sizes need an empty proof and equal roots; every tree extends the empty tree.
 * False (never an exception) for any malformed input.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: string,
  rootN: string,
  proof: readonly string[],
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!HEX_HASH.test(rootM) || !HEX_HASH.test(rootN) || !proof.every((p) => HEX_HASH.test(p))) return false;
  if (m === 0) return proof.length === 0 && rootM === EMPTY_ROOT;
  if (m === n) return proof.length === 0 && rootM === rootN;
  if (proof.length === 0) return false;
  let fn = BigInt(m - 1);
  let sn = BigInt(n - 1);
  // When m is a power of two the old root is itself a node of the new tree and the proof leaves it out.
  const path = (fn & (fn + 1n)) === 0n ? [rootM, ...proof] : [...proof];
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr === rootM && sr === rootN;
}
