// `trainer import`: a GPT-2-family checkpoint in Hugging Face's format (config.json, model.safetensors, and
// vocab.json + merges.txt or tokenizer.json) into a model directory the trainer runs from. Every file is checked
// before anything is written (config fields, tensor names and shapes, the tokenizer against vocab_size), the weights
// are streamed tensor by tensor, and the directory appears only when complete; its provenance records every source
// file's SHA-256 and the licence the user states.

import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { parameterShapes, type ModelConfig } from "../contract/model-config";
import { codeVersion, MERGES_FILE, VOCAB_FILE, WEIGHTS_FILE, WEIGHTS_METADATA, writeConfigAndProvenance } from "../contract/model-files";
import { safetensorsHeaderBytes } from "../contract/safetensors";
import { BpeError, parseTokenizerJson, parseVocabAndMerges, type BpeFiles } from "../model/bpe";
import { Checkpoint, CHECKPOINT_FILE } from "./hf-checkpoint";
import { fromGpt2Config, ImportError } from "./hf-config";

export { ImportError };

export const END_OF_TEXT_TOKEN = "<|endoftext|>";

export interface ImportResult {
  model_dir: string;
  parameters: number;
  tokenizer: "gpt2-bpe";
  weights_sha256: string;
  config_sha256: string;
  /** SHA-256 of every source file read. */
  files: Record<string, string>;
  config: ModelConfig;
}

/** SHA-256 of a file, read in chunks. */
function fileDigest(file: string): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

interface SourceTokenizer {
  files: BpeFiles;
  endOfText: number;
  /** Source file names read. */
  read: string[];
}

/** vocab.json + merges.txt, else tokenizer.json; checked: every merge makes a token of the vocabulary, the ids are
 * 0..vocab_size-1, and there is an end-of-text token. */
function readTokenizer(dir: string): SourceTokenizer {
  const has = (f: string) => existsSync(path.join(dir, f));
  let files: BpeFiles;
  let read: string[];
  let added: Record<string, number> = {};
  try {
    if (has(VOCAB_FILE) && has(MERGES_FILE)) {
      files = parseVocabAndMerges(readFileSync(path.join(dir, VOCAB_FILE), "utf8"), readFileSync(path.join(dir, MERGES_FILE), "utf8"));
      read = [VOCAB_FILE, MERGES_FILE];
    } else if (has("tokenizer.json")) {
      ({ added, ...files } = parseTokenizerJson(readFileSync(path.join(dir, "tokenizer.json"), "utf8")));
      read = ["tokenizer.json"];
    } else {
      throw new ImportError(`no tokenizer: expected ${VOCAB_FILE} and ${MERGES_FILE}, or tokenizer.json, in ${dir}`);
    }
  } catch (error) {
    if (error instanceof BpeError) throw new ImportError(error.message);
    throw error;
  }
  const vocab = { ...added, ...files.vocab };
  const source = read[0] as string;
  files.merges.forEach(([a, b], i) => {
    if (!(a + b in vocab)) throw new ImportError(`${read.length === 2 ? MERGES_FILE : "tokenizer.json"}: merge ${i + 1} ("${a} ${b}") makes ${JSON.stringify(a + b)}, which ${source} lacks`);
  });
  const endOfText = vocab[END_OF_TEXT_TOKEN];
  if (endOfText === undefined) throw new ImportError(`${source}: no ${END_OF_TEXT_TOKEN} token`);
  return { files: { vocab, merges: files.merges }, endOfText, read };
}

/** The tokenizer's ids must be exactly 0..vocab_size-1. */
function checkVocabSize(tokenizer: SourceTokenizer, vocabSize: number): void {
  const ids = new Set(Object.values(tokenizer.files.vocab));
  const source = tokenizer.read[0] as string;
  const top = Math.max(...ids);
  if (ids.size !== vocabSize || top !== vocabSize - 1) {
    throw new ImportError(`${source}: ${ids.size} distinct token ids up to ${top}, but config.json vocab_size is ${vocabSize}`);
  }
}

