// Importing a Hugging Face GPT-2 checkpoint: transformers' key names (with or without "transformer."), lm_head tied
// to wte and transposed to ours, the tokenizer from vocab.json + merges.txt or tokenizer.json, F16/BF16 weights
// widened exactly; every refusal names the file and key and leaves nothing behind; the imported model scores and
// trains like any other.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelConfig, parameterShapes, type ModelConfig } from "../contract/model-config";
import { ADAPTER_FILE, readModelDir, readModelWeights } from "../contract/model-files";
import { decodeSafetensors, encodeSafetensors, sha256, type HostTensors } from "../contract/safetensors";
import { byteToUnicode } from "../model/bpe";
import { initialWeights, loadModel } from "../model/model";
import { initBackend } from "../run/backend";
import { scoreTexts } from "../eval/score";
import { Checkpoint } from "./hf-checkpoint";
import { runInProcess } from "../run/in-process";
import { writeRunFixture } from "../testing";
import { importCheckpoint, ImportError } from "./import-checkpoint";

const work = mkdtempSync(path.join(tmpdir(), "hf-import-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend("wasm");
});

const MERGES: Array<[string, string]> = [
  ["Ġ", "t"],
  ["h", "e"],
  ["Ġt", "he"],
  ["i", "n"],
];

function vocabulary(): Record<string, number> {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((c, i) => (vocab[c] = i));
  for (const [a, b] of MERGES) vocab[a + b] = Object.keys(vocab).length;
  vocab["<|endoftext|>"] = Object.keys(vocab).length;
  return vocab;
}
const VOCAB_SIZE = 256 + MERGES.length + 1;
const EOT = VOCAB_SIZE - 1;

const ours: ModelConfig = modelConfig({ tokenizer: "gpt2-bpe", vocab_size: VOCAB_SIZE, end_of_text: EOT, context_length: 16, n_embd: 8, n_layer: 2, n_head: 2 });

const gpt2Config = (overrides: Record<string, unknown> = {}) => ({
  model_type: "gpt2",
  architectures: ["GPT2LMHeadModel"],
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 16,
  n_inner: null,
  vocab_size: VOCAB_SIZE,
  layer_norm_epsilon: 1e-5,
  activation_function: "gelu_new",
  eos_token_id: EOT,
  bos_token_id: EOT,
  ...overrides,
});

/** transformers' tensors for our weights: wte etc. under "transformer.", no lm_head (tied), mask buffers added. */
function hfTensors(weights: HostTensors, prefix = "transformer."): HostTensors {
  const out: HostTensors = {};
  for (const [name, t] of Object.entries(weights)) if (name !== "lm_head.weight") out[prefix + name] = t;
  for (let l = 0; l < 2; l++) out[`${prefix}h.${l}.attn.bias`] = { shape: [1, 1, 16, 16], data: new Float32Array(256).fill(1) };
  return out;
}

let counter = 0;
/** A checkpoint directory; `change` edits its files before they are written. */
function checkpointDir(change: { config?: Record<string, unknown>; tensors?: (t: HostTensors) => HostTensors; tokenizer?: "files" | "json"; vocab?: (v: Record<string, number>) => void } = {}) {
  const dir = path.join(work, `hf-${counter++}`);
  const weights = initialWeights(ours, 5);
  // Tied: the source's lm_head is wte, so ours must be wte transposed.
  const tensors = (change.tensors ?? ((t) => t))(hfTensors(weights));
  const vocab = vocabulary();
  change.vocab?.(vocab);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "config.json"), JSON.stringify(gpt2Config(change.config)));
  writeFileSync(path.join(dir, "model.safetensors"), encodeSafetensors(tensors, { format: "pt" }));
  if (change.tokenizer === "json") {
    const { "<|endoftext|>": eot, ...rest } = vocab;
    writeFileSync(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({ model: { type: "BPE", vocab: rest, merges: MERGES.map(([a, b]) => `${a} ${b}`) }, added_tokens: [{ id: eot, content: "<|endoftext|>" }] }),
    );
  } else {
    writeFileSync(path.join(dir, "vocab.json"), JSON.stringify(vocab));
    writeFileSync(path.join(dir, "merges.txt"), `#version: 0.2\n${MERGES.map(([a, b]) => `${a} ${b}`).join("\n")}\n`);
  }
  return { dir, weights };
}

const out = () => path.join(work, `model-${counter++}`);

