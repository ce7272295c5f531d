// Turns sampled units (a record, or a subject's records) into padded tensors for one physical micro-batch.
// Layout: N = units x slots sequences, the slots of one unit consecutive, so that [N, T, c] reshapes to
// [units, slots * T, c] per unit. Empty slots and padding carry zero loss weight and so zero gradient.

import * as tf from "@tensorflow/tfjs";

/** One training unit: the token sequences of its records (each at most context + 1 tokens long). */
export type Unit = readonly Int32Array[];

export interface Batch {
  tokens: tf.Tensor2D; // [N, T] int32 inputs
  targets: tf.Tensor2D; // [N, T] int32 next tokens
  weights: tf.Tensor2D; // [N, T] float32: 1 / (its sequence's target count) on targets, 0 on padding
  mask: tf.Tensor2D; // [N, T] float32: 1 on targets, 0 on padding
  units: number;
  slots: number; // sequences per unit (the most records of any unit in this batch)
  targetCount: number; // real target tokens in the batch
}

export function makeBatch(units: readonly Unit[]): Batch {
  const slots = Math.max(1, ...units.map((u) => u.length));
  const length = Math.max(1, ...units.flatMap((u) => u.map((s) => s.length - 1)));
  const n = units.length * slots;
  const tokens = new Int32Array(n * length);
  const targets = new Int32Array(n * length);
  const weights = new Float32Array(n * length);
  const mask = new Float32Array(n * length);
  let targetCount = 0;
  units.forEach((unit, u) =>
    unit.forEach((sequence, s) => {
      const row = (u * slots + s) * length;
      const count = sequence.length - 1;
      for (let t = 0; t < count; t++) {
        tokens[row + t] = sequence[t] as number;
        targets[row + t] = sequence[t + 1] as number;
        weights[row + t] = 1 / count;
        mask[row + t] = 1;
      }
      targetCount += Math.max(0, count);
    }),
  );
  return {
    tokens: tf.tensor2d(tokens, [n, length], "int32"),
    targets: tf.tensor2d(targets, [n, length], "int32"),
    weights: tf.tensor2d(weights, [n, length]),
    mask: tf.tensor2d(mask, [n, length]),
    units: units.length,
    slots,
    targetCount,
  };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.tokens, batch.targets, batch.weights, batch.mask]);
}
