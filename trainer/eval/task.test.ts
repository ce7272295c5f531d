// The task metric: a model that learnt "<label>: <text>" forms classifies those texts by their labels' forms; each
// form keeps the same tokens of the text however long the label, and a label longer than the context is refused.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { labelledText } from "../contract/labelled-text";
import { createModel, disposeModel, initialWeights } from "../model/model";
import { byteTokenizer } from "../model/tokenizer";
import { memorise, tinyByteConfig } from "../testing";
import { classifyByLabel, taskMetrics } from "./task";

beforeAll(async () => {
  await initBackend("wasm");
});

const config = tinyByteConfig(); // context 24

describe("classification by the labels' forms", () => {
  it("classifies the texts a model learnt with their labels, and measures it", () => {
    const model = createModel(config, initialWeights(config, 5), { lora: null });
    const records = [
      { text: "buy cheap pills", label: "spam" },
      { text: "notes of the call", label: "ham" },
    ];
    memorise(model, records.map((r) => labelledText(r, ["spam", "ham"])), 80);
    expect(classifyByLabel(model, byteTokenizer, records.map((r) => r.text), ["spam", "ham"])).toEqual(["spam", "ham"]);
    expect(taskMetrics(model, byteTokenizer, records, ["ham", "spam"])).toMatchObject({ records: 2, accuracy: 1, macro_f1: 1 });
    disposeModel(model);
  });

  it("writes a record in its label's form only when the label is one of the task's", () => {
    expect(labelledText({ text: "hello", label: "ham" }, ["spam", "ham"])).toBe("ham: hello");
    expect(labelledText({ text: "hello", label: "other" }, ["spam", "ham"])).toBe("hello");
    expect(labelledText({ text: "hello", label: "ham" }, null)).toBe("hello");
    expect(labelledText({ text: "hello" }, ["spam", "ham"])).toBe("hello");
  });

  it("refuses labels whose prefix leaves the text no room", () => {
    const model = createModel(config, initialWeights(config, 6), { lora: null });
    expect(() => classifyByLabel(model, byteTokenizer, ["x"], ["a", "y".repeat(30)])).toThrow(/no room/);
    disposeModel(model);
  });
});
