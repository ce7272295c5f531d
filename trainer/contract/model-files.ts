// A model on disk: a directory with weights.safetensors (float32, every linear weight [in, out]), config.json (the
// model configuration) and provenance.json (where the weights came from), plus adapter.safetensors for a LoRA
// fine-tune. Free of TensorFlow: the server calls readModelDir to register a model version.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { modelConfigSchema, parameterShapes, type ModelConfig } from "./model-config";
import { privacyUnitSchema } from "../privacy";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader, sha256, type HostTensors } from "./safetensors";

export const WEIGHTS_FILE = "weights.safetensors";
export const ADAPTER_FILE = "adapter.safetensors";
export const CONFIG_FILE = "config.json";
export const PROVENANCE_FILE = "provenance.json";
/** GPT-2 BPE models (config tokenizer "gpt2-bpe") carry their tokenizer beside the weights. */
export const VOCAB_FILE = "vocab.json";
export const MERGES_FILE = "merges.txt";
export const TOKENIZER_FILES = [VOCAB_FILE, MERGES_FILE] as const;

const digest = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hex digest");
const privacyEventDocument = z.object({ version: z.number(), event: z.unknown() });

export const provenanceSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("pretrained"),
    /** The public corpus, as shipped by an npm package. */
    corpus: z.strictObject({ package: z.string(), version: z.string(), sha256: digest, bytes: z.number().int() }),
    training: z.record(z.string(), z.unknown()),
    weights_sha256: digest,
    code_version: z.string().nullable(),
    created_at: z.string(),
  }),
  z.strictObject({
    kind: z.literal("imported"),
    /** A checkpoint the user supplied: its format, the SHA-256 of every file read, and the licence they stated. */
    source: z.strictObject({
      format: z.literal("huggingface-gpt2"),
      files: z.record(z.string(), digest),
      license: z.string().nullable(),
    }),
    weights_sha256: digest,
    code_version: z.string().nullable(),
    created_at: z.string(),
  }),
  z.strictObject({
    kind: z.literal("fine-tuned"),
    run_id: z.string(),
    base_model: z.strictObject({ weights_sha256: digest, config_sha256: digest }),
    dataset: z.strictObject({ sha256: digest, records: z.number().int(), units: z.number().int() }),
    training: z.record(z.string(), z.unknown()),
    privacy: z.union([
      z.strictObject({
        mode: z.literal("dp"),
        unit: privacyUnitSchema,
        records_per_subject: z.number().int(),
        accountant: z.string(),
        delta: z.number(),
        epsilon: z.number(),
        steps: z.number().int(),
        privacy_event: privacyEventDocument,
      }),
      z.strictObject({ mode: z.literal("none"), steps: z.number().int() }),
    ]),
    weights_sha256: digest,
    adapter_sha256: digest.nullable(),
    code_version: z.string().nullable(),
    created_at: z.string(),
  }),
]);
export type Provenance = z.infer<typeof provenanceSchema>;
/** Provenance as the writer gives it; writeModelDir adds the digests and the time. */
export type ProvenanceInput = Provenance extends infer P
  ? P extends unknown
    ? Omit<P, "weights_sha256" | "adapter_sha256" | "created_at">
    : never
  : never;

export interface ModelDir {
  config: ModelConfig;
  provenance: Provenance;
  digests: { weights_sha256: string; config_sha256: string; adapter_sha256: string | null };
  parameterCount: number;
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new Error(`cannot read ${file}: ${(cause as Error).message}`);
  }
};

function parse<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}

/** Reads and checks a model directory: the config, the weights' header against it, digests, and provenance (whose
 * recorded weight digest must match the file). Reads no tensor into memory beyond the file's bytes. */
/** `read()`, its error prefixed with the file it was reading. */
function named<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

