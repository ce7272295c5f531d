// A Hugging Face GPT-2 config.json (GPT2Config) as our model config, field by field; what we cannot run exactly as
// transformers does (another architecture, an unknown activation, attention variants) is refused, naming the key.

import { z } from "zod";
import { modelConfigSchema, type ModelConfig } from "../contract/model-config";

export class ImportError extends Error {}

/** transformers' names for the MLP activations we compute, to ours. */
const ACTIVATION_NAMES: Record<string, ModelConfig["activation"]> = {
  gelu_new: "gelu_new",
  gelu_pytorch_tanh: "gelu_new",
  gelu_fast: "gelu_new",
  gelu: "gelu",
  relu: "relu",
};

const count = z.number().int().min(1);
const gpt2ConfigSchema = z.looseObject({
  model_type: z.literal("gpt2").optional(),
  n_layer: count,
  n_head: count,
  n_embd: count,
  n_positions: count,
  vocab_size: count,
  n_inner: count.nullable().optional(),
  layer_norm_epsilon: z.number().gt(0).default(1e-5),
  activation_function: z.string().default("gelu_new"),
  eos_token_id: z.number().int().min(0).nullable().optional(),
  tie_word_embeddings: z.boolean().default(true),
  scale_attn_weights: z.literal(true, { error: "must be true (attention scaled by 1/sqrt(head width))" }).default(true),
  scale_attn_by_inverse_layer_idx: z.literal(false, { error: "must be false (not computed here)" }).default(false),
  add_cross_attention: z.literal(false, { error: "must be false (a decoder only)" }).default(false),
});

export interface ImportedConfig {
  config: ModelConfig;
  /** Whether lm_head is wte (GPT-2's default): then the checkpoint's lm_head, if any, must equal it. */
  tied: boolean;
}

/** Our config for a GPT2Config; `endOfText` is the tokenizer's end-of-text id. */
export function fromGpt2Config(raw: unknown, endOfText: number): ImportedConfig {
  const parsed = gpt2ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ImportError(`config.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const c = parsed.data;
  const activation = ACTIVATION_NAMES[c.activation_function];
  if (!activation) {
    throw new ImportError(`config.json: activation_function: unknown activation ${JSON.stringify(c.activation_function)} (known: ${Object.keys(ACTIVATION_NAMES).join(", ")})`);
  }
  const inner = c.n_inner ?? 4 * c.n_embd;
  if (inner % c.n_embd !== 0) throw new ImportError(`config.json: n_inner: ${inner} is not a multiple of n_embd ${c.n_embd}`);
  if (c.n_embd % c.n_head !== 0) throw new ImportError(`config.json: n_head: ${c.n_head} does not divide n_embd ${c.n_embd}`);
  if (c.eos_token_id !== undefined && c.eos_token_id !== null && c.eos_token_id !== endOfText) {
    throw new ImportError(`config.json: eos_token_id: ${c.eos_token_id}, but the tokenizer's <|endoftext|> is ${endOfText}`);
  }
  const config = modelConfigSchema.safeParse({
    architecture: "gpt",
    tokenizer: "gpt2-bpe",
    vocab_size: c.vocab_size,
    end_of_text: endOfText,
    activation,
    context_length: c.n_positions,
    n_embd: c.n_embd,
    n_layer: c.n_layer,
    n_head: c.n_head,
    mlp_ratio: inner / c.n_embd,
    layer_norm_epsilon: c.layer_norm_epsilon,
  });
  if (!config.success) {
    const issue = config.error.issues[0]!;
    throw new ImportError(`config.json: ${issue.path.join(".")}: ${issue.message}`);
  }
  return { config: config.data, tied: c.tie_word_embeddings };
}
