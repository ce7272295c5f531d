// Canaries: their randomness spaces, drawing them from node:crypto, the fair inclusion coins and the committed plan.
import { describe, expect, it } from "vitest";
import {
  assignInclusion,
  canaryCandidateAt,
  canaryCommitmentSchema,
  canaryDigest,
  canaryPlanSchema,
  drawCanaries,
  fillCanarySpace,
  parseCanarySpace,
  prepareCanaries,
  sampleCanaryCandidates,
} from "./canaries";

describe("canary spaces", () => {
  it("parses slots and computes |R| exactly", () => {
    const ssn = parseCanarySpace("my SSN is {ddd}-{dd}-{dddd}");
    expect(ssn.slotLengths).toEqual([3, 2, 4]);
    expect(ssn.size).toBe(1_000_000_000n);
    expect(ssn.log2Size).toBeCloseTo(9 * Math.log2(10), 12);
    expect(parseCanarySpace("call me on 555-{ddd}-{dddd}").size).toBe(10_000_000n);
    expect(parseCanarySpace("{dddddddddddddddddddddddddddddd}").size).toBe(10n ** 30n);
  });

  it("rejects malformed templates", () => {
    expect(() => parseCanarySpace("no slots")).toThrow(/at least one digit slot/);
    expect(() => parseCanarySpace("bad {dx}")).toThrow(/slot at position 4/);
    expect(() => parseCanarySpace("open {ddd")).toThrow(/slot at position 5/);
    expect(() => parseCanarySpace("close }")).toThrow(/unmatched/);
    expect(() => parseCanarySpace(`{${"d".repeat(31)}}`)).toThrow(/31 digits/);
  });

  it("fills and enumerates the space", () => {
    const space = parseCanarySpace("pin {dd} and {d}!");
    expect(fillCanarySpace(space, "123")).toBe("pin 12 and 3!");
    expect(canaryCandidateAt(space, 0n)).toBe("pin 00 and 0!");
    expect(canaryCandidateAt(space, 999n)).toBe("pin 99 and 9!");
    expect(() => canaryCandidateAt(space, 1000n)).toThrow(RangeError);
    expect(() => fillCanarySpace(space, "12")).toThrow(RangeError);
  });

  it("samples members of the space", () => {
    const space = parseCanarySpace("my SSN is {ddd}-{dd}-{dddd}");
    for (const s of sampleCanaryCandidates(space, 50)) expect(s).toMatch(/^my SSN is \d{3}-\d{2}-\d{4}$/);
  });
});

describe("drawCanaries", () => {
  it("draws m distinct secrets, even when m is the whole space", () => {
    const space = parseCanarySpace("{d}");
    expect(new Set(drawCanaries(space, 10)).size).toBe(10);
    expect(() => drawCanaries(space, 11)).toThrow(/distinct/);
    const big = drawCanaries(parseCanarySpace("call me on 555-{ddd}-{dddd}"), 200);
    expect(new Set(big).size).toBe(200);
  });

  it("draws each digit uniformly (chi-square on 20,000 digits)", () => {
    const counts = new Array<number>(10).fill(0);
    for (const s of sampleCanaryCandidates(parseCanarySpace("{dddddddddd}"), 2000)) {
      for (const ch of s) counts[Number(ch)]! += 1;
    }
    const chi2 = counts.reduce((acc, c) => acc + (c - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(33.7); // 9 degrees of freedom, p = 1e-4
  });
});

describe("assignInclusion", () => {
  it("flips a fair coin per canary", () => {
    const flips = assignInclusion(20_000);
    expect(flips).toHaveLength(20_000);
    const heads = flips.filter(Boolean).length;
    expect(Math.abs(heads - 10_000)).toBeLessThan(4 * Math.sqrt(5000)); // 4 standard deviations
    expect(assignInclusion(0)).toEqual([]);
  });
});

describe("commitments and plans", () => {
  it("digests are salted SHA-256 in hex", () => {
    // Reference values from sha256sum of ":abc" and "s1:my SSN is 123-45-6789".
    expect(canaryDigest("abc", "")).toBe("6e850a0e91c14c7de98b0266362362c7c465aeff1df5c073d8976f81a333a874");
    expect(canaryDigest("my SSN is 123-45-6789", "s1")).toBe(
      "863fa370b74d98903b13e90aa95f7a47d405971edc1b06c9b245fcc6828dee41",
    );
    expect(canaryDigest("x", "a")).not.toBe(canaryDigest("x", "b"));
  });

  const plan = { space: "my SSN is {ddd}-{dd}-{dddd}", m: 100, repeats: 1, k_plus: 20, k_minus: 20, confidence: 0.95 };

  it("validates plans", () => {
    expect(canaryPlanSchema.parse(plan)).toEqual(plan);
    const issues = (p: object) => canaryPlanSchema.safeParse(p).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ ...plan, k_plus: 60, k_minus: 60 })).toContain("k_plus + k_minus must not exceed m");
    expect(issues({ ...plan, k_plus: 0, k_minus: 0 })).toContain("k_plus + k_minus must be at least 1");
    expect(issues({ ...plan, space: "{d}", m: 11 })[0]).toMatch(/exceeds the size/);
    expect(issues({ ...plan, space: "nothing" })[0]).toMatch(/digit slot/);
    expect(issues({ ...plan, confidence: 1 })).toHaveLength(1);
    expect(issues({ ...plan, seed: 42 })).toHaveLength(1);
  });

  it("prepares canaries whose commitment matches what is kept server-side", () => {
    const { commitment, canaries } = prepareCanaries(plan);
    expect(canaryCommitmentSchema.parse(JSON.parse(JSON.stringify(commitment)))).toEqual(commitment);
    expect(canaries).toHaveLength(100);
    expect(new Set(canaries.map((c) => c.secret)).size).toBe(100);
    canaries.forEach((c, i) => {
      expect(c.digest).toBe(canaryDigest(c.secret, c.salt));
      expect(commitment.digests[i]).toBe(c.digest);
    });
    expect(JSON.stringify(commitment)).not.toContain(canaries[0]!.secret);
  });
});