describe("importCheckpoint", () => {
  it.each(["transformer.", ""])("imports a checkpoint whose keys have prefix %j: weights as they were, lm_head = wte transposed", (prefix) => {
    const { dir, weights } = checkpointDir({ tensors: (t) => (prefix ? t : Object.fromEntries(Object.entries(t).map(([k, v]) => [k.replace(/^transformer\./, ""), v]))) });
    const target = out();
    const result = importCheckpoint(dir, target, { license: "MIT" });
    expect(result).toMatchObject({ model_dir: target, tokenizer: "gpt2-bpe", parameters: Object.values(parameterShapes(ours)).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0) });
    const files = readModelDir(target);
    expect(files.config).toEqual(ours);
    expect(files.digests.weights_sha256).toBe(result.weights_sha256);
    expect(files.provenance).toMatchObject({
      kind: "imported",
      source: { format: "huggingface-gpt2", license: "MIT", files: { "config.json": sha256(readFileSync(path.join(dir, "config.json"))), "model.safetensors": sha256(readFileSync(path.join(dir, "model.safetensors"))) } },
    });
    const imported = readModelWeights(target);
    for (const [name, t] of Object.entries(weights)) {
      if (name === "lm_head.weight") continue;
      expect(Array.from(imported[name]!.data), name).toEqual(Array.from(t.data));
    }
    const wte = weights["wte.weight"]!.data;
    const head = imported["lm_head.weight"]!;
    expect(head.shape).toEqual([8, VOCAB_SIZE]);
    for (let v = 0; v < VOCAB_SIZE; v += 37) for (let d = 0; d < 8; d++) expect(head.data[d * VOCAB_SIZE + v]).toBe(wte[v * 8 + d]);
  });

  it("reads the tokenizer from tokenizer.json too, and the model scores text with it", () => {
    const { dir } = checkpointDir({ tokenizer: "json" });
    const target = out();
    importCheckpoint(dir, target);
    const { model, tokenizer } = loadModel(target);
    expect(tokenizer.endOfText).toBe(EOT);
    expect(Array.from(tokenizer.encode(" the hin"))).toEqual([258, 32, 104, 259]); // "Ġthe", "Ġ", "h", "in"
    const [score] = scoreTexts(model, tokenizer, [" the hin"]);
    expect(score!.tokens).toBe(5); // the four, then end-of-text
    expect(Number.isFinite(score!.loss)).toBe(true);
  });

  const refusals: Array<[string, Parameters<typeof checkpointDir>[0], RegExp]> = [
    ["a wrong shape", { tensors: (t) => ({ ...t, "transformer.h.1.mlp.c_fc.weight": { shape: [8, 16], data: new Float32Array(128) } }) }, /model\.safetensors: h\.1\.mlp\.c_fc\.weight has shape \[8,16\], config\.json implies \[8,32\]/],
    ["a missing key", { tensors: ({ "transformer.ln_f.bias": _, ...t }) => t }, /model\.safetensors: missing ln_f\.bias/],
    ["an unexpected key", { tensors: (t) => ({ ...t, "transformer.h.0.crossattention.c_attn.weight": { shape: [1], data: new Float32Array(1) } }) }, /model\.safetensors: unexpected tensors h\.0\.crossattention/],
    ["an unknown activation", { config: { activation_function: "swiglu" } }, /config\.json: activation_function: unknown activation "swiglu"/],
    ["a missing config field", { config: { n_layer: undefined } }, /config\.json: n_layer/],
    ["another architecture", { config: { model_type: "llama" } }, /config\.json: model_type/],
    ["a tokenizer smaller than vocab_size", { config: { vocab_size: VOCAB_SIZE + 10 } }, /vocab\.json: 261 distinct token ids up to 260, but config\.json vocab_size is 271/],
    ["no end-of-text token", { vocab: (v) => delete v["<|endoftext|>"] }, /vocab\.json: no <\|endoftext\|> token/],
    ["merges the vocabulary cannot hold", { vocab: (v) => delete v["in"] }, /merges\.txt: merge 4 \("i n"\) makes "in", which vocab\.json lacks/],
    ["an eos_token_id that is not the tokenizer's", { config: { eos_token_id: 3 } }, /config\.json: eos_token_id: 3/],
  ];
  it.each(refusals)("refuses %s, naming the file and key, and writes nothing", (_what, change, message) => {
    const { dir } = checkpointDir(change);
    const target = out();
    const before = readdirSync(work).length;
    expect(() => importCheckpoint(dir, target)).toThrow(ImportError);
    expect(() => importCheckpoint(dir, target)).toThrow(message);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(work).length).toBe(before); // no staging directory left behind
  });

  it("refuses an --out that exists", () => {
    const { dir } = checkpointDir();
    const target = out();
    importCheckpoint(dir, target);
    expect(() => importCheckpoint(dir, target)).toThrow(/exists/);
  });
});

