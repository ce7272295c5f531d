// The language model: a GPT-style decoder (token and position embeddings, causal multi-head self-attention, an
// MLP, pre-layer-norm residual blocks, a final layer norm and an output projection), with optional LoRA adapters on
// the attention and MLP projections. Written as plain functions over named parameters so that the DP step can see
// where each parameter enters the computation (a "site") and compute per-example gradients from there.
//
// Shapes: N sequences of T tokens, width d = n_embd, V = vocab_size. Every linear weight is stored [in, out].

import * as tf from "@tensorflow/tfjs";
import { linearShapes, parameterShapes, type LoraTarget, type ModelConfig } from "../contract/model-config";
import { readModelDir, readModelWeights, type ModelDir } from "../contract/model-files";
import { activate, causalMask, matmul, matmul3d, transposeLast } from "./ops";
import type { HostTensors } from "../contract/safetensors";
import { seededNormals, seededUniform } from "../contract/seeded-random";
import { modelTokenizer, type Tokenizer } from "./tokenizer";

export interface LoraConfig {
  rank: number; // r: the adapter's inner width
  alpha: number; // the adapter's output is scaled by alpha / r
  /** The layers that carry adapters (every target when absent). */
  targets?: readonly LoraTarget[];
}

export interface Model {
  readonly config: ModelConfig;
  readonly lora: LoraConfig | null;
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Names of the parameters being trained: every base parameter, or only the LoRA adapters. */
  readonly trainable: ReadonlySet<string>;
}

/**
 * How a parameter enters the forward pass at a site. The site's output y (shape [N, T, out]) depends on it as
 * y += input @ param ('linear', input [N, T, in]), y += input * param ('scale', input [N, T, out]) or
 * y += param ('bias'). From the gradient of the loss with respect to y, the DP step derives each sequence's
 * gradient for the parameter.
 */
export type ParamUse =
  | { param: string; kind: "linear"; input: () => tf.Tensor3D }
  | { param: string; kind: "scale"; input: () => tf.Tensor3D }
  | { param: string; kind: "bias" };

/** Observes the sites of a forward pass (the DP step records them; plain training does not). */
export interface Trace {
  site(output: tf.Tensor3D, uses: ParamUse[]): tf.Tensor3D;
}
export const untraced: Trace = { site: (output) => output };

// ---------------------------------------------------------------------------------------------------- parameters

const count = (shape: readonly number[]) => shape.reduce((n, s) => n * s, 1);

/** GPT-2's initialisation: N(0, 0.02^2) weights, residual projections scaled by 1/sqrt(2 n_layer), zero biases,
 * unit layer-norm gains. Seeded, so that the same seed gives the same model. */
export function initialWeights(c: ModelConfig, seed: number): HostTensors {
  const next = seededUniform(seed);
  const weights: HostTensors = {};
  for (const [name, shape] of Object.entries(parameterShapes(c))) {
    const n = count(shape);
    let data: Float32Array;
    if (/ln_\w+\.weight$/.test(name)) data = new Float32Array(n).fill(1);
    else if (name.endsWith(".bias")) data = new Float32Array(n);
    else data = seededNormals(n, /c_proj\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * c.n_layer) : 0.02, next);
    weights[name] = { shape, data };
  }
  return weights;
}

/** Fresh LoRA adapters: A ~ N(0, 1/in), B = 0, so that the adapted model starts equal to the base model. */
export function initialLoraWeights(c: ModelConfig, lora: LoraConfig, seed: number): HostTensors {
  const next = seededUniform(seed);
  const weights: HostTensors = {};
  for (const [name, [fanIn, fanOut]] of Object.entries(linearShapes(c, lora.targets))) {
    weights[`${name}.lora_a`] = { shape: [fanIn, lora.rank], data: seededNormals(fanIn * lora.rank, 1 / Math.sqrt(fanIn), next) };
    weights[`${name}.lora_b`] = { shape: [lora.rank, fanOut], data: new Float32Array(lora.rank * fanOut) };
  }
  return weights;
}

