// Greedy decoding: each prompt continued by the most likely next token, step after step, until the end-of-text token
// or a maximum number of tokens. Deterministic (no sampling): the same model and prompts give the same completions.
// A prompt is fed as a training record begins (end-of-text, then its tokens); once prompt and completion exceed
// the context, the model sees their last context_length tokens. Used by extraction tests: does a model prompted with
// the start of a training record complete it verbatim?

import * as tf from "@tensorflow/tfjs";
import { forward, untraced, type Model } from "../model/model";
import type { Tokenizer } from "../model/tokenizer";

export interface Completion {
  text: string; // the generated tokens' text (bytes that do not form UTF-8 become U+FFFD)
  tokens: number; // tokens generated, the end-of-text token not counted
  stop: "end_of_text" | "max_tokens";
}

/** The most likely next token after each sequence, in one forward pass (sequences padded on the right: with causal
 * attention, padding after a sequence's last token does not change its logits). */
function nextTokens(model: Model, sequences: readonly number[][]): Int32Array {
  const context = model.config.context_length;
  const windows = sequences.map((s) => s.slice(-context));
  const length = Math.max(...windows.map((w) => w.length));
  const tokens = new Int32Array(windows.length * length);
  windows.forEach((w, row) => tokens.set(w, row * length));
  const last = windows.map((w, row) => [row, w.length - 1]);
  return tf.tidy(() => {
    const logits = forward(model, untraced, tf.tensor2d(tokens, [windows.length, length], "int32"));
    return tf.gatherND(logits, tf.tensor2d(last, undefined, "int32")).argMax(-1).dataSync() as Int32Array;
  });
}

/** Greedy completions of each prompt, at most `maxTokens` tokens each, in input order; `batchSize` prompts are
 * decoded together. */
export function generateGreedy(model: Model, tokenizer: Tokenizer, prompts: readonly string[], maxTokens: number, batchSize = 64): Completion[] {
  const completions: Completion[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const chunk = prompts.slice(start, start + batchSize);
    const sequences = chunk.map((prompt) => [tokenizer.endOfText, ...tokenizer.encode(prompt)]);
    const generated: number[][] = chunk.map(() => []);
    const stopped = chunk.map(() => false);
    for (let step = 0; step < maxTokens && stopped.includes(false); step++) {
      const active = chunk.map((_, i) => i).filter((i) => !stopped[i]);
      const next = nextTokens(model, active.map((i) => [...(sequences[i] as number[]), ...(generated[i] as number[])]));
      active.forEach((i, row) => {
        const token = next[row] as number;
        if (token === tokenizer.endOfText) stopped[i] = true;
        else (generated[i] as number[]).push(token);
      });
    }
    generated.forEach((tokens, i) =>
      completions.push({ text: tokenizer.decode(tokens), tokens: tokens.length, stop: stopped[i] ? "end_of_text" : "max_tokens" }),
    );
  }
  return completions;
}
