// One non-private training step: the gradient of the batch's summed sequence losses divided by `divisor`, by
// ordinary backpropagation. Used for pretraining the base model, the non-private baseline, and as the reference the
// DP step is measured against.

import * as tf from "@tensorflow/tfjs";
import { disposeBatch, makeBatch, type Unit } from "../model/batch";
import { forward, tokenLosses, untraced, type Model } from "../model/model";
import type { Optimizer } from "../model/optimizer";
import { sequenceLossSum } from "./per-example";

/** Gradients of (sum of the batch's sequence losses) / divisor for every trainable parameter, and the mean token
 * loss. */
export function plainGradients(model: Model, units: readonly Unit[], divisor: number) {
  const batch = makeBatch(units);
  const names = [...model.trainable];
  const variables = names.map((n) => model.params.get(n)!);
  let lossSum = 0;
  const { value, grads } = tf.variableGrads(() => {
    const losses = tokenLosses(forward(model, untraced, batch.tokens), batch.targets);
    lossSum = losses.mul(batch.mask).sum().dataSync()[0] as number;
    return sequenceLossSum(losses, batch).div(divisor);
  }, variables);
  value.dispose();
  const byName = new Map(names.map((n, i) => [n, grads[variables[i]!.name]!]));
  const loss = batch.targetCount > 0 ? lossSum / batch.targetCount : null;
  disposeBatch(batch);
  return { grads: byName, loss };
}

export function plainStep(model: Model, optimizer: Optimizer, units: readonly Unit[], divisor = units.length) {
  const { grads, loss } = plainGradients(model, units, divisor);
  optimizer.apply(grads);
  tf.dispose([...grads.values()]);
  return { loss };
}
