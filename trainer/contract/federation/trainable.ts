// What a federated run trains and carries between the coordinator and the parties: every weight (full fine-tuning),
// or LoRA adapters of rank r on every linear layer (alpha the trainer's default). The coordinator makes the first
// global vector (the base weights, or fresh adapters: A ~ N(0, 1/in) from node:crypto, B = 0, so the adapted model
// starts as the base), and at the end merges the adapters into the weights it registers, W + (alpha / r) A B.
import { linearShapes, parameterShapes, type ModelConfig } from "../model-config";
import { DEFAULT_LORA_ALPHA } from "../protocol";
import type { HostTensors } from "../safetensors";
import { gaussians } from "../secure-random";

export type FederatedTuning = { method: "full" } | { method: "lora"; rank: number };

/** The LoRA settings a party builds its model with, or null for full fine-tuning. */
export const loraOf = (tuning: FederatedTuning) => (tuning.method === "lora" ? { rank: tuning.rank, alpha: DEFAULT_LORA_ALPHA } : null);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** How many values the global vector has. */
export function trainableCount(config: ModelConfig, tuning: FederatedTuning): number {
  if (tuning.method === "full") return Object.values(parameterShapes(config)).reduce((n, shape) => n + size(shape), 0);
  return Object.values(linearShapes(config)).reduce((n, [fanIn, fanOut]) => n + tuning.rank * (fanIn + fanOut), 0);
}

/** The first global parameters (flattenByName makes them the vector): the base weights, or fresh adapters. */
export function initialTrainable(config: ModelConfig, base: HostTensors, tuning: FederatedTuning): HostTensors {
  if (tuning.method === "full") return base;
  const adapters: HostTensors = {};
  for (const [name, [fanIn, fanOut]] of Object.entries(linearShapes(config))) {
    adapters[`${name}.lora_a`] = { shape: [fanIn, tuning.rank], data: gaussians(fanIn * tuning.rank, 1 / Math.sqrt(fanIn)) };
    adapters[`${name}.lora_b`] = { shape: [tuning.rank, fanOut], data: new Float32Array(tuning.rank * fanOut) };
  }
  return adapters;
}

/** The weights to register: the trained ones (full), or the base with each adapter merged in, W + (alpha / r) A B. */
export function mergedWeights(config: ModelConfig, base: HostTensors, trained: HostTensors, tuning: FederatedTuning): HostTensors {
  const lora = loraOf(tuning);
  if (!lora) return trained;
  const scale = lora.alpha / lora.rank;
  const out: HostTensors = { ...base };
  for (const [name, [fanIn, fanOut]] of Object.entries(linearShapes(config))) {
    const a = trained[`${name}.lora_a`]!.data;
    const b = trained[`${name}.lora_b`]!.data;
    const w = Float32Array.from(base[`${name}.weight`]!.data);
    for (let i = 0; i < fanIn; i++) {
      for (let k = 0; k < lora.rank; k++) {
        const aik = a[i * lora.rank + k]! * scale;
        if (aik === 0) continue;
        for (let j = 0; j < fanOut; j++) w[i * fanOut + j]! += aik * b[k * fanOut + j]!;
      }
    }
    out[`${name}.weight`] = { shape: base[`${name}.weight`]!.shape, data: w };
  }
  return out;
}
