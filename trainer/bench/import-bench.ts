// The import benchmark: a GPT-2-small-shaped checkpoint in Hugging Face's format (random weights, about 500 MB;
// no real checkpoint can be downloaded here) imported by `trainer import` in a process of its own, with its time and
// peak resident memory. Used by `npm run bench -- import` (scripts/bench.ts).

import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { modelConfig, parameterShapes } from "../contract/model-config";
import { safetensorsHeaderBytes } from "../contract/safetensors";
import { seededUniform } from "../contract/seeded-random";
import { byteToUnicode } from "../model/bpe";

export interface ImportBenchmark {
  checkpoint_mb: number;
  parameters: number;
  seconds: number;
  peak_rss_mb: number;
  layers: number;
  width: number;
  vocab_size: number;
}

const GPT2_SMALL = { n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 };

/** Writes a GPT-2-small-shaped checkpoint directory (config.json, model.safetensors streamed tensor by tensor, and a
 * synthetic vocab.json + merges.txt of 50,257 tokens). */
function writeCheckpoint(dir: string): { bytes: number; parameters: number } {
  mkdirSync(dir, { recursive: true });
  const c = GPT2_SMALL;
  const ours = modelConfig({ tokenizer: "gpt2-bpe", vocab_size: c.vocab_size, end_of_text: c.vocab_size - 1, context_length: c.n_positions, n_embd: c.n_embd, n_layer: c.n_layer, n_head: c.n_head });
  const entries = Object.entries(parameterShapes(ours))
    .filter(([name]) => name !== "lm_head.weight")
    .map(([name, shape]) => [`transformer.${name}`, shape] as const);
  const { header } = safetensorsHeaderBytes(entries, { format: "pt" });
  const fd = openSync(path.join(dir, "model.safetensors"), "w");
  const next = seededUniform(1);
  let parameters = 0;
  writeSync(fd, header);
  for (const [, shape] of entries) {
    const values = new Float32Array(shape.reduce((n, d) => n * d, 1));
    for (let i = 0; i < values.length; i++) values[i] = (next() - 0.5) * 0.04;
    writeSync(fd, new Uint8Array(values.buffer));
    parameters += values.length;
  }
  closeSync(fd);
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "gpt2", activation_function: "gelu_new", layer_norm_epsilon: 1e-5, eos_token_id: c.vocab_size - 1, ...c }));
  const chars = byteToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((ch, i) => (vocab[ch] = i));
  const merges: string[] = [];
  for (let i = 0; merges.length < c.vocab_size - 257; i++) {
    const [a, b] = [chars[i % 256]!, chars[Math.floor(i / 256) % 256]!];
    vocab[a + b] = 256 + merges.length;
    merges.push(`${a} ${b}`);
  }
  vocab["<|endoftext|>"] = c.vocab_size - 1;
  writeFileSync(path.join(dir, "vocab.json"), JSON.stringify(vocab));
  writeFileSync(path.join(dir, "merges.txt"), `#version: 0.2\n${merges.join("\n")}\n`);
  return { bytes: statSync(path.join(dir, "model.safetensors")).size, parameters };
}

export function benchmarkImport(): ImportBenchmark {
  const work = mkdtempSync(path.join(tmpdir(), "import-bench-"));
  try {
    const source = path.join(work, "hf");
    const { bytes, parameters } = writeCheckpoint(source);
    const root = path.resolve(import.meta.dirname, "../..");
    // The import as `trainer import` runs it, in a fresh process that then reports its own peak resident memory.
    const script = `import { importCheckpoint } from ${JSON.stringify(path.join(root, "trainer/import/import-checkpoint.ts"))};
      const started = performance.now();
      importCheckpoint(${JSON.stringify(source)}, ${JSON.stringify(path.join(work, "model"))});
      console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRSS: process.resourceUsage().maxRSS }));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`import benchmark failed: ${child.stderr}`);
    const { seconds, maxRSS } = JSON.parse(child.stdout.trim().split("\n").pop()!) as { seconds: number; maxRSS: number };
    return { checkpoint_mb: bytes / 2 ** 20, parameters, seconds, peak_rss_mb: maxRSS / 1024, layers: GPT2_SMALL.n_layer, width: GPT2_SMALL.n_embd, vocab_size: GPT2_SMALL.vocab_size };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
