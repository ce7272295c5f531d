// The task metric: a model that learnt "<label>: <text>" forms classifies those texts by their labels' forms; the
// batched choice equals the one made scoring each sequence alone (the text's tokens after each prefix, the prefix's
// own loss taken off), each form keeps the same tokens of the text, and a label longer than the context is refused.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { labelledText } from "../contract/labelled-text";
import { createModel, disposeModel, initialWeights } from "../model/model";
import { byteTokenizer } from "../model/tokenizer";
import { memorise, tinyByteConfig } from "../testing";
import { scoreSequences } from "./score";
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

  it("picks the label under which the text's own tokens are most likely, as one sequence at a time says", () => {
    const model = createModel(config, initialWeights(config, 7), { lora: null });
    memorise(model, ["spam: win cash", "ham: see you"], 30);
    const labels = ["spam", "ham", "newsletter"];
    const texts = ["win cash", "see you", "weekly digest", "x".repeat(40)];
    const room = config.context_length + 1 - Math.max(...labels.map((l) => 1 + byteTokenizer.encode(`${l}: `).length));
    const alone = (tokens: number[]) => scoreSequences(model, [Int32Array.from(tokens)])[0]!.lossSum;
    const expected = texts.map((text) => {
      const losses = labels.map((l) => {
        const prefix = [byteTokenizer.endOfText, ...byteTokenizer.encode(`${l}: `)];
        return alone([...prefix, ...byteTokenizer.encode(text).subarray(0, room)]) - alone(prefix);
      });
      return labels[losses.indexOf(Math.min(...losses))];
    });
    expect(classifyByLabel(model, byteTokenizer, texts, labels)).toEqual(expected);
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
