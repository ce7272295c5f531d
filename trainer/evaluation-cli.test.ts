// The score and generate commands as the server runs them: separate processes whose every stdout line validates
// against contract/evaluation-protocol.ts, on a LoRA fine-tune as the trainer writes it (merged weights plus the adapter),
// scoring as the unmerged adapter model does; a missing model gives one failed line, bad arguments exit status 2.

import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { initBackend } from "./run/backend";
import { generateLineSchema, scoreLineSchema } from "./contract/evaluation-protocol";
import { createModel, disposeModel } from "./model/model";
import { ADAPTER_FILE, readModelDir, readModelWeights } from "./contract/model-files";
import { parseRunSpec, type Message } from "./contract/protocol";
import { decodeSafetensors } from "./contract/safetensors";
import { scoreTexts } from "./eval/score";
import { byteTokenizer } from "./model/tokenizer";
import { writeRunFixture } from "./testing";
import { runTraining } from "./run/train";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "trainer-evaluation-"));
const fixture = writeRunFixture(work);
const texts = ["From: Ann Lee <3@example.com>", "Call 555-0123.", "a text far longer than the context of the tiny model"];
const textsFile = path.join(work, "texts.jsonl");
writeFileSync(textsFile, `${texts.map((text) => JSON.stringify({ text })).join("\n")}\n`);
let modelDir = "";

beforeAll(async () => {
  await initBackend("wasm");
  const messages: Message[] = [];
  const spec = parseRunSpec(
    fixture.spec("lora", {
      data: { train: fixture.train },
      fine_tuning: { method: "lora", rank: 2, alpha: 4 },
      optimizer: { name: "adam", learning_rate: 0.05 },
      steps: 10,
      expected_batch_size: 8,
      privacy: { mode: "none" },
    }),
  );
  await runTraining(spec, { emit: (m) => messages.push(m), log: () => {}, stopRequested: () => false }, { resume: false });
  const finished = messages.find((m) => m.type === "finished");
  if (finished?.type !== "finished") throw new Error("the fixture run did not finish");
  modelDir = finished.model_dir;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI; every stdout line must parse with `schema`. */
function runCli<S extends z.ZodType>(args: string[], schema: S) {
  return new Promise<{ lines: z.infer<S>[]; code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli.ts", ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      expect(stdout === "" || stdout.endsWith("\n"), "stdout ends with a complete line").toBe(true);
      const lines = stdout.split("\n").filter((l) => l !== "").map((l) => schema.parse(JSON.parse(l)) as z.infer<S>);
      resolve({ lines, code, stderr });
    });
  });
}

describe("trainer score and generate commands", () => {
  it("score: one valid line per text, in order, equal to the unmerged LoRA model; then done with the digests", async () => {
    const { lines, code } = await runCli(["score", "--model", modelDir, "--texts", textsFile, "--backend", "wasm"], scoreLineSchema);
    expect(code).toBe(0);
    const dir = readModelDir(modelDir);
    expect(dir.digests.adapter_sha256).not.toBeNull();
    const adapterModel = createModel(dir.config, readModelWeights(fixture.baseModel), {
      lora: { rank: 2, alpha: 4 },
      adapters: decodeSafetensors(readFileSync(path.join(modelDir, ADAPTER_FILE))).tensors,
    });
    const expected = scoreTexts(adapterModel, byteTokenizer, texts);
    disposeModel(adapterModel);
    expect(lines.map((l) => l.type)).toEqual(["score", "score", "score", "done"]);
    lines.slice(0, 3).forEach((line, i) => {
      if (line.type !== "score") throw new Error("expected a score line");
      expect(line).toMatchObject({ index: i, tokens: expected[i]!.tokens, truncated: expected[i]!.truncated });
      expect(Math.abs(line.loss - expected[i]!.loss)).toBeLessThan(1e-4 * expected[i]!.loss); // merged vs unmerged
    });
    expect(lines[3]).toMatchObject({ type: "done", texts: 3, tokens: 24 + 15 + 24, model: dir.digests, context_length: 24, backend: "wasm" });
  }, 30_000);

  it("generate: one valid completion per prompt, then done (greedy, or sampled with its settings); a missing model fails with one line; bad arguments exit 2", async () => {
    const [generated, missing, usage, sampled] = await Promise.all([
      runCli(["generate", "--model", modelDir, "--prompts", textsFile, "--max-tokens", "5", "--backend", "wasm"], generateLineSchema),
      runCli(["score", "--model", path.join(work, "none"), "--texts", textsFile, "--backend", "wasm"], scoreLineSchema),
      runCli(["generate", "--model", modelDir, "--prompts", textsFile], generateLineSchema),
      runCli(["generate", "--model", modelDir, "--prompts", textsFile, "--max-tokens", "4", "--temperature", "0.8", "--top-k", "5", "--top-p", "0.9", "--backend", "wasm"], generateLineSchema),
    ]);
    expect(sampled.code).toBe(0);
    expect(sampled.lines[3]).toMatchObject({ type: "done", decoding: "sample", temperature: 0.8, top_k: 5, top_p: 0.9 });
    expect(generated.code).toBe(0);
    expect(generated.lines.map((l) => l.type)).toEqual(["completion", "completion", "completion", "done"]);
    generated.lines.slice(0, 3).forEach((line, i) => expect(line).toMatchObject({ index: i }));
    expect(generated.lines[3]).toMatchObject({ type: "done", prompts: 3, max_tokens: 5, decoding: "greedy" });
    expect(missing.code).toBe(1);
    expect(missing.lines).toEqual([{ type: "failed", reason: expect.stringMatching(/no such file.*config\.json/) }]);
    expect(usage.code).toBe(2);
    expect(usage.lines).toEqual([]);
    expect(usage.stderr).toMatch(/missing --max-tokens/);
  }, 30_000);
});
