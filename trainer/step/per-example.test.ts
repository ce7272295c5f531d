// Per-unit gradient norms and clipped sums from one forward and one backward pass, checked against the obvious
// reference: one unit at a time, ordinary backpropagation of that unit's loss (tolerances in trainer/testing.ts).

import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { disposeBatch, makeBatch } from "../model/batch";
import { disposeModel, type LoraConfig } from "../model/model";
import { unitGradients, type NormStrategy } from "./per-example";
import { expectClose, randomUnits, referenceGradients, testModel } from "../testing";
import type { ModelConfig } from "../contract/model-config";

const IMPORTED = (activation: ModelConfig["activation"]): Partial<ModelConfig> => ({ tokenizer: "gpt2-bpe", vocab_size: 40, end_of_text: 39, activation });

describe.each(["wasm", "cpu"] as const)("per-unit gradients on the %s backend", (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });
  afterAll(async () => {
    await initBackend("wasm");
  });

  const cases: Array<{ name: string; lora: LoraConfig | null; maxRecords: number; length: number; config?: Partial<ModelConfig> }> = [
    { name: "full fine-tuning (linear, embedding, layer norm, bias), one record per unit", lora: null, maxRecords: 1, length: 8 },
    { name: "full fine-tuning, subjects of up to 3 records", lora: null, maxRecords: 3, length: 6 },
    { name: "LoRA adapters, one record per unit", lora: { rank: 2, alpha: 4 }, maxRecords: 1, length: 8 },
    { name: "LoRA adapters, subjects of up to 3 records", lora: { rank: 3, alpha: 3 }, maxRecords: 3, length: 5 },
    { name: "LoRA adapters on c_attn and c_fc only, subjects of up to 2 records", lora: { rank: 2, alpha: 4, targets: ["c_attn", "c_fc"] }, maxRecords: 2, length: 6 },
    // Imported GPT-2-family checkpoints: a BPE vocabulary, and the activations transformers names gelu and relu.
    { name: "an imported model's shape (BPE, exact GELU), full fine-tuning", lora: null, maxRecords: 2, length: 7, config: IMPORTED("gelu") },
    { name: "an imported model's shape (BPE, ReLU), LoRA", lora: { rank: 2, alpha: 4 }, maxRecords: 2, length: 7, config: IMPORTED("relu") },
  ];
  const strategies: NormStrategy[] = ["mixed", "ghost", "materialise"];

  for (const c of cases) {
    it.each(strategies)(`${c.name}: norms and clipped sums equal the one-at-a-time loop (%s)`, (strategy) => {
      const model = testModel(c.lora, 3, c.config);
      const units = randomUnits(5, model.config.vocab_size, c.length, c.maxRecords, 17);
      const reference = referenceGradients(model, units);
      const batch = makeBatch(units);
      const grads = unitGradients(model, batch, strategy);
      expect([...grads.squaredNorms.keys()].sort()).toEqual([...model.trainable].sort());
      const coefficients = [0.3, 1, 0, 0.7, 0.05];
      for (const name of model.trainable) {
        const expectedNorms = reference.map((r) => r.get(name)!.reduce((s, v) => s + v * v, 0));
        expectClose(grads.squaredNorms.get(name)!.dataSync(), expectedNorms, `${name} squared norms`);
        const expectedSum = new Float32Array(reference[0]!.get(name)!.length);
        reference.forEach((r, u) => r.get(name)!.forEach((v, i) => (expectedSum[i]! += coefficients[u]! * v)));
        const sum = grads.weightedSum(name, tf.tensor1d(coefficients));
        expectClose(sum.dataSync(), expectedSum, `${name} weighted sum`);
        sum.dispose();
      }
      grads.dispose();
      disposeBatch(batch);
      disposeModel(model);
    });
  }

  it("leaves no tensors behind", () => {
    const model = testModel(null);
    const units = randomUnits(3, model.config.vocab_size, 6, 2);
    const batch = makeBatch(units);
    const before = tf.memory().numTensors;
    const grads = unitGradients(model, batch);
    const sum = grads.weightedSum("wte.weight", tf.tensor1d([1, 1, 1]));
    sum.dispose();
    grads.dispose();
    // The coefficients tensor above is the test's own; everything unitGradients made is gone.
    expect(tf.memory().numTensors).toBe(before + 1);
    disposeBatch(batch);
    disposeModel(model);
  });
});
