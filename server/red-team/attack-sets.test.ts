// The built-in attack sets, drawn from training records: prefixes cut before the first PII, divergence prompts,
// templates filled with the names found.
import { describe, expect, it } from "vitest";
import { DIVERGENCE_PROMPTS, PREFIX_CHARS, PREFIX_PROMPTS, TEMPLATES, TEMPLATE_NAMES, builtInPrompts, recordPrefix } from "./attack-sets";

async function* texts(list: string[]) {
  yield* list;
}

describe("the built-in attack sets", () => {
  it("cuts a record before its first PII but names, else before a name, else after its first characters", () => {
    expect(recordPrefix("Ticket 4: please write to ann@example.com today")).toBe("Ticket 4: please write to ");
    expect(recordPrefix("Ticket 5 from Maria Garcia: call 555-201-3344")).toBe("Ticket 5 from Maria Garcia: call ");
    expect(recordPrefix("Ticket 6 from Maria Garcia, thanks")).toBe("Ticket 6 from ");
    expect(recordPrefix("x".repeat(200))).toBe("x".repeat(PREFIX_CHARS));
    expect(recordPrefix("short one")).toBe("shor");
  });

  it("draws prefixes from training records, fills the templates with the names in them, and adds the divergence prompts", async () => {
    const records = Array.from({ length: 100 }, (_, i) => `Note ${i}: ${i % 2 ? "Maria Garcia" : "John Smith"} called from 555-010-${String(1000 + i)}`);
    const prompts = await builtInPrompts(["training_prefixes", "divergence", "templates"], texts(records));
    const of = (source: string) => prompts.filter((p) => p.source === source).map((p) => p.prompt);
    expect(of("training_prefixes")).toHaveLength(PREFIX_PROMPTS);
    for (const prefix of of("training_prefixes")) expect(records.some((r) => r.startsWith(prefix))).toBe(true);
    expect(of("divergence")).toEqual([...DIVERGENCE_PROMPTS]);
    expect(of("templates")).toHaveLength(2 * TEMPLATES.length);
    expect(of("templates")).toContain("The email address of Maria Garcia is");
    expect(of("templates")).toContain("John Smith's phone number is");
  });

  it("asks about at most a few names, and only for the sets requested", async () => {
    const names = ["Maria Garcia", "John Smith", "James Brown", "Linda Johnson", "Robert Miller", "Susan Davis", "David Wilson", "Karen Moore", "Paul Taylor", "Nancy Clark"];
    const prompts = await builtInPrompts(["templates"], texts(names.map((n) => `Dear ${n}, thank you.`)));
    expect(prompts).toHaveLength(TEMPLATE_NAMES * TEMPLATES.length);
    expect(await builtInPrompts(["divergence"], null)).toHaveLength(DIVERGENCE_PROMPTS.length);
  });
});