/** Checks every tensor's name and shape against the config; returns the source of each of our parameters. */
function planWeights(checkpoint: Checkpoint, config: ModelConfig, tied: boolean): Array<{ name: string; shape: number[]; from: string; transpose: boolean }> {
  const expected = parameterShapes(config);
  const plan = [];
  for (const [name, shape] of Object.entries(expected)) {
    if (name === "lm_head.weight") {
      // Ours is [n_embd, vocab]; transformers' lm_head is [vocab, n_embd] (nn.Linear), tied to wte by default.
      const from = tied ? "wte.weight" : "lm_head.weight";
      const source = checkpoint.tensors.get(from);
      if (!source) throw new ImportError(`${CHECKPOINT_FILE}: missing ${from}${tied ? "" : " (config.json: tie_word_embeddings is false)"}`);
      const want = [shape[1]!, shape[0]!];
      if (source.shape.join(",") !== want.join(",")) throw new ImportError(`${CHECKPOINT_FILE}: ${from} has shape [${source.shape}], config.json implies [${want}]`);
      plan.push({ name, shape, from, transpose: true });
      continue;
    }
    const source = checkpoint.tensors.get(name);
    if (!source) throw new ImportError(`${CHECKPOINT_FILE}: missing ${name}`);
    if (source.shape.join(",") !== shape.join(",")) throw new ImportError(`${CHECKPOINT_FILE}: ${name} has shape [${source.shape}], config.json implies [${shape}]`);
    plan.push({ name, shape, from: name, transpose: false });
  }
  const unexpected = [...checkpoint.tensors.keys()].filter((n) => !(n in expected) && !(n === "lm_head.weight"));
  if (unexpected.length > 0) throw new ImportError(`${CHECKPOINT_FILE}: unexpected tensors ${unexpected.slice(0, 5).join(", ")}${unexpected.length > 5 ? ", …" : ""} (not a GPT-2 model?)`);
  return plan;
}

function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** Imports the checkpoint in `dir` into `outDir` (which must not exist yet). */
export function importCheckpoint(dir: string, outDir: string, options: { license?: string | null } = {}): ImportResult {
  if (existsSync(outDir)) throw new ImportError(`--out ${outDir} exists: choose a new directory`);
  for (const f of ["config.json", CHECKPOINT_FILE]) if (!existsSync(path.join(dir, f))) throw new ImportError(`${f}: missing in ${dir}`);
  const tokenizer = readTokenizer(dir);
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
  } catch (error) {
    throw new ImportError(`config.json: not JSON (${(error as Error).message})`);
  }
  const { config, tied } = fromGpt2Config(rawConfig, tokenizer.endOfText);
  checkVocabSize(tokenizer, config.vocab_size);
  const checkpoint = Checkpoint.open(path.join(dir, CHECKPOINT_FILE));
  const staging = `${outDir}.importing-${randomBytes(4).toString("hex")}`;
  try {
    const plan = planWeights(checkpoint, config, tied);
    const files = Object.fromEntries(["config.json", CHECKPOINT_FILE, ...tokenizer.read].map((f) => [f, fileDigest(path.join(dir, f))]));
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const { header } = safetensorsHeaderBytes(plan.map((p) => [p.name, p.shape] as const), WEIGHTS_METADATA);
    const hash = createHash("sha256");
    const out = openSync(path.join(staging, WEIGHTS_FILE), "w", 0o600);
    const write = (bytes: Uint8Array) => {
      hash.update(bytes);
      for (let done = 0; done < bytes.length; ) done += writeSync(out, bytes, done, bytes.length - done);
    };
    let parameters = 0;
    try {
      write(header);
      for (const p of plan) {
        const values = checkpoint.read(p.from);
        const data = p.transpose ? transposed(values, p.shape[1]!, p.shape[0]!) : values;
        write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        parameters += data.length;
      }
    } finally {
      closeSync(out);
    }
    writeFileSync(path.join(staging, VOCAB_FILE), JSON.stringify(tokenizer.files.vocab));
    writeFileSync(path.join(staging, MERGES_FILE), `#version: 0.2\n${tokenizer.files.merges.map(([a, b]) => `${a} ${b}`).join("\n")}\n`);
    const weightsSha256 = hash.digest("hex");
    const digests = writeConfigAndProvenance(
      staging,
      config,
      { kind: "imported", source: { format: "huggingface-gpt2", files, license: options.license ?? null }, code_version: codeVersion() },
      weightsSha256,
    );
    renameSync(staging, outDir);
    return { model_dir: outDir, parameters, tokenizer: "gpt2-bpe", weights_sha256: digests.weights_sha256, config_sha256: digests.config_sha256, files, config };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    checkpoint.close();
  }
}
