// Merkle tree tests: the RFC 6962 reference vectors of certificate-transparency, and every proof up to 20 leaves
// verifying, failing after any single change, and staying O(log n) long.
import { describe, expect, it } from "vitest";
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from "./merkle";

// The eight leaves of the certificate-transparency test data, and the roots of their first 1..8 leaves.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const ctHashes = CT_LEAVES.map((hex) => leafHash(Buffer.from(hex, "hex")));

const H = {
  a: "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
  b: "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
  c: "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  d: "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  e: "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
  f: "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
};
const CT_INCLUSION: [index: number, size: number, proof: string[]][] = [
  [0, 8, [H.a, H.b, H.c]],
  [5, 8, [H.d, H.e, CT_ROOTS[3]!]],
  [2, 3, [CT_ROOTS[1]!]],
  [1, 5, [CT_ROOTS[0]!, H.b, H.d]],
];
const CT_CONSISTENCY: [m: number, n: number, proof: string[]][] = [
  [1, 1, []],
  [1, 8, [H.a, H.b, H.c]],
  [6, 8, [H.f, H.e, CT_ROOTS[3]!]],
  [2, 5, [H.b, H.d]],
];

/** Every proof with one element changed (a bit flipped), one removed, or one added. */
function tampered(proof: readonly string[]): string[][] {
  const flip = (hex: string) => (parseInt(hex[0]!, 16) ^ 1).toString(16) + hex.slice(1);
  return [
    ...proof.map((p, i) => proof.map((q, j) => (i === j ? flip(p) : q))),
    ...proof.map((_, i) => proof.filter((__, j) => j !== i)),
    [...proof, EMPTY_ROOT],
    [EMPTY_ROOT, ...proof],
  ];
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe("RFC 6962 hashing", () => {
  it("hashes the empty tree to SHA-256 of the empty string", () => {
    expect(treeRoot([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(EMPTY_ROOT).toBe(treeRoot([]));
  });

  it("separates leaves from nodes by their prefix byte", () => {
    expect(leafHash(new Uint8Array())).toBe(CT_ROOTS[0]);
    expect(nodeHash(ctHashes[0]!, ctHashes[1]!)).toBe(CT_ROOTS[1]);
  });

  it("matches the certificate-transparency roots for 1..8 leaves", () => {
    CT_ROOTS.forEach((root, i) => expect(treeRoot(ctHashes.slice(0, i + 1))).toBe(root));
  });

  it("matches the certificate-transparency inclusion proofs", () => {
    for (const [index, size, proof] of CT_INCLUSION) {
      expect(inclusionProof(index, ctHashes.slice(0, size))).toEqual(proof);
      expect(verifyInclusion(index, size, ctHashes[index]!, proof, CT_ROOTS[size - 1]!)).toBe(true);
    }
  });

  it("matches the certificate-transparency consistency proofs", () => {
    for (const [m, n, proof] of CT_CONSISTENCY) {
      expect(consistencyProof(m, ctHashes.slice(0, n))).toEqual(proof);
      expect(verifyConsistency(m, n, CT_ROOTS[m - 1]!, CT_ROOTS[n - 1]!, proof)).toBe(true);
    }
  });
});

describe("inclusion proofs", () => {
  it("verify for every leaf of every tree up to 20 leaves, and fail after any single change", () => {
    for (let n = 1; n <= 20; n++) {
      const leaves = leavesOf(n);
      const root = treeRoot(leaves);
      const otherRoot = treeRoot(leavesOf(n + 1));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, leaves);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyInclusion(i, n, leaves[i]!, proof, root)).toBe(true);
        for (const bad of tampered(proof)) expect(verifyInclusion(i, n, leaves[i]!, bad, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(i, n, leaves[(i + 1) % n]!, proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaves[i]!, proof, otherRoot)).toBe(false);
        if (n > 1) expect(verifyInclusion((i + 1) % n, n, leaves[i]!, proof, root)).toBe(false);
      }
      expect(verifyInclusion(n, n, leaves[0]!, [], root)).toBe(false);
    }
  });

  it("are O(log n) long for a large tree", () => {
    const leaves = leavesOf(5000);
    const root = treeRoot(leaves);
    for (const i of [0, 1, 2047, 4095, 4096, 4999]) {
      const proof = inclusionProof(i, leaves);
      expect(proof.length).toBeLessThanOrEqual(13);
      expect(verifyInclusion(i, leaves.length, leaves[i]!, proof, root)).toBe(true);
    }
  });

  it("refuse malformed input without throwing", () => {
    const leaves = leavesOf(3);
    const root = treeRoot(leaves);
    const proof = inclusionProof(0, leaves);
    expect(verifyInclusion(-1, 3, leaves[0]!, proof, root)).toBe(false);
    expect(verifyInclusion(0.5, 3, leaves[0]!, proof, root)).toBe(false);
    expect(verifyInclusion(0, 3, leaves[0]!.toUpperCase(), proof, root)).toBe(false);
    expect(verifyInclusion(0, 3, leaves[0]!, ["zz"], root)).toBe(false);
    expect(() => inclusionProof(3, leaves)).toThrow(RangeError);
  });
});

describe("consistency proofs", () => {
  it("verify for every m <= n <= 20, and fail after any single change", () => {
    for (let n = 1; n <= 20; n++) {
      const leaves = leavesOf(n);
      const rootN = treeRoot(leaves);
      for (let m = 0; m <= n; m++) {
        const rootM = treeRoot(leaves.slice(0, m));
        const proof = consistencyProof(m, leaves);
        expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 1);
        expect(verifyConsistency(m, n, rootM, rootN, proof)).toBe(true);
        for (const bad of tampered(proof)) expect(verifyConsistency(m, n, rootM, rootN, bad)).toBe(false);
        if (m > 0 && m < n) {
          // A different old tree (not a prefix) or a different new tree does not verify.
          expect(verifyConsistency(m, n, treeRoot(leavesOf(m + 1).slice(1)), rootN, proof)).toBe(false);
          expect(verifyConsistency(m, n, rootM, treeRoot(leavesOf(n + 1)), proof)).toBe(false);
          expect(verifyConsistency(m + 1, n, rootM, rootN, proof)).toBe(false);
        }
      }
      expect(verifyConsistency(n + 1, n, rootN, rootN, [])).toBe(false);
    }
  });

  it("are O(log n) long for a large tree", () => {
    const leaves = leavesOf(5000);
    const rootN = treeRoot(leaves);
    for (const m of [1, 3, 1024, 2500, 4999]) {
      const proof = consistencyProof(m, leaves);
      expect(proof.length).toBeLessThanOrEqual(2 * 13);
      expect(verifyConsistency(m, leaves.length, treeRoot(leaves.slice(0, m)), rootN, proof)).toBe(true);
    }
  });
});
