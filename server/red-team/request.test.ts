// A red-team request's limits, each refused with a message that says what to change.
import { describe, expect, it } from "vitest";
import { MAX_OUTPUT_TOKENS, MAX_OWN_PROMPTS, MAX_PROMPT_CHARS, redTeamRequestSchema } from "./request";

const base = { attack_sets: [], prompts: ["Hello"], max_tokens: 32, decoding: { kind: "greedy" } };
const messages = (input: unknown) => {
  const result = redTeamRequestSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe("a red-team request", () => {
  it("takes own prompts, attack sets and sampling settings within their limits", () => {
    expect(messages(base)).toEqual([]);
    expect(messages({ ...base, prompts: [], attack_sets: ["divergence", "templates"], decoding: { kind: "sample", temperature: 0.8, top_k: 40, top_p: 0.95 } })).toEqual([]);
  });

  it("refuses what would start nothing or too much, saying what is wrong", () => {
    expect(messages({ ...base, prompts: [] })).toEqual(["Choose an attack set or give at least one prompt of your own"]);
    expect(messages({ ...base, prompts: ["   "] })).toEqual(["A prompt must not be empty"]);
    expect(messages({ ...base, prompts: ["x".repeat(MAX_PROMPT_CHARS + 1)] })).toEqual([`A prompt must be at most ${MAX_PROMPT_CHARS} characters`]);
    expect(messages({ ...base, prompts: Array(MAX_OWN_PROMPTS + 1).fill("hi") })).toEqual([`At most ${MAX_OWN_PROMPTS} prompts of your own per exercise`]);
    expect(messages({ ...base, max_tokens: 100_000 })).toEqual([`At most ${MAX_OUTPUT_TOKENS} tokens per output`]);
    expect(messages({ ...base, attack_sets: ["divergence", "divergence"] })).toEqual(["Each attack set at most once"]);
    expect(messages({ ...base, decoding: { kind: "sample", temperature: 0, top_k: null, top_p: null } })).toEqual(["The temperature must be at least 0.05"]);
    expect(messages({ ...base, prompts: ["a\u202Eb"] })[0]).toMatch(/control or bidirectional-override/);
    expect(messages({ ...base, attack_sets: ["everything"] })).toHaveLength(1);
  });
});
