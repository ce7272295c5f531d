// Attribute inference: the prompt is a record's text up to its first e-mail address or phone number; the summary's
// rates, advantage and interval, what the guarantee allows at the non-members' rate, and when the evidence breaks it.
import { describe, expect, it } from "vitest";
import { attributeInference, attributePrompt, completes, subjectGuarantee } from "./attribute-inference";

const hits = (k: number, n: number) => Array.from({ length: n }, (_, i) => i < k);

describe("attributePrompt", () => {
  it("is the text before the first e-mail address or phone number", () => {
    expect(attributePrompt("Please reach Ann Smith at ann.smith@example.com today")).toEqual({
      prompt: "Please reach Ann Smith at ",
      attribute: "ann.smith@example.com",
      type: "email",
    });
    expect(attributePrompt("Call Bob on 415-555-0134 or write to bob@example.org")).toMatchObject({ prompt: "Call Bob on ", type: "phone" });
  });

  it("is null without an attribute, or with nothing before it", () => {
    expect(attributePrompt("my order is late again")).toBeNull();
    expect(attributePrompt("my SSN is 123-45-6789")).toBeNull();
    expect(attributePrompt("ann.smith@example.com wrote in")).toBeNull();
  });

  it("is completed by the attribute verbatim only", () => {
    const p = attributePrompt("Please reach Ann at ann@example.com")!;
    expect(completes("ann@example.com, thanks", p)).toBe(true);
    expect(completes("ANN@example.com", p)).toBe(false);
  });
});

describe("subjectGuarantee", () => {
  it("is the accountant's at subject level, and group privacy over a subject's records at record level", () => {
    expect(subjectGuarantee({ epsilon: 1, delta: 1e-5 }, "subject", 4)).toEqual({ epsilon: 1, delta: 1e-5, group_size: 1 });
    const g = subjectGuarantee({ epsilon: 1, delta: 1e-5 }, "record", 3);
    expect(g.epsilon).toBe(3);
    expect(g.delta).toBeCloseTo(3 * Math.exp(2) * 1e-5, 12);
    expect(g.group_size).toBe(3);
  });
});

describe("attributeInference", () => {
  it("gives the rates' difference, its interval and what epsilon allows at the non-members' rate", () => {
    const s = attributeInference(hits(30, 50), hits(5, 50), { epsilon: 1, delta: 1e-5, group_size: 1 });
    expect(s).toMatchObject({ members: 50, non_members: 50, member_hits: 30, non_member_hits: 5 });
    expect(s.advantage).toBeCloseTo(0.5, 12);
    expect(s.advantage_low).toBeLessThan(0.5);
    expect(s.advantage_high).toBeGreaterThan(0.5);
    // e * 0.1 + delta - 0.1
    expect(s.allowed_advantage).toBeCloseTo(0.17184, 5);
    // 30 of 50 is at least 0.4618 (95%), and epsilon 1 allows 0.5806 at 5 of 50's upper end 0.2136: no proof of a breach.
    expect(s.exceeds).toBe(false);
  });

  it("says the guarantee is broken when even the interval's ends cannot be reconciled with it", () => {
    // Epsilon 0.1 allows at most 0.2361 at the non-members' upper end, below the members' lower end 0.4618.
    expect(attributeInference(hits(30, 50), hits(5, 50), { epsilon: 0.1, delta: 1e-5, group_size: 1 }).exceeds).toBe(true);
    expect(attributeInference(hits(5, 50), hits(5, 50), { epsilon: 0.1, delta: 1e-5, group_size: 1 }).exceeds).toBe(false);
  });

  it("needs both groups", () => {
    expect(() => attributeInference([], hits(1, 2), { epsilon: 1, delta: 1e-5, group_size: 1 })).toThrow(RangeError);
  });
});
