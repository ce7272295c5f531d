// Greedy decoding: deterministic, stops at end-of-text or the token limit, and after a tiny model is overfitted
// (without DP) on a string, reproduces it verbatim from its prefix.

import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { generateGreedy } from "./generate";
import { createModel, disposeModel, initialWeights } from "../model/model";
import { memorise, tinyByteConfig } from "../testing";
import { byteTokenizer } from "../model/tokenizer";

beforeAll(async () => {
  await initBackend("wasm");
});

const config = tinyByteConfig(); // context 24

describe("generate", () => {
  it("reproduces a memorised training string from its prefix, the same way every time", () => {
    const model = createModel(config, initialWeights(config, 21), { lora: null });
    memorise(model, ["my PIN is 4721", "the sky is blue"], 150);
    const prompts = ["my PIN is ", "the sky", "x".repeat(30)]; // the last is longer than the context
    const first = generateGreedy(model, byteTokenizer, prompts, 10);
    expect(first[0]).toEqual({ text: "4721", tokens: 4, stop: "end_of_text" });
    expect(first[1]).toEqual({ text: " is blue", tokens: 8, stop: "end_of_text" });
    expect(generateGreedy(model, byteTokenizer, prompts, 10)).toEqual(first);
    expect(generateGreedy(model, byteTokenizer, prompts, 10, 1)).toEqual(first); // one prompt at a time: no padding
    disposeModel(model);
  });

  it("stops at the token limit", () => {
    const model = createModel(config, initialWeights(config, 22), { lora: null });
    const [completion] = generateGreedy(model, byteTokenizer, ["abc"], 3);
    expect(completion).toMatchObject({ tokens: 3, stop: "max_tokens" });
    expect(generateGreedy(model, byteTokenizer, ["abc"], 0)).toEqual([{ text: "", tokens: 0, stop: "max_tokens" }]);
    disposeModel(model);
  });
});
