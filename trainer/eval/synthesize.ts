// Synthetic records from a model trained with labels: for each label, completions sampled from its prefix
// ("<label>: ", labelled-text.ts), each one a record of that label. A model trained with DP spends nothing more to
// make them (post-processing); the draws come from node:crypto (generate.ts).
import { labelPrefix } from "../contract/labelled-text";
import type { Model } from "../model/model";
import type { Tokenizer } from "../model/tokenizer";
import { generate, type Decoding } from "./generate";

export interface LabelledRecord {
  text: string;
  label: string;
}

/** `perLabel` records of each label, sampled as `decoding` says, each at most `maxTokens` tokens, labels in order. */
export function synthesize(model: Model, tokenizer: Tokenizer, labels: readonly string[], perLabel: number, maxTokens: number, decoding: Decoding): LabelledRecord[] {
  if (decoding.kind !== "sample") throw new RangeError("synthetic records are sampled: greedy decoding would repeat one record per label");
  const prompts = labels.flatMap((label) => Array<string>(perLabel).fill(labelPrefix(label)));
  return generate(model, tokenizer, prompts, maxTokens, decoding).map((c, i) => ({ text: c.text, label: labels[Math.floor(i / perLabel)]! }));
}