/** Builds a model from base weights (and adapters, when `lora` is set); checks every name and shape. */
export function createModel(
  config: ModelConfig,
  weights: HostTensors,
  options: { lora: LoraConfig | null; adapters?: HostTensors },
): Model {
  const expected: Record<string, number[]> = { ...parameterShapes(config) };
  if (options.lora) {
    for (const [name, [fanIn, fanOut]] of Object.entries(linearShapes(config, options.lora.targets))) {
      expected[`${name}.lora_a`] = [fanIn, options.lora.rank];
      expected[`${name}.lora_b`] = [options.lora.rank, fanOut];
    }
  }
  const all: HostTensors = { ...weights, ...options.adapters };
  for (const name of Object.keys(all)) if (!(name in expected)) throw new Error(`unexpected parameter ${name}`);
  const params = new Map<string, tf.Variable>();
  const trainable = new Set<string>();
  for (const [name, shape] of Object.entries(expected)) {
    const host = all[name];
    if (!host) throw new Error(`missing parameter ${name}`);
    if (host.shape.join(",") !== shape.join(",")) throw new Error(`parameter ${name} has shape [${host.shape}], expected [${shape}]`);
    const isAdapter = name.includes(".lora_");
    const trains = options.lora ? isAdapter : true;
    params.set(name, tf.variable(tf.tensor(host.data, shape), trains));
    if (trains) trainable.add(name);
  }
  return { config, lora: options.lora, params, trainable };
}

/** A model directory as the trainer writes it, checked by readModelDir, ready to run: its weights file has any LoRA
 * adapter merged in, so it is loaded as a plain model; with its tokenizer. */
export function loadModel(dir: string): { model: Model; files: ModelDir; tokenizer: Tokenizer } {
  const files = readModelDir(dir);
  return { model: createModel(files.config, readModelWeights(dir), { lora: null }), files, tokenizer: modelTokenizer(dir, files.config) };
}

/** The parameters as host arrays: only the trainable ones, or every base parameter with any LoRA adapter merged
 * into its weight (W + (alpha / r) A B), which is a plain model that needs no adapter to run. */
export function readWeights(model: Model, which: "trainable" | "merged"): HostTensors {
  const out: HostTensors = {};
  const host = (t: tf.Tensor) => ({ shape: [...t.shape], data: t.dataSync() as Float32Array });
  if (which === "trainable") {
    for (const name of model.trainable) out[name] = host(param(model, name));
    return out;
  }
  for (const name of Object.keys(parameterShapes(model.config))) {
    const base = name.replace(/\.weight$/, "");
    if (model.lora && model.params.has(`${base}.lora_a`)) {
      const merged = tf.tidy(() =>
        param(model, name).add(matmul(param(model, `${base}.lora_a`), param(model, `${base}.lora_b`)).mul(loraScale(model.lora!))),
      );
      out[name] = host(merged);
      merged.dispose();
    } else {
      out[name] = host(param(model, name));
    }
  }
  return out;
}

export function disposeModel(model: Model): void {
  for (const variable of model.params.values()) variable.dispose();
}

export const parameterCount = (model: Model, names: Iterable<string> = model.params.keys()): number =>
  [...names].reduce((n, name) => n + param(model, name).size, 0);

function param(model: Model, name: string): tf.Variable {
  const p = model.params.get(name);
  if (!p) throw new Error(`no parameter ${name}`);
  return p;
}

const loraScale = (lora: LoraConfig) => lora.alpha / lora.rank;

// ---------------------------------------------------------------------------------------------------- forward pass

/** y = x W + b, plus the LoRA path (alpha / r) (x A) B when the layer has an adapter. */
function linear(model: Model, trace: Trace, x: tf.Tensor3D, name: string, withBias = true): tf.Tensor3D {
  const uses: ParamUse[] = [{ param: `${name}.weight`, kind: "linear", input: () => x }];
  let y = matmul3d(x, param(model, `${name}.weight`));
  if (withBias) {
    y = y.add(param(model, `${name}.bias`));
    uses.push({ param: `${name}.bias`, kind: "bias" });
  }
  if (model.lora && model.params.has(`${name}.lora_a`)) {
    const u = trace.site(matmul3d(x, param(model, `${name}.lora_a`)), [
      { param: `${name}.lora_a`, kind: "linear", input: () => x },
    ]);
    const scaled = u.mul(loraScale(model.lora)) as tf.Tensor3D;
    y = y.add(matmul3d(scaled, param(model, `${name}.lora_b`)));
    uses.push({ param: `${name}.lora_b`, kind: "linear", input: () => scaled });
  }
  return trace.site(y, uses);
}

