// Shared helpers for the trainer's tests: a tiny model, random (seeded) training units, the reference for per-unit
// gradients (one unit at a time, by ordinary backpropagation), and a base model with data for whole runs.

import { writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { Unit } from "./model/batch";
import { createModel, initialLoraWeights, initialWeights, type LoraConfig, type Model } from "./model/model";
import { modelConfig, type ModelConfig } from "./contract/model-config";
import { writeModelDir } from "./contract/model-files";
import { Optimizer } from "./model/optimizer";
import { plainGradients, plainStep } from "./step/plain-step";
import { PROTOCOL_VERSION, type RunSpecInput } from "./contract/protocol";
import { seededNormals, seededUniform } from "./contract/seeded-random";
import { byteTokenizer, recordTokens } from "./model/tokenizer";

/** A model small enough for tests to run in milliseconds per step on the cpu backend. */
export const tinyConfig = (overrides: Partial<ModelConfig> = {}): ModelConfig =>
  modelConfig({ vocab_size: 20, context_length: 8, n_embd: 8, n_layer: 2, n_head: 2, mlp_ratio: 2, ...overrides });

/** `count` units of 1..maxRecords random token sequences of 2..length tokens each (tokens < vocab). */
export function randomUnits(count: number, vocab: number, length: number, maxRecords = 1, seed = 1): Unit[] {
  const next = seededUniform(seed);
  const int = (n: number) => Math.floor(next() * n);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + int(maxRecords) }, () => Int32Array.from({ length: 2 + int(length - 1) }, () => int(vocab))),
  );
}

/** Float32 tolerance for comparing gradients: relative to the largest value compared. Rounding over these sizes
 * stays well within it, and a 0.1% error anywhere exceeds it. */
const TOLERANCE = 2e-4;

/** Per unit, its gradient of every trainable parameter, by backpropagating that unit alone. */
export function referenceGradients(model: Model, units: readonly Unit[]): Array<Map<string, Float32Array>> {
  return units.map((unit) => {
    const { grads } = plainGradients(model, [unit], 1);
    const host = new Map([...grads].map(([name, g]) => [name, g.dataSync() as Float32Array]));
    tf.dispose([...grads.values()]);
    return host;
  });
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-6, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs((actual[i] as number) - (expected[i] as number)) > TOLERANCE * scale) {
      expect.fail(`${what}[${i}]: ${actual[i]} differs from ${expected[i]} by more than ${TOLERANCE} x ${scale}`);
    }
  }
}

/** A model whose LoRA B matrices are non-zero (else A's gradients vanish and the test would prove little). */
export function testModel(lora: LoraConfig | null, seed = 3, overrides: Partial<ModelConfig> = {}): Model {
  const config = tinyConfig(overrides);
  const model = createModel(config, initialWeights(config, seed), {
    lora,
    adapters: lora ? initialLoraWeights(config, lora, seed + 1) : undefined,
  });
  for (const [name, p] of model.params) {
    if (name.endsWith("lora_b")) tf.tidy(() => p.assign(tf.tensor(seededNormals(p.size, 0.2, seededUniform(seed)), p.shape)));
  }
  return model;
}

/** A byte-level model (the tokenizer's vocabulary) small enough to train in seconds. */
export const tinyByteConfig = (): ModelConfig => modelConfig({ context_length: 24, n_embd: 16, n_layer: 1, n_head: 2, mlp_ratio: 2 });

/** Trains the model without privacy on the texts as records, all of them in every step (Adam), to memorise them. */
export function memorise(model: Model, texts: readonly string[], steps: number, learningRate = 0.02): void {
  const units = texts.map((text) => [recordTokens(byteTokenizer, text, model.config.context_length + 1)]);
  const optimizer = new Optimizer(model, { name: "adam", learning_rate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  for (let step = 0; step < steps; step++) plainStep(model, optimizer, units);
  optimizer.dispose();
}

/** The settings of a run over a fixture: everything but what the fixture fixes (base model, data, output). */
export type FixtureRunSettings = Omit<RunSpecInput, "protocol_version" | "run_id" | "base_model" | "output_dir" | "data"> &
  Partial<Pick<RunSpecInput, "data">>;

export interface RunFixture {
  baseModel: string;
  train: string;
  validation: string;
  /** A run spec over the fixture: its base model and data, output under the fixture's directory, the wasm backend. */
  spec(runId: string, settings: FixtureRunSettings): RunSpecInput;
}

/** A base model directory of `config` with random (seeded) weights, as if pretrained. */
export function writeTestBaseModel(dir: string, config: ModelConfig, seed: number): void {
  writeModelDir(dir, config, initialWeights(config, seed), {
    kind: "pretrained",
    corpus: { package: "test", version: "0", sha256: "0".repeat(64), bytes: 0 },
    training: {},
    code_version: null,
  });
}

/** A tiny byte-level base model directory (random weights) and JSON-lines data with subjects, for run tests. */
export function writeRunFixture(dir: string): RunFixture {
  const baseModel = path.join(dir, "base");
  writeTestBaseModel(baseModel, tinyByteConfig(), 5);
  const names = ["Ann Lee", "Bob Roe", "Cy Doe", "Di Poe"];
  const line = (i: number) =>
    JSON.stringify({ text: `From: ${names[i % 4]} <${i}@example.com>\nCall 555-01${i % 10}.`, subject_id: `s${i % 12}` });
  const train = path.join(dir, "train.jsonl");
  const validation = path.join(dir, "validation.jsonl");
  writeFileSync(train, `${Array.from({ length: 36 }, (_, i) => line(i)).join("\n")}\n`);
  writeFileSync(validation, `${Array.from({ length: 8 }, (_, i) => line(100 + i)).join("\n")}\n`);
  const spec = (runId: string, settings: FixtureRunSettings): RunSpecInput => ({
    protocol_version: PROTOCOL_VERSION,
    run_id: runId,
    base_model: baseModel,
    output_dir: path.join(dir, runId),
    data: { train, validation },
    backend: "wasm",
    ...settings,
  });
  return { baseModel, train, validation, spec };
}
