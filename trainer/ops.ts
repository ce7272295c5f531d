// The few tensor operations the model needs beyond TensorFlow.js's own: a matrix product whose gradient transposes
// explicitly (the wasm backend's transposed matMul is an order of magnitude slower than transposing first), GELU,
// and a causal attention mask.

import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
export function transposeLast(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i);
  axes.splice(-2, 2, x.rank - 1, x.rank - 2);
  return tf.transpose(x, axes);
}

/** a [..., m, k] times b [..., k, n], batch axes equal; the gradient uses explicit transposes. */
export const matmul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, transposeLast(sb)), tf.matMul(transposeLast(sa), dy)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x [N, T, k] times w [k, n], as one 2-D product. */
export function matmul3d(x: tf.Tensor, w: tf.Tensor): tf.Tensor3D {
  const [n, t, k] = x.shape as [number, number, number];
  return matmul(x.reshape([n * t, k]), w).reshape([n, t, w.shape[1] as number]);
}

/** GELU, tanh approximation (as in GPT-2). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(tf.tanh(inner).add(1));
}

/** [T, T] additive mask: 0 where a position may attend (itself and earlier), -1e9 elsewhere. */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = -1e9;
  return tf.tensor2d(values, [length, length]);
}