function layerNorm(model: Model, trace: Trace, x: tf.Tensor3D, name: string): tf.Tensor3D {
  const centred = x.sub(x.mean(-1, true));
  const normalised = centred.mul(tf.rsqrt(centred.square().mean(-1, true).add(model.config.layer_norm_epsilon))) as tf.Tensor3D;
  const y = normalised.mul(param(model, `${name}.weight`)).add(param(model, `${name}.bias`)) as tf.Tensor3D;
  return trace.site(y, [
    { param: `${name}.weight`, kind: "scale", input: () => normalised },
    { param: `${name}.bias`, kind: "bias" },
  ]);
}

/** Causal multi-head self-attention: each position attends to itself and earlier positions only. */
function attention(model: Model, trace: Trace, x: tf.Tensor3D, prefix: string): tf.Tensor3D {
  const [n, t, d] = x.shape;
  const heads = model.config.n_head;
  const headWidth = d / heads;
  const qkv = linear(model, trace, x, `${prefix}.attn.c_attn`);
  const [q, k, v] = tf.split(qkv, 3, 2).map((z) => z.reshape([n, t, heads, headWidth]).transpose([0, 2, 1, 3]));
  const scores = matmul(q!, transposeLast(k!)).mul(1 / Math.sqrt(headWidth)).add(causalMask(t));
  const mixed = matmul(tf.softmax(scores), v!).transpose([0, 2, 1, 3]).reshape([n, t, d]) as tf.Tensor3D;
  return linear(model, trace, mixed, `${prefix}.attn.c_proj`);
}

function mlp(model: Model, trace: Trace, x: tf.Tensor3D, prefix: string): tf.Tensor3D {
  const hidden = activate(model.config.activation, linear(model, trace, x, `${prefix}.mlp.c_fc`)) as tf.Tensor3D;
  return linear(model, trace, hidden, `${prefix}.mlp.c_proj`);
}

function block(model: Model, trace: Trace, x: tf.Tensor3D, layer: number): tf.Tensor3D {
  const prefix = `h.${layer}`;
  const afterAttention = x.add(attention(model, trace, layerNorm(model, trace, x, `${prefix}.ln_1`), prefix)) as tf.Tensor3D;
  return afterAttention.add(mlp(model, trace, layerNorm(model, trace, afterAttention, `${prefix}.ln_2`), prefix));
}

/** Token plus position embeddings, [N, T, d]. Both are products of one-hot rows with a table (the wasm backend has
 * no gradient for gather), which also makes them linear uses for the per-example gradients. */
export function embed(model: Model, trace: Trace, tokens: tf.Tensor2D): tf.Tensor3D {
  const [n, t] = tokens.shape;
  const { vocab_size: vocab, context_length: context, n_embd: d } = model.config;
  if (t > context) throw new RangeError(`sequence of ${t} tokens exceeds the context length ${context}`);
  const tokenRows = tf.oneHot(tokens, vocab).toFloat() as tf.Tensor3D;
  const positions = param(model, "wpe.weight").slice([0, 0], [t, d]);
  const x = matmul3d(tokenRows, param(model, "wte.weight")).add(positions) as tf.Tensor3D;
  return trace.site(x, [
    { param: "wte.weight", kind: "linear", input: () => tokenRows },
    {
      param: "wpe.weight",
      kind: "linear",
      input: () => tf.oneHot(tf.range(0, t, 1, "int32"), context).toFloat().expandDims(0).tile([n, 1, 1]) as tf.Tensor3D,
    },
  ]);
}

/** From the embeddings to next-token logits, [N, T, V]. */
export function decode(model: Model, trace: Trace, x: tf.Tensor3D): tf.Tensor3D {
  let h = x;
  for (let layer = 0; layer < model.config.n_layer; layer++) h = block(model, trace, h, layer);
  return linear(model, trace, layerNorm(model, trace, h, "ln_f"), "lm_head", false);
}

export const forward = (model: Model, trace: Trace, tokens: tf.Tensor2D): tf.Tensor3D =>
  decode(model, trace, embed(model, trace, tokens));

/** Negative log-likelihood of each target token, [N, T] (nats). */
export function tokenLosses(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const logProbabilities = tf.logSoftmax(logits);
  return logProbabilities.mul(tf.oneHot(targets, logits.shape[2]).toFloat()).sum(-1).neg() as tf.Tensor2D;
}
