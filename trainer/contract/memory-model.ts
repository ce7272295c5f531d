// The DP step's memory, in bytes, without TensorFlow: what the model and its optimiser hold, and what one unit (a
// record, or a subject's records) adds to a physical micro-batch. The trainer chooses its micro-batch from it and the
// backend's memory (run/memory.ts); the server's launch preview uses it to refuse a run that cannot fit at all.
//
// A micro-batch's peak comes from the backward pass, which holds every activation of the forward pass and their
// gradients: per token, about 10 V + 10 d floats for the embeddings and the output head, and per layer 39 d + 12 m +
// 8 h T for full fine-tuning (49 d + 14 m + 8 h T + 12 r with LoRA adapters on the four projections), with d the
// width, m the MLP width, h the heads, T the context, V the vocabulary and r the LoRA rank (counted from
// model/model.ts). The measured peak (tf.profile on the wasm backend, the demo model and smaller ones, contexts of 32
// to 128) is 2.2 to 3.0 times that count; ACTIVATION_FACTOR takes 3.2. After the backward pass, each unit's own
// gradient of every trainable parameter is materialised (and copied twice while clipping and summing).
import type { ModelConfig } from "./model-config";
import { parameterShapes, linearShapes, type LoraTarget } from "./model-config";

const FLOAT_BYTES = 4;

/** Measured peak over counted activation floats is at most 3.0 (memory-model.test.ts checks 3.2 is an upper bound). */
export const ACTIVATION_FACTOR = 3.2;

/** Largest heap of TensorFlow.js's WebAssembly backend (its Emscripten build grows memory up to 4 GiB - 64 KiB). */
export const WASM_HEAP_BYTES = 4_294_901_760;

/** The part of a backend's memory the trainer plans to use: the rest is left for fragmentation and the runtime. */
export const USABLE_FRACTION = 0.8;

export type FineTuningShape = { method: "lora"; rank: number; targets?: readonly LoraTarget[] } | { method: "full" };

export interface MemoryInputs {
  model: ModelConfig;
  fineTuning: FineTuningShape;
  /** The most records one unit brings to a step (k for subjects, 1 for records). */
  recordsPerUnit: number;
}

export interface MemoryModel {
  /** The model, its trainable parameters' optimiser state (Adam), summed gradients and noise, the merged weights. */
  fixedBytes: number;
  /** One record of context_length tokens in a micro-batch (activations and their gradients). */
  bytesPerRecord: number;
  /** One unit: its records plus its own materialised gradient. */
  bytesPerUnit: number;
  parameters: number;
  trainableParameters: number;
}

const size = (shape: readonly number[]) => shape.reduce((n, s) => n * s, 1);

export function parameterCounts(model: ModelConfig, fineTuning: FineTuningShape): { total: number; trainable: number } {
  const base = Object.values(parameterShapes(model)).reduce((n, s) => n + size(s), 0);
  if (fineTuning.method === "full") return { total: base, trainable: base };
  const adapters = Object.values(linearShapes(model, fineTuning.targets)).reduce((n, [fanIn, fanOut]) => n + fineTuning.rank * (fanIn + fanOut), 0);
  return { total: base + adapters, trainable: adapters };
}

/** Floats the forward pass keeps per token for the backward pass (before ACTIVATION_FACTOR). */
export function activationFloatsPerToken(model: ModelConfig, fineTuning: FineTuningShape): number {
  const { n_embd: d, n_head: h, context_length: t, vocab_size: v, n_layer: layers } = model;
  const m = model.mlp_ratio * d;
  const perLayer =
    fineTuning.method === "lora" ? 49 * d + 14 * m + 8 * h * t + 12 * fineTuning.rank : 39 * d + 12 * m + 8 * h * t;
  const positions = fineTuning.method === "full" ? 2 * t : 0; // the position table's one-hot inputs, kept when it trains
  return 10 * v + 10 * d + positions + layers * perLayer;
}

export function memoryModel({ model, fineTuning, recordsPerUnit }: MemoryInputs): MemoryModel {
  const { total, trainable } = parameterCounts(model, fineTuning);
  const bytesPerRecord = Math.ceil(activationFloatsPerToken(model, fineTuning) * model.context_length * FLOAT_BYTES * ACTIVATION_FACTOR);
  return {
    // Weights (and, at the end, the merged copy written out), plus per trainable parameter: Adam's two moments, the
    // clipped sum, the noise and the update's temporaries.
    fixedBytes: FLOAT_BYTES * (3 * total + 7 * trainable),
    bytesPerRecord,
    bytesPerUnit: recordsPerUnit * bytesPerRecord + 3 * FLOAT_BYTES * trainable,
    parameters: total,
    trainableParameters: trainable,
  };
}

/** The planned peak of a step whose micro-batches hold `microBatch` units. */
export const peakBytes = (m: MemoryModel, microBatch: number): number => m.fixedBytes + microBatch * m.bytesPerUnit;

export interface MicroBatchChoice {
  /** Units per micro-batch; 0 when not even one unit fits. */
  microBatch: number;
  /** The planned peak with that micro-batch (with one unit when none fits). */
  peakBytes: number;
  /** The memory planned with: the backend's, times USABLE_FRACTION. */
  usableBytes: number;
  /** The most records one unit may bring and still fit alone. */
  maxRecordsPerUnit: number;
}

/** The largest micro-batch that fits in a backend with `backendBytes` of memory, at most `cap` units. */
export function chooseMicroBatch(inputs: MemoryInputs, backendBytes: number, cap = Number.POSITIVE_INFINITY): MicroBatchChoice {
  const m = memoryModel(inputs);
  const usableBytes = Math.floor(backendBytes * USABLE_FRACTION);
  const fits = Math.floor((usableBytes - m.fixedBytes) / m.bytesPerUnit);
  const microBatch = Math.max(0, Math.min(cap, fits));
  const perUnitGradient = m.bytesPerUnit - inputs.recordsPerUnit * m.bytesPerRecord;
  return {
    microBatch,
    peakBytes: peakBytes(m, Math.max(1, microBatch)),
    usableBytes,
    maxRecordsPerUnit: Math.max(0, Math.floor((usableBytes - m.fixedBytes - perUnitGradient) / m.bytesPerRecord)),
  };
}

/** "1.2 GiB": bytes for people. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toPrecision(2)} ${units[unit]}`;
}
