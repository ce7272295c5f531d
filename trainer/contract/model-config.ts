// The model's configuration, in one typed object: a GPT-style decoder over a byte-level vocabulary, or over GPT-2's
// byte-level BPE (an imported checkpoint). Free of TensorFlow so that the server can read a model's config.json
// without loading the trainer.

import { z } from "zod";

/** Byte-level tokenizer: tokens 0..255 are the bytes of UTF-8 text, token 256 ends (and begins) a text. */
export const BYTE_VOCAB_SIZE = 257;
export const END_OF_TEXT = 256;

/** The MLP's activation, by Hugging Face's names: GPT-2's tanh approximation of GELU ("gelu_new", also called
 * "gelu_pytorch_tanh" and "gelu_fast"), the exact GELU, or ReLU. */
export const ACTIVATIONS = ["gelu_new", "gelu", "relu"] as const;

export const modelConfigSchema = z.strictObject({
  architecture: z.literal("gpt").default("gpt"),
  // "bytes": UTF-8 bytes plus an end-of-text token; "gpt2-bpe": GPT-2's byte-level BPE from the model directory's
  // vocab.json and merges.txt (see model/tokenizer.ts)
  tokenizer: z.enum(["bytes", "gpt2-bpe"]).default("bytes"),
  vocab_size: z.number().int().min(2).default(BYTE_VOCAB_SIZE), // 256 bytes + end of text
  end_of_text: z.number().int().min(0).optional(), // the id that ends (and begins) a text; bytes: END_OF_TEXT
  activation: z.enum(ACTIVATIONS).default("gelu_new"),
  context_length: z.number().int().min(1).default(64), // tokens (bytes) the model sees at once: its positions
  n_embd: z.number().int().min(1).default(128), // width of the residual stream
  n_layer: z.number().int().min(1).default(4), // transformer blocks
  n_head: z.number().int().min(1).default(4), // attention heads per block; must divide n_embd
  mlp_ratio: z.number().int().min(1).default(4), // MLP hidden width = mlp_ratio * n_embd
  layer_norm_epsilon: z.number().gt(0).default(1e-5),
})
  .refine((c) => c.n_embd % c.n_head === 0, { message: "n_head must divide n_embd", path: ["n_head"] })
  .refine((c) => c.end_of_text === undefined || c.end_of_text < c.vocab_size, { message: "end_of_text must be below vocab_size", path: ["end_of_text"] })
  .refine((c) => c.tokenizer === "bytes" || c.end_of_text !== undefined, { message: "a BPE model names its end_of_text id", path: ["end_of_text"] });

export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** The id that ends (and begins) a text under this model's tokenizer. */
export const endOfText = (c: ModelConfig): number => c.end_of_text ?? END_OF_TEXT;

/** A config with every default filled in, overridden by `overrides`. */
export const modelConfig = (overrides: z.input<typeof modelConfigSchema> = {}): ModelConfig =>
  modelConfigSchema.parse(overrides);

/**
 * The linear layers LoRA may adapt, by GPT-2's names (as PEFT's target_modules name them): the attention's input
 * projection (c_attn), the attention's and the MLP's output projections (c_proj, both), the MLP's input (c_fc).
 */
export const LORA_TARGETS = ["c_attn", "c_proj", "c_fc"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** Targets as a request names them: at least one, each once, kept in LORA_TARGETS' order. */
export const loraTargetsSchema = z
  .array(z.enum(LORA_TARGETS))
  .min(1, "Choose at least one layer for the LoRA adapters")
  .transform((targets) => LORA_TARGETS.filter((t) => targets.includes(t)));

/** Shape [in, out] of every linear layer that carries a LoRA adapter for `targets` (default: every target), by name. */
export function linearShapes(c: ModelConfig, targets: readonly LoraTarget[] = LORA_TARGETS): Record<string, [number, number]> {
  const d = c.n_embd;
  const shapes: Record<string, [number, number]> = {};
  for (let l = 0; l < c.n_layer; l++) {
    if (targets.includes("c_attn")) shapes[`h.${l}.attn.c_attn`] = [d, 3 * d];
    if (targets.includes("c_proj")) shapes[`h.${l}.attn.c_proj`] = [d, d];
    if (targets.includes("c_fc")) shapes[`h.${l}.mlp.c_fc`] = [d, c.mlp_ratio * d];
    if (targets.includes("c_proj")) shapes[`h.${l}.mlp.c_proj`] = [c.mlp_ratio * d, d];
  }
  return shapes;
}

/** Shape of every base parameter, by name. */
export function parameterShapes(c: ModelConfig): Record<string, number[]> {
  const d = c.n_embd;
  const shapes: Record<string, number[]> = { "wte.weight": [c.vocab_size, d], "wpe.weight": [c.context_length, d] };
  for (let l = 0; l < c.n_layer; l++) {
    for (const ln of ["ln_1", "ln_2"]) {
      shapes[`h.${l}.${ln}.weight`] = [d];
      shapes[`h.${l}.${ln}.bias`] = [d];
    }
  }
  for (const [name, [fanIn, fanOut]] of Object.entries(linearShapes(c))) {
    shapes[`${name}.weight`] = [fanIn, fanOut];
    shapes[`${name}.bias`] = [fanOut];
  }
  shapes["ln_f.weight"] = [d];
  shapes["ln_f.bias"] = [d];
  shapes["lm_head.weight"] = [d, c.vocab_size];
  return shapes;
}
