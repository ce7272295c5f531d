// Validation: the mean token loss (nats) and perplexity of a model on held-out sequences.

import * as tf from "@tensorflow/tfjs";
import { disposeBatch, makeBatch } from "../model/batch";
import { forward, tokenLosses, untraced, type Model } from "../model/model";

export interface Evaluation {
  loss: number;
  perplexity: number;
  tokens: number;
}

export function evaluate(model: Model, sequences: readonly Int32Array[], batchSize = 32): Evaluation {
  let lossSum = 0;
  let tokens = 0;
  for (let start = 0; start < sequences.length; start += batchSize) {
    const batch = makeBatch(sequences.slice(start, start + batchSize).map((s) => [s]));
    lossSum += tf.tidy(() => tokenLosses(forward(model, untraced, batch.tokens), batch.targets).mul(batch.mask).sum().dataSync()[0] as number);
    tokens += batch.targetCount;
    disposeBatch(batch);
  }
  const loss = tokens > 0 ? lossSum / tokens : NaN;
  return { loss, perplexity: Math.exp(loss), tokens };
}
