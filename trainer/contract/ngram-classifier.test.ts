// The downstream classifier and its metrics: it learns labels that words decide, from few examples, and predicts
// held-out texts; the metrics match hand-counted values, and macro-F1 punishes a majority-label guess.
import { describe, expect, it } from "vitest";
import { classificationMetrics } from "./classification-metrics";
import { features, trainNgramClassifier } from "./ngram-classifier";

const SPAM = ["win money now", "cheap pills offer", "claim your free prize", "limited offer, buy now", "free money, click here", "lowest price pills"];
const HAM = ["meeting moved to monday", "minutes of the project call", "lunch on friday?", "the report is attached", "notes from the call", "see you at the meeting"];

describe("the n-gram classifier", () => {
  it("has unit-length features that depend on the words, not on case or spacing", () => {
    const f = features("Free  MONEY now");
    expect(Math.hypot(...f.value)).toBeCloseTo(1, 6);
    expect(features("free money now")).toEqual(f);
    expect(features("meeting notes")).not.toEqual(f);
  });

  it("learns labels that words decide and predicts texts it has not seen", () => {
    const examples = [...SPAM.map((text) => ({ text, label: "spam" })), ...HAM.map((text) => ({ text, label: "ham" })), { text: "ignored", label: "other" }];
    const classifier = trainNgramClassifier(examples, ["spam", "ham"]);
    expect(["free pills, click now", "claim cheap money", "project meeting notes", "the call is on monday"].map((t) => classifier.predict(t))).toEqual(["spam", "spam", "ham", "ham"]);
  });

  it("refuses fewer than two labels, or no example of them", () => {
    expect(() => trainNgramClassifier([{ text: "a", label: "x" }], ["x"])).toThrow(/two labels/);
    expect(() => trainNgramClassifier([{ text: "a", label: "x" }], ["y", "z"])).toThrow(/no example/);
  });
});

describe("classification metrics", () => {
  it("counts accuracy, per-label precision, recall and F1, and their macro mean", () => {
    const truth = ["a", "a", "a", "b", "b", "c"];
    const predicted = ["a", "a", "b", "b", "c", "c"];
    const m = classificationMetrics(truth, predicted, ["a", "b", "c"]);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.per_label.a).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(m.per_label.b!.f1).toBeCloseTo(0.5, 12);
    expect(m.per_label.c!.f1).toBeCloseTo(2 / 3, 12);
    expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it("gives a majority-label guess its accuracy but a low macro-F1", () => {
    const truth = [...Array(9).fill("ham"), "spam"];
    const m = classificationMetrics(truth, Array(10).fill("ham"), ["spam", "ham"]);
    expect(m.accuracy).toBe(0.9);
    expect(m.macro_f1).toBeCloseTo((0 + 18 / 19) / 2, 12);
  });
});
