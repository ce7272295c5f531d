// Scoring texts under a model: each text's mean negative log-likelihood per token (nats), as the model sees it in
// training (end-of-text, the text's tokens, end-of-text, cut to context_length + 1 tokens, so a long text is
// scored on its first context_length targets only). The losses behind canary exposure and membership inference.
// Forward passes are batched: sequences of similar length are padded together and padding carries no weight.

import * as tf from "@tensorflow/tfjs";
import { disposeBatch, makeBatch } from "../model/batch";
import { forward, tokenLosses, untraced, type Model } from "../model/model";
import { recordTokens, type Tokenizer } from "../model/tokenizer";

export interface SequenceScore {
  lossSum: number; // summed negative log-likelihood (nats) of the sequence's targets
  tokens: number; // targets scored: the sequence's length - 1
}

export interface TextScore {
  loss: number; // mean negative log-likelihood (nats) per scored token
  tokens: number;
  truncated: boolean; // the text did not fit the context: its tail was not scored
}

/** Summed token losses of each sequence (each at most context_length + 1 tokens), in input order. Sequences are
 * batched `batchSize` at a time in order of length, so that little of each batch is padding. */
export function scoreSequences(model: Model, sequences: readonly Int32Array[], batchSize = 64): SequenceScore[] {
  const order = sequences.map((_, i) => i).sort((a, b) => (sequences[a] as Int32Array).length - (sequences[b] as Int32Array).length);
  const scores = new Array<SequenceScore>(sequences.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const chunk = order.slice(start, start + batchSize);
    const batch = makeBatch(chunk.map((i) => [sequences[i] as Int32Array]));
    const sums = tf.tidy(() => tokenLosses(forward(model, untraced, batch.tokens), batch.targets).mul(batch.mask).sum(1).dataSync());
    disposeBatch(batch);
    chunk.forEach((i, row) => (scores[i] = { lossSum: sums[row] as number, tokens: Math.max(0, (sequences[i] as Int32Array).length - 1) }));
  }
  return scores;
}

/** Each text's mean token loss as a training record (see the file comment), in input order. */
export function scoreTexts(model: Model, tokenizer: Tokenizer, texts: readonly string[], batchSize = 64): TextScore[] {
  const length = model.config.context_length + 1;
  const encoded = texts.map((text) => tokenizer.encode(text));
  return scoreSequences(model, texts.map((text) => recordTokens(tokenizer, text, length)), batchSize).map((score, i) => ({
    loss: score.lossSum / score.tokens,
    tokens: score.tokens,
    truncated: (encoded[i] as Int32Array).length + 2 > length,
  }));
}
