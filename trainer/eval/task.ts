// The task metric of a model trained with labels: each labelled text is classified by scoring each label's form of it
// ("<label>: <text>", labelled-text.ts) and taking the label whose form the model finds most likely (the smallest
// summed loss: the joint likelihood of label and text, so the label's prior counts too). Every form keeps the same
// tokens of the text, cut so that the longest label still fits the context.
import { labelPrefix } from "../contract/labelled-text";
import type { Model } from "../model/model";
import type { Tokenizer } from "../model/tokenizer";
import { classificationMetrics, type ClassificationMetrics } from "./classification-metrics";
import { scoreSequences } from "./score";

/** The label each text is classified as, in input order. */
export function classifyByLabel(model: Model, tokenizer: Tokenizer, texts: readonly string[], labels: readonly string[]): string[] {
  const prefixes = labels.map((l) => tokenizer.encode(labelPrefix(l)));
  const room = model.config.context_length + 1 - 1 - Math.max(...prefixes.map((p) => p.length));
  if (room < 1) throw new RangeError("the labels' prefixes leave no room for the text in the model's context");
  const sequences = texts.flatMap((text) => {
    const body = tokenizer.encode(text).subarray(0, room);
    return prefixes.map((prefix) => Int32Array.from([tokenizer.endOfText, ...prefix, ...body]));
  });
  const scores = scoreSequences(model, sequences);
  return texts.map((_, i) => {
    const losses = labels.map((_, j) => scores[i * labels.length + j]!.lossSum);
    return labels[losses.indexOf(Math.min(...losses))]!;
  });
}

/** Accuracy and macro-F1 of the model's classification of labelled records (each label one of `labels`). */
export function taskMetrics(model: Model, tokenizer: Tokenizer, records: readonly { text: string; label: string }[], labels: readonly string[]): ClassificationMetrics {
  const predicted = classifyByLabel(model, tokenizer, records.map((r) => r.text), labels);
  return classificationMetrics(records.map((r) => r.label), predicted, labels);
}
