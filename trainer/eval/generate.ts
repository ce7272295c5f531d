// Decoding: each prompt continued token by token until the end-of-text token or a maximum number of tokens, by
// greedy choice (the most likely next token: deterministic, the same model and prompts give the same completions;
// what extraction tests use: does a model prompted with the start of a training record complete it verbatim?) or by
// sampling (temperature, then top-k and top-p cuts, draws from node:crypto). A prompt is fed as a training record
// begins (end-of-text, then its tokens); once prompt and completion exceed the context, the model sees their last
// context_length tokens.

import * as tf from "@tensorflow/tfjs";
import { uniforms } from "../contract/secure-random";
import { forward, untraced, type Model } from "../model/model";
import type { Tokenizer } from "../model/tokenizer";

export interface Completion {
  text: string; // the generated tokens' text (bytes that do not form UTF-8 become U+FFFD)
  tokens: number; // tokens generated, the end-of-text token not counted
  stop: "end_of_text" | "max_tokens";
}

/** How the next token is chosen: greedy, or sampled from the softmax of logits / temperature, cut to the k most
 * likely tokens (topK) and to the smallest set whose probability reaches topP (nucleus), whichever is smaller. */
export type Decoding = { kind: "greedy" } | { kind: "sample"; temperature: number; topK: number | null; topP: number | null };

export const GREEDY: Decoding = { kind: "greedy" };

/** The logits of the next token after each sequence, in one forward pass (sequences padded on the right: with
 * causal attention, padding after a sequence's last token does not change its logits). */
function nextLogits(model: Model, sequences: readonly number[][]): Float32Array[] {
  const context = model.config.context_length;
  const windows = sequences.map((s) => s.slice(-context));
  const length = Math.max(...windows.map((w) => w.length));
  const tokens = new Int32Array(windows.length * length);
  windows.forEach((w, row) => tokens.set(w, row * length));
  const last = windows.map((w, row) => [row, w.length - 1]);
  const logits = tf.tidy(() => tf.gatherND(forward(model, untraced, tf.tensor2d(tokens, [windows.length, length], "int32")), tf.tensor2d(last, undefined, "int32")));
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  const vocab = model.config.vocab_size;
  return windows.map((_, row) => values.slice(row * vocab, (row + 1) * vocab));
}

/** The chosen token: the first most likely one (greedy), or a draw as `decoding` says; `u` is uniform in [0, 1). */
export function chooseToken(logits: Float32Array, decoding: Decoding, u: number): number {
  if (decoding.kind === "greedy") {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
    return best;
  }
  const order = Array.from(logits.keys()).sort((a, b) => (logits[b] as number) - (logits[a] as number));
  const top = logits[order[0]!] as number;
  let kept = order.slice(0, decoding.topK ?? order.length);
  const weights = kept.map((i) => Math.exp(((logits[i] as number) - top) / decoding.temperature));
  let total = weights.reduce((s, w) => s + w, 0);
  if (decoding.topP !== null) {
    let mass = 0;
    let cut = kept.length;
    for (let j = 0; j < kept.length; j++) {
      mass += (weights[j] as number) / total;
      if (mass >= decoding.topP) {
        cut = j + 1;
        break;
      }
    }
    kept = kept.slice(0, cut);
    weights.length = cut;
    total = weights.reduce((s, w) => s + w, 0);
  }
  let target = u * total;
  for (let j = 0; j < kept.length; j++) {
    target -= weights[j] as number;
    if (target < 0) return kept[j] as number;
  }
  return kept[kept.length - 1] as number;
}

/** Completions of each prompt, at most `maxTokens` tokens each, in input order; `batchSize` prompts are decoded
 * together. */
export function generate(
  model: Model,
  tokenizer: Tokenizer,
  prompts: readonly string[],
  maxTokens: number,
  decoding: Decoding = GREEDY,
  batchSize = 64,
): Completion[] {
  const completions: Completion[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const chunk = prompts.slice(start, start + batchSize);
    const sequences = chunk.map((prompt) => [tokenizer.endOfText, ...tokenizer.encode(prompt)]);
    const generated: number[][] = chunk.map(() => []);
    const stopped = chunk.map(() => false);
    for (let step = 0; step < maxTokens && stopped.includes(false); step++) {
      const active = chunk.map((_, i) => i).filter((i) => !stopped[i]);
      const logits = nextLogits(model, active.map((i) => [...(sequences[i] as number[]), ...(generated[i] as number[])]));
      const draws = decoding.kind === "sample" ? uniforms(active.length) : null;
      active.forEach((i, row) => {
        const token = chooseToken(logits[row] as Float32Array, decoding, draws ? (draws[row] as number) : 0);
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
