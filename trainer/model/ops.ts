// The few tensor operations the model needs beyond TensorFlow.js's own: a matrix product that suits the wasm backend
// (its transposed matMul is an order of magnitude slower than transposing first, and its batched matMul several
// times slower than the same products as a depthwise convolution), GELU, and a causal attention mask.

import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../contract/model-config";

/** Swaps the last two axes. */
export function transposeLast(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i);
  axes.splice(-2, 2, x.rank - 1, x.rank - 2);
  return tf.transpose(x, axes);
}

/**
 * Batched product a [B, M, K] times b [B, K, N] as one depthwise convolution with a channel per batch element:
 * the input holds a as [1, K, M, B], the filter holds b as [K, 1, B, N] (N outputs per channel), and the valid
 * convolution over the K rows gives out[m, B * n] = sum_k a[b, m, k] b[b, k, n]. The wasm backend runs this
 * through XNNPACK's grouped GEMM, where its own batched matMul falls back to a slow loop.
 */
function batchedProductByConvolution(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [batch, m] = a.shape;
  const n = b.shape[2];
  const input = a.transpose([2, 1, 0]).expandDims(0) as tf.Tensor4D;
  const filter = b.transpose([1, 0, 2]).expandDims(1) as tf.Tensor4D;
  return tf.depthwiseConv2d(input, filter, 1, "valid").reshape([m, batch, n]).transpose([1, 0, 2]);
}

/**
 * The gradient of TensorFlow.js's matMul (kernel BatchMatMul), registered in place of its own: with explicit
 * transposes instead of transposed products, and lazy per input, so that a backward pass that does not need a
 * weight's gradient (the DP step's, which needs only the layers' output gradients) never computes it.
 */
tf.registerGradient({
  kernelName: tf.BatchMatMul,
  inputsToSave: ["a", "b"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
    const g = dy as tf.Tensor;
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const t = transposeLast;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return { a: () => tf.matMul(g, t(b)), b: () => tf.matMul(t(a), g) };
    if (!transposeA) return { a: () => tf.matMul(g, b), b: () => tf.matMul(t(g), a) };
    if (!transposeB) return { a: () => tf.matMul(b, t(g)), b: () => tf.matMul(a, g) };
    return { a: () => tf.matMul(t(b), t(g)), b: () => tf.matMul(t(g), t(a)) };
  },
});

/** Batched product [..., m, k] times [..., k, n] (equal batch axes) by the fastest route on the current backend. */
function batchedProduct(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.rank - 1] as number;
  const batch = a.size / (m * k);
  const out = batchedProductByConvolution(a.reshape([batch, m, k]), b.reshape([batch, k, n]));
  return out.reshape([...a.shape.slice(0, -2), m, n]);
}

const batchedMatmul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: batchedProduct(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [batchedProduct(dy, transposeLast(sb)), batchedProduct(transposeLast(sa), dy)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a [..., m, k] times b [..., k, n], batch axes equal. Matrices go to matMul (with the gradient above); batches
 * of matrices to the batched product, whose gradient always computes both inputs' (attention needs both). */
export const matmul = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => (a.rank === 2 ? tf.matMul(a, b) : batchedMatmul(a, b));

/** Per-unit products a_u^T g_u of a [U, L, in] and g [U, L, out], laid out [in, U, out] (on wasm, one depthwise
 * convolution whose input is a as [1, L, in, U] and whose filter is g as [L, 1, U, out]). */
export function perUnitProducts(a: tf.Tensor3D, g: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== "wasm") return tf.matMul(transposeLast(a), g).transpose([1, 0, 2]);
  const [units, , fanIn] = a.shape;
  const input = a.transpose([1, 2, 0]).expandDims(0) as tf.Tensor4D;
  const filter = g.transpose([1, 0, 2]).expandDims(1) as tf.Tensor4D;
  return tf.depthwiseConv2d(input, filter, 1, "valid").reshape([fanIn, units, g.shape[2]]);
}

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

/** The MLP's activation by its Hugging Face name: GPT-2's tanh GELU, the exact GELU (with erf), or ReLU. */
export function activate(name: ModelConfig["activation"], x: tf.Tensor): tf.Tensor {
  switch (name) {
    case "gelu_new":
      return gelu(x);
    case "gelu":
      return x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
    case "relu":
      return tf.relu(x);
  }
}

/** [T, T] additive mask: 0 where a position may attend (itself and earlier), -1e9 elsewhere. */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = -1e9;
  return tf.tensor2d(values, [length, length]);
}
