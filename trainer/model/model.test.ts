// The GPT model: configuration defaults and parameter counts, the forward pass (shape, causality, LoRA merging) and learning.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import {
  createModel,
  disposeModel,
  forward,
  initialLoraWeights,
  initialWeights,
  parameterCount,
  readWeights,
  tokenLosses,
  untraced,
} from "./model";
import { linearShapes, loraTargetsSchema, modelConfig, parameterShapes, type LoraTarget } from "../contract/model-config";
import { parameterCounts } from "../contract/memory-model";
import { matmul } from "./ops";
import { Optimizer } from "./optimizer";
import { plainStep } from "../step/plain-step";
import { randomUnits, tinyConfig } from "../testing";

beforeAll(async () => {
  await initBackend("wasm");
});

const logitsOf = (model: ReturnType<typeof createModel>, tokens: number[][]) =>
  tf.tidy(() => forward(model, untraced, tf.tensor2d(tokens, undefined, "int32")).arraySync());

describe("model configuration", () => {
  it("fills in the documented defaults and checks heads divide the width", () => {
    expect(modelConfig()).toMatchObject({ vocab_size: 257, context_length: 64, n_embd: 128, n_layer: 4, n_head: 4 });
    expect(() => modelConfig({ n_embd: 10, n_head: 4 })).toThrow(/n_head must divide n_embd/);
  });

  it("counts parameters as GPT-2 does (untied output layer)", () => {
    const c = tinyConfig();
    const d = c.n_embd;
    const perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 2 * d + 2 * d) + (2 * d * d + d);
    const expected = c.vocab_size * d + c.context_length * d + c.n_layer * perLayer + 2 * d + d * c.vocab_size;
    const shapes = Object.values(parameterShapes(c));
    expect(shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0)).toBe(expected);
  });

  it("puts LoRA adapters on the targets named (c_proj: the attention's and the MLP's), in their canonical order", () => {
    const c = tinyConfig();
    const layers = (targets?: readonly LoraTarget[]) => Object.keys(linearShapes(c, targets)).filter((n) => n.startsWith("h.0."));
    expect(layers()).toEqual(["h.0.attn.c_attn", "h.0.attn.c_proj", "h.0.mlp.c_fc", "h.0.mlp.c_proj"]);
    expect(layers(["c_attn"])).toEqual(["h.0.attn.c_attn"]);
    expect(layers(["c_proj"])).toEqual(["h.0.attn.c_proj", "h.0.mlp.c_proj"]);
    expect(loraTargetsSchema.parse(["c_fc", "c_attn", "c_fc"])).toEqual(["c_attn", "c_fc"]);
    expect(loraTargetsSchema.safeParse([]).error?.issues[0]?.message).toBe("Choose at least one layer for the LoRA adapters");
    expect(loraTargetsSchema.safeParse(["q_proj"]).success).toBe(false);
    const model = createModel(c, initialWeights(c, 5), { lora: { rank: 2, alpha: 4, targets: ["c_fc"] }, adapters: initialLoraWeights(c, { rank: 2, alpha: 4, targets: ["c_fc"] }, 9) });
    // The estimates and the memory plan count only the chosen layers' adapters.
    expect(parameterCounts(c, { method: "lora", rank: 2, targets: ["c_fc"] }).trainable).toBe(parameterCount(model, model.trainable));
    expect(parameterCounts(c, { method: "lora", rank: 2, targets: ["c_fc"] }).trainable).toBe(c.n_layer * 2 * (c.n_embd + c.mlp_ratio * c.n_embd));
    expect([...model.trainable].sort()).toEqual(Array.from({ length: c.n_layer }, (_, l) => [`h.${l}.mlp.c_fc.lora_a`, `h.${l}.mlp.c_fc.lora_b`]).flat().sort());
    // Adapters for other layers than the targets are refused, naming one.
    expect(() => createModel(c, initialWeights(c, 5), { lora: { rank: 2, alpha: 4, targets: ["c_fc"] }, adapters: initialLoraWeights(c, { rank: 2, alpha: 4 }, 9) })).toThrow(/c_attn/);
    disposeModel(model);
  });
});

