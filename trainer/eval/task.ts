// The task metric of a model trained with labels: each labelled text is classified by scoring it as each label's
// continuation (the summed loss of the text's tokens after "<label>: ", labelled-text.ts: -log p(text | label)) and
// taking the label under which the text is most likely. The labels' own likelihoods (how often each occurred in
// training) are left out, so that a rare label is not drowned by a frequent one. Every continuation keeps the same
// tokens of the text, cut so that the longest label's prefix still fits the context.
import { labelPrefix } from "../contract/labelled-text";
import type { Model } from "../model/model";
import type { Tokenizer } from "../model/tokenizer";
import { classificationMetrics, type ClassificationMetrics } from "../contract/classification-metrics";
import { scoreSequences } from "./score";

/** The label each text is classified as, in input order. */
export function classifyByLabel(model: Model, tokenizer: Tokenizer, texts: readonly string[], labels: readonly string[]): string[] {
  const prefixes = labels.map((l) => Int32Array.from([tokenizer.endOfText, ...tokenizer.encode(labelPrefix(l))]));
  const room = model.config.context_length + 1 - Math.max(...prefixes.map((p) => p.length));
  if (room < 1) throw new RangeError("the labels' prefixes leave no room for the text in the model's context");
  // Each prefix alone, then each text after each prefix: with causal attention the prefix's own losses are the same
  // in both, so the difference is the loss of the text's tokens given the label.
  const sequences = [
    ...prefixes,
    ...texts.flatMap((text) => {
      const body = tokenizer.encode(text).subarray(0, room);
      return prefixes.map((prefix) => Int32Array.from([...prefix, ...body]));
    }),
  ];
  const scores = scoreSequences(model, sequences);
  const prefixLoss = labels.map((_, j) => scores[j]!.lossSum);
  return texts.map((_, i) => {
    const losses = labels.map((_, j) => scores[labels.length + i * labels.length + j]!.lossSum - prefixLoss[j]!);
    return labels[losses.indexOf(Math.min(...losses))]!;
  });
}

/** Accuracy and macro-F1 of the model's classification of labelled records (each label one of `labels`). */
export function taskMetrics(model: Model, tokenizer: Tokenizer, records: readonly { text: string; label: string }[], labels: readonly string[]): ClassificationMetrics {
  const predicted = classifyByLabel(model, tokenizer, records.map((r) => r.text), labels);
  return classificationMetrics(records.map((r) => r.label), predicted, labels);
}