export function readModelDir(dir: string): ModelDir {
  const configBytes = readFileSync(path.join(dir, CONFIG_FILE));
  const config = parse(modelConfigSchema, readJson(path.join(dir, CONFIG_FILE)), CONFIG_FILE);
  const weightBytes = readFileSync(path.join(dir, WEIGHTS_FILE));
  const header = named(WEIGHTS_FILE, () => readSafetensorsHeader(weightBytes));
  const expected = parameterShapes(config);
  for (const [name, shape] of Object.entries(expected)) {
    if (header.tensors[name]?.shape.join(",") !== shape.join(",")) {
      throw new Error(`${WEIGHTS_FILE}: ${name} is missing or not of shape [${shape}] that ${CONFIG_FILE} implies`);
    }
  }
  const extra = Object.keys(header.tensors).filter((name) => !(name in expected));
  if (extra.length > 0) throw new Error(`${WEIGHTS_FILE}: unexpected tensors ${extra.join(", ")}`);
  if (config.tokenizer === "gpt2-bpe") {
    for (const file of TOKENIZER_FILES) if (!existsSync(path.join(dir, file))) throw new Error(`${file}: missing (${CONFIG_FILE} says tokenizer gpt2-bpe)`);
  }
  const provenance = parse(provenanceSchema, readJson(path.join(dir, PROVENANCE_FILE)), PROVENANCE_FILE);
  const weightsSha256 = sha256(weightBytes);
  if (provenance.weights_sha256 !== weightsSha256) {
    throw new Error(`${PROVENANCE_FILE} records weights ${provenance.weights_sha256}, but ${WEIGHTS_FILE} is ${weightsSha256}`);
  }
  let adapterSha256: string | null = null;
  if (provenance.kind === "fine-tuned" && provenance.adapter_sha256 !== null) {
    adapterSha256 = sha256(readFileSync(path.join(dir, ADAPTER_FILE)));
    if (adapterSha256 !== provenance.adapter_sha256) throw new Error(`${ADAPTER_FILE} does not match its recorded digest`);
  }
  return {
    config,
    provenance,
    digests: { weights_sha256: weightsSha256, config_sha256: sha256(configBytes), adapter_sha256: adapterSha256 },
    parameterCount: Object.values(header.tensors).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
  };
}

export function readModelWeights(dir: string): HostTensors {
  return decodeSafetensors(readFileSync(path.join(dir, WEIGHTS_FILE))).tensors;
}

/** Writes weights, config and provenance (completed with the weights' digest); returns the directory's digests. */
export function writeModelDir(
  dir: string,
  config: ModelConfig,
  weights: HostTensors,
  provenance: ProvenanceInput,
  adapter: HostTensors | null = null,
): ModelDir["digests"] {
  mkdirSync(dir, { recursive: true });
  const weightBytes = encodeSafetensors(weights, WEIGHTS_METADATA);
  writeFileSync(path.join(dir, WEIGHTS_FILE), weightBytes);
  const adapterSha256 = adapter ? sha256(writeBytes(path.join(dir, ADAPTER_FILE), encodeSafetensors(adapter))) : null;
  const complete = provenance.kind === "fine-tuned" ? { ...provenance, adapter_sha256: adapterSha256 } : provenance;
  return { ...writeConfigAndProvenance(dir, config, complete, sha256(weightBytes)), adapter_sha256: adapterSha256 };
}

/** The metadata of every weights file written here (as PyTorch's exporters write it). */
export const WEIGHTS_METADATA = { format: "pt" };

/** Writes config.json and provenance.json beside a weights file already written, whose digest is `weightsSha256`. */
export function writeConfigAndProvenance(
  dir: string,
  config: ModelConfig,
  provenance: ProvenanceInput | Omit<Provenance, "weights_sha256" | "created_at">,
  weightsSha256: string,
): { weights_sha256: string; config_sha256: string } {
  const configBytes = Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(path.join(dir, CONFIG_FILE), configBytes);
  const complete = parse(provenanceSchema, { ...provenance, weights_sha256: weightsSha256, created_at: new Date().toISOString() }, PROVENANCE_FILE);
  writeFileSync(path.join(dir, PROVENANCE_FILE), `${JSON.stringify(complete, null, 2)}\n`);
  return { weights_sha256: weightsSha256, config_sha256: sha256(configBytes) };
}

/** Copies a BPE model's tokenizer files from `fromDir` to `toDir` (a fine-tuned model keeps its base's tokenizer);
 * nothing for the byte-level tokenizer. */
export function copyTokenizer(config: ModelConfig, fromDir: string, toDir: string): void {
  if (config.tokenizer === "bytes") return;
  for (const file of TOKENIZER_FILES) copyFileSync(path.join(fromDir, file), path.join(toDir, file));
}

function writeBytes(file: string, bytes: Buffer): Buffer {
  writeFileSync(file, bytes);
  return bytes;
}

/** The git commit of the code, when it runs from a git checkout; null otherwise. */
export function codeVersion(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: import.meta.dirname, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}
