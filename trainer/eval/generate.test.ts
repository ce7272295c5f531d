// Greedy decoding: deterministic, stops at end-of-text or the token limit, and after a tiny model is overfitted
// (without DP) on a string, reproduces it verbatim from its prefix.

import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { chooseToken, generate, GREEDY } from "./generate";
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
    const first = generate(model, byteTokenizer, prompts, 10);
    expect(first[0]).toEqual({ text: "4721", tokens: 4, stop: "end_of_text" });
    expect(first[1]).toEqual({ text: " is blue", tokens: 8, stop: "end_of_text" });
    expect(generate(model, byteTokenizer, prompts, 10)).toEqual(first);
    expect(generate(model, byteTokenizer, prompts, 10, GREEDY, 1)).toEqual(first); // one prompt at a time: no padding
    disposeModel(model);
  });

  it("samples: a temperature near 0 is greedy, top-k 1 is greedy, and the draws follow the cut, renormalised distribution", () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const draws = (decoding: Parameters<typeof chooseToken>[1], n = 20_000) => {
      const counts = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) counts[chooseToken(logits, decoding, (i + 0.5) / n)]! += 1; // evenly spread u
      return counts.map((c) => c / n);
    };
    expect(draws({ kind: "sample", temperature: 1, topK: null, topP: null })).toEqual([0.5, 0.3, 0.15, 0.05].map((p) => expect.closeTo(p, 3)));
    expect(draws({ kind: "sample", temperature: 1e-3, topK: null, topP: null })).toEqual([1, 0, 0, 0]);
    expect(draws({ kind: "sample", temperature: 1, topK: 1, topP: null })).toEqual([1, 0, 0, 0]);
    expect(draws({ kind: "sample", temperature: 1, topK: 2, topP: null })).toEqual([0.625, 0.375, 0, 0].map((p) => expect.closeTo(p, 3)));
    // top-p 0.8: the smallest set reaching 0.8 is {0.5, 0.3}
    expect(draws({ kind: "sample", temperature: 1, topK: null, topP: 0.8 })).toEqual([0.625, 0.375, 0, 0].map((p) => expect.closeTo(p, 3)));
    // temperature 2 flattens: p ∝ sqrt(p)
    const flat = [0.5, 0.3, 0.15, 0.05].map(Math.sqrt);
    const sum = flat.reduce((a, b) => a + b, 0);
    expect(draws({ kind: "sample", temperature: 2, topK: null, topP: null })).toEqual(flat.map((p) => expect.closeTo(p / sum, 3)));
    expect(chooseToken(logits, GREEDY, 0.99)).toBe(0);
  });

  it("stops at the token limit", () => {
    const model = createModel(config, initialWeights(config, 22), { lora: null });
    const [completion] = generate(model, byteTokenizer, ["abc"], 3);
    expect(completion).toMatchObject({ tokens: 3, stop: "max_tokens" });
    expect(generate(model, byteTokenizer, ["abc"], 0)).toEqual([{ text: "", tokens: 0, stop: "max_tokens" }]);
    disposeModel(model);
  });
});