describe("GPT forward pass", () => {
  const config = tinyConfig();

  it("gives [N, T, V] logits, is deterministic for a seed, and starts near the uniform loss ln V", () => {
    const model = createModel(config, initialWeights(config, 7), { lora: null });
    const tokens = [
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ];
    const logits = logitsOf(model, tokens);
    expect([logits.length, logits[0]!.length, logits[0]![0]!.length]).toEqual([2, 5, config.vocab_size]);
    const again = createModel(config, initialWeights(config, 7), { lora: null });
    expect(logitsOf(again, tokens)).toEqual(logits);
    const loss = tf.tidy(() =>
      tokenLosses(forward(model, untraced, tf.tensor2d(tokens, undefined, "int32")), tf.tensor2d(tokens, undefined, "int32"))
        .mean()
        .dataSync()[0],
    );
    expect(loss).toBeCloseTo(Math.log(config.vocab_size), 1);
    disposeModel(model);
    disposeModel(again);
  });

  it("is causal: a later token never changes earlier logits", () => {
    const model = createModel(config, initialWeights(config, 3), { lora: null });
    const a = logitsOf(model, [[1, 2, 3, 4, 5, 6]]);
    const b = logitsOf(model, [[1, 2, 3, 4, 9, 9]]);
    for (let t = 0; t < 4; t++) expect(b[0]![t]).toEqual(a[0]![t]);
    expect(b[0]![4]).not.toEqual(a[0]![4]);
    disposeModel(model);
  });

  it("starts a LoRA model equal to its base, and merging adapters into the weights gives the same function", () => {
    const lora = { rank: 2, alpha: 4 };
    const base = createModel(config, initialWeights(config, 5), { lora: null });
    const adapters = initialLoraWeights(config, lora, 9);
    const adapted = createModel(config, initialWeights(config, 5), { lora, adapters });
    const tokens = [[3, 1, 4, 1, 5, 9, 2, 6]];
    expect(logitsOf(adapted, tokens)).toEqual(logitsOf(base, tokens));
    expect(parameterCount(adapted, adapted.trainable)).toBe(
      2 * (2 * (8 + 24) + 2 * (8 + 8) + 2 * (8 + 16) + 2 * (16 + 8)),
    );
    // Give the adapters non-zero B, then compare with the merged plain model.
    for (const name of adapted.trainable) {
      const p = adapted.params.get(name)!;
      if (name.endsWith("lora_b")) p.assign(tf.randomUniform(p.shape, -0.3, 0.3, "float32", 11));
    }
    const merged = createModel(config, readWeights(adapted, "merged"), { lora: null });
    const x = logitsOf(adapted, tokens).flat(2);
    const y = logitsOf(merged, tokens).flat(2);
    expect(x).not.toEqual(logitsOf(base, tokens).flat(2));
    x.forEach((v, i) => expect(v).toBeCloseTo(y[i]!, 4));
    [base, adapted, merged].forEach(disposeModel);
  });

  it("matmul has the same gradient as TensorFlow.js matMul", () => {
    const a = tf.tensor3d(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 3, 4]);
    const b = tf.tensor3d(Array.from({ length: 40 }, (_, i) => Math.cos(i)), [2, 4, 5]);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => matmul(x, y).square().sum())([a, b]);
    const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y).square().sum())([a, b]);
    ours.forEach((g, i) => {
      const expected = theirs[i]!.dataSync();
      g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 4));
    });
  });

  it("learns: plain training steps on a fixed batch lower its loss", () => {
    const model = createModel(config, initialWeights(config, 1), { lora: null });
    const optimizer = new Optimizer(model, { name: "adam", learning_rate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const units = randomUnits(8, config.vocab_size, config.context_length);
    const first = plainStep(model, optimizer, units).loss!;
    let last = first;
    for (let i = 0; i < 30; i++) last = plainStep(model, optimizer, units).loss!;
    expect(last).toBeLessThan(first - 0.3);
    optimizer.dispose();
    disposeModel(model);
  });
});
