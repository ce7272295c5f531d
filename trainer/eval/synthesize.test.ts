// Synthetic records: sampled from each label's prefix, as many of each label as asked; a model that learnt one text
// per label writes that label's text; greedy decoding is refused.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { labelledText } from "../contract/labelled-text";
import { createModel, disposeModel, initialWeights } from "../model/model";
import { byteTokenizer } from "../model/tokenizer";
import { memorise, tinyByteConfig } from "../testing";
import { synthesize } from "./synthesize";

beforeAll(async () => {
  await initBackend("wasm");
});

describe("synthetic records", () => {
  it("writes records of each label from its prefix", () => {
    const config = tinyByteConfig();
    const model = createModel(config, initialWeights(config, 9), { lora: null });
    memorise(model, [labelledText({ text: "aaaa", label: "x" }, ["x", "y"]), labelledText({ text: "bbbb", label: "y" }, ["x", "y"])], 120);
    const records = synthesize(model, byteTokenizer, ["x", "y"], 3, 6, { kind: "sample", temperature: 0.1, topK: null, topP: null });
    expect(records.map((r) => r.label)).toEqual(["x", "x", "x", "y", "y", "y"]);
    expect(records.slice(0, 3).every((r) => r.text.startsWith("aaa"))).toBe(true);
    expect(records.slice(3).every((r) => r.text.startsWith("bbb"))).toBe(true);
    expect(() => synthesize(model, byteTokenizer, ["x", "y"], 1, 4, { kind: "greedy" })).toThrow(/sampled/);
    disposeModel(model);
  });
});
