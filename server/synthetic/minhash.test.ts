// MinHash: the signature's estimate is close to the exact Jaccard similarity, and the banded index finds near
// duplicates among many texts as a pairwise comparison would.
import { describe, expect, it } from "vitest";
import { NearDuplicateIndex, bandRowsFor, estimatedJaccard, jaccard, shingles, signature } from "./minhash";

const words = "the quick brown fox jumps over a lazy dog while seven wizards quietly hex jolly fat kings".split(" ");
const sentence = (n: number, shift: number) => Array.from({ length: n }, (_, i) => words[(i * 7 + shift) % words.length]).join(" ");

describe("minhash", () => {
  it("shingles the lower-cased text with whitespace collapsed; a short text is one shingle", () => {
    expect([...shingles("Ab  CdE\n")]).toEqual(["ab cd", "b cde"]);
    expect([...shingles("Hi")]).toEqual(["hi"]);
    expect(shingles("   ").size).toBe(0);
  });

  it("estimates the exact Jaccard similarity within the sketch's error", () => {
    for (const [a, b] of [
      [sentence(30, 0), sentence(30, 0)],
      [sentence(30, 0), `${sentence(30, 0)} and then some more words at the end`],
      [sentence(30, 0), sentence(30, 3)],
      ["Dear Anna, your order 4411 shipped today.", "Dear Anna, your order 4412 shipped yesterday."],
    ] as const) {
      const exact = jaccard(a, b);
      expect(Math.abs(estimatedJaccard(signature(a), signature(b)) - exact)).toBeLessThan(0.2);
    }
    expect(estimatedJaccard(signature("Hello there"), signature("hello   THERE"))).toBe(1);
  });

  it("bands as many rows as a 95% recall at the threshold allows", () => {
    expect([0.3, 0.5, 0.7, 0.9, 1].map(bandRowsFor)).toEqual([2, 2, 4, 8, 8]);
  });

  it("the banded index finds every pair above 0.5 that a pairwise comparison finds", () => {
    const indexed = Array.from({ length: 60 }, (_, i) => `${sentence(12, i)} number ${i}`);
    const queries = [indexed[5]!, `${indexed[17]!} extra`, "entirely different text about gardens and rain", indexed[40]!.replace("number", "no.")];
    const index = new NearDuplicateIndex(indexed, 0.5);
    for (const q of queries) index.add(q);
    indexed.forEach((t, k) => {
      const pairwise = Math.max(...queries.map((q) => estimatedJaccard(signature(q), signature(t))));
      if (pairwise >= 0.5) expect(index.bestMatches[k]).toBe(pairwise);
      else expect(index.bestMatches[k]).toBeLessThanOrEqual(pairwise);
    });
    expect(index.bestMatches[5]).toBe(1);
    expect(index.bestMatches[17]).toBeGreaterThan(0.7);
  });
});