describe("trainer import CLI", () => {
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "trainer/cli.ts", "import", ...args], { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("prints one JSON object with model_dir, parameters, tokenizer and weights_sha256; refuses with exit 1 or 2", () => {
    const { dir } = checkpointDir();
    const target = out();
    const ok = cli(["--dir", dir, "--out", target, "--license", "Apache-2.0", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result).toMatchObject({ model_dir: target, tokenizer: "gpt2-bpe", weights_sha256: readModelDir(target).digests.weights_sha256 });
    expect(result.parameters).toBeGreaterThan(0);
    expect(ok.stdout.trim().split("\n")).toHaveLength(1);

    const refused = cli(["--dir", checkpointDir({ config: { activation_function: "swiglu" } }).dir, "--out", out(), "--json"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("config.json: activation_function");
    expect(refused.stdout).toBe("");

    const bad = cli(["--dir", dir, "--json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--out");
  }, 120_000);
});

describe("an imported model", () => {
  it("is DP fine-tuned with LoRA (on c_attn alone, as chosen) at subject level like any base model, and the result keeps its tokenizer", async () => {
    const { dir } = checkpointDir();
    const base = out();
    importCheckpoint(dir, base);
    const fixture = writeRunFixture(path.join(work, `fixture-${counter++}`));
    const run = await runInProcess({ ...fixture.spec("imported", { steps: 3, expected_batch_size: 4, privacy: { mode: "dp", target_epsilon: 8 }, fine_tuning: { method: "lora", rank: 2, targets: ["c_attn"] } }), base_model: base });
    expect(run.outcome).toBe("completed");
    expect(run.of("step")).toHaveLength(3);
    const tuned = loadModel(run.finished.model_dir);
    expect(tuned.files.config).toEqual(ours);
    expect(Array.from(tuned.tokenizer.encode(" the"))).toEqual([258]);
    expect(readFileSync(path.join(run.finished.model_dir, "merges.txt"), "utf8")).toBe(readFileSync(path.join(base, "merges.txt"), "utf8"));
    // Adapters on the attention's input projection of every layer, and nothing else; the provenance names the targets.
    const adapters = Object.keys(decodeSafetensors(readFileSync(path.join(run.finished.model_dir, ADAPTER_FILE))).tensors).sort();
    expect(adapters).toEqual(Array.from({ length: ours.n_layer }, (_, l) => [`h.${l}.attn.c_attn.lora_a`, `h.${l}.attn.c_attn.lora_b`]).flat().sort());
    const written = readModelDir(run.finished.model_dir).provenance;
    expect(written.kind === "fine-tuned" && written.training.fine_tuning).toMatchObject({ method: "lora", rank: 2, targets: ["c_attn"] });
  });
});

describe("Checkpoint", () => {
  it("widens F16 and BF16 to float32 exactly", () => {
    const halves = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00];
    const expected = [1, -2, 0.5, 65504, 2 ** -24, -0, Infinity];
    const bf = [0x3f80, 0xc000, 0x3f00, 0x4780]; // 1, -2, 0.5, 65536
    const file = path.join(work, "mixed.safetensors");
    const data = Buffer.alloc((halves.length + bf.length) * 2);
    [...halves, ...bf].forEach((h, i) => data.writeUInt16LE(h, 2 * i));
    let json = JSON.stringify({
      "transformer.a": { dtype: "F16", shape: [halves.length], data_offsets: [0, halves.length * 2] },
      b: { dtype: "BF16", shape: [bf.length], data_offsets: [halves.length * 2, data.length] },
    });
    json += " ".repeat((8 - (json.length % 8)) % 8);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(file, Buffer.concat([length, Buffer.from(json), data]));
    const checkpoint = Checkpoint.open(file);
    expect(Array.from(checkpoint.read("a"))).toEqual(expected);
    expect(Array.from(checkpoint.read("b"))).toEqual([1, -2, 0.5, 65536]);
    checkpoint.close();
  });
});
