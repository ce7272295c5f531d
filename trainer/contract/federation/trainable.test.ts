// Tests for what a federated run carries: the global vector's size for every weight and for LoRA adapters, fresh
// adapters that leave the model as the base, and the coordinator's merge of trained adapters equal to the trainer's
// own (TF.js) merged weights.
import { describe, expect, it } from "vitest";
import { createModel, initialWeights, readWeights } from "../../model/model";
import { modelConfigSchema } from "../model-config";
import { flattenByName } from "./fedavg";
import { initialTrainable, loraOf, mergedWeights, trainableCount } from "./trainable";

const config = modelConfigSchema.parse({ vocab_size: 40, context_length: 8, n_layer: 2, n_embd: 8, n_head: 2, tokenizer: "bytes" });
const base = initialWeights(config, 7);

describe("a federated run's trainable parameters", () => {
  it("count every weight, or the adapters of every linear layer", () => {
    expect(flattenByName(initialTrainable(config, base, { method: "full" })).length).toBe(trainableCount(config, { method: "full" }));
    const lora = { method: "lora" as const, rank: 3 };
    const adapters = initialTrainable(config, base, lora);
    expect(flattenByName(adapters).length).toBe(trainableCount(config, lora));
    expect(Object.keys(adapters).every((name) => /\.lora_[ab]$/.test(name))).toBe(true);
    // B starts at zero: the adapted model starts as the base.
    expect(mergedWeights(config, base, adapters, lora)).toEqual(base);
  });

  it("merge trained adapters as the trainer does, W + (alpha / r) A B", () => {
    const lora = { method: "lora" as const, rank: 2 };
    const trained = initialTrainable(config, base, lora);
    for (const [name, t] of Object.entries(trained)) if (name.endsWith(".lora_b")) t.data = t.data.map((_, i) => Math.sin(i + name.length) / 10);
    const model = createModel(config, base, { lora: loraOf(lora), adapters: trained });
    const expected = readWeights(model, "merged");
    const merged = mergedWeights(config, base, trained, lora);
    for (const [name, t] of Object.entries(expected)) {
      expect(merged[name]!.shape).toEqual(t.shape);
      for (let i = 0; i < t.data.length; i++) expect(Math.abs(merged[name]!.data[i]! - t.data[i]!)).toBeLessThan(1e-5);
    }
    expect(merged["h.0.attn.c_attn.weight"]!.data).not.toEqual(base["h.0.attn.c_attn.weight"]!.data);
  });
});
