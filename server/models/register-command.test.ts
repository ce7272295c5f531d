// A checkpoint imported by the real trainer (`npm run trainer -- import`) from Hugging Face GPT-2 files, then
// registered as a base model with `npm run models -- register`: checked as the trainer reads it, copied into the data
// directory, audited as the privacy officer named, its page giving the architecture, the tokenizer and where it came
// from (licence, every file's digest). A second registration answers the same version; another role, a disabled or
// unknown account, a damaged directory and a fine-tuned model are refused with nothing registered.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelConfig, parameterShapes } from "../../trainer/contract/model-config";
import { readModelDir, readModelWeights, writeModelDir } from "../../trainer/contract/model-files";
import { encodeSafetensors, type HostTensors } from "../../trainer/contract/safetensors";
import { listAudit, verifyChain } from "../audit/service";
import { callerAs, snapshot, testWorld, type TestWorld } from "../testing";
import { createUser } from "../users/service";
import { SYSTEM_ACTOR } from "../audit/service";
import { registerCommand } from "./register-command";

const ROOT = path.resolve(import.meta.dirname, "../..");
let work: string;
let world: TestWorld;
let imported: string;

/** A tiny GPT-2 checkpoint as transformers saves it: GPT2Config, tied lm_head left out, a BPE of four tokens. */
function huggingFaceCheckpoint(dir: string): void {
  const vocab = { a: 0, b: 1, ab: 2, "<|endoftext|>": 3 };
  const ours = modelConfig({ tokenizer: "gpt2-bpe", vocab_size: 4, end_of_text: 3, context_length: 8, n_embd: 4, n_layer: 1, n_head: 2 });
  const tensors: HostTensors = {};
  let seed = 1;
  for (const [name, shape] of Object.entries(parameterShapes(ours))) {
    if (name === "lm_head.weight") continue;
    const n = shape.reduce((a, b) => a * b, 1);
    tensors[`transformer.${name}`] = { shape, data: Float32Array.from({ length: n }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 0.1) };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ model_type: "gpt2", n_layer: 1, n_head: 2, n_embd: 4, n_positions: 8, n_inner: null, vocab_size: 4, layer_norm_epsilon: 1e-5, activation_function: "gelu_new", eos_token_id: 3, bos_token_id: 3 }),
  );
  writeFileSync(path.join(dir, "model.safetensors"), encodeSafetensors(tensors, { format: "pt" }));
  writeFileSync(path.join(dir, "vocab.json"), JSON.stringify(vocab));
  writeFileSync(path.join(dir, "merges.txt"), "#version: 0.2\na b\n");
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ledger-register-"));
  world = await testWorld();
  huggingFaceCheckpoint(path.join(work, "hf"));
  imported = path.join(work, "imported");
  const run = spawnSync("npx", ["tsx", "trainer/cli.ts", "import", "--dir", path.join(work, "hf"), "--out", imported, "--license", "MIT", "--json"], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the trainer's import failed: ${run.stderr}`);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function register(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await registerCommand(["register", ...args], world.db, path.join(work, "data"), (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe("npm run models -- register", () => {
  it("registers an imported checkpoint as a base model, audited as the officer, its page saying where it came from", async () => {
    const officer = world.users.privacy_officer;
    const done = await register("--dir", imported, "--family", "gpt2-tiny", "--by", officer.email, "--json");
    expect(done.err).toEqual([]);
    expect(done.code).toBe(0);
    const result = JSON.parse(done.out[0]!) as { model_version_id: string; version: number; created: boolean; tokenizer: string; parameters: number; source: { license: string; files: Record<string, string> } };
    expect(result).toMatchObject({ family: "gpt2-tiny", version: 1, created: true, tokenizer: "gpt2-bpe", source: { kind: "imported", format: "huggingface-gpt2", license: "MIT" } });
    expect(Object.keys(result.source.files).sort()).toEqual(["config.json", "merges.txt", "model.safetensors", "vocab.json"]);

    const [entry] = (await listAudit(world.db, { action: "model.register", entityId: result.model_version_id }, 1, 1)).entries;
    expect(entry).toMatchObject({ actorEmail: officer.email, actorRole: "privacy_officer" });
    const page = await callerAs(world.db, world.users.auditor).models.get({ versionId: result.model_version_id });
    expect(page.architecture).toMatchObject({ tokenizer: "gpt2-bpe", layers: 1, width: 4, vocabulary: 4, parameters: result.parameters });
    expect(page.source).toMatchObject({ kind: "imported", format: "huggingface-gpt2", license: "MIT" });
    // The copy in the data directory is what the registry names.
    const weights = readFileSync(path.join(work, "data", "models", "registered", page.version.weightsDigest.slice(0, 16), "weights.safetensors"));
    expect(weights.equals(readFileSync(path.join(imported, "weights.safetensors")))).toBe(true);

    // Again: the same version, nothing new.
    const before = await snapshot(world.db);
    const again = await register("--dir", imported, "--family", "another-name", "--by", officer.email, "--json");
    expect(JSON.parse(again.out[0]!)).toMatchObject({ model_version_id: result.model_version_id, family: "gpt2-tiny", created: false });
    expect(await snapshot(world.db)).toEqual(before);
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 60_000);

  it("refuses another role, a disabled or unknown account, a damaged directory and a fine-tuned model, registering nothing", async () => {
    const damaged = path.join(work, "damaged");
    rmSync(damaged, { recursive: true, force: true });
    mkdirSync(damaged);
    for (const f of ["config.json", "provenance.json", "vocab.json", "merges.txt"]) writeFileSync(path.join(damaged, f), readFileSync(path.join(imported, f)));
    writeFileSync(path.join(damaged, "weights.safetensors"), readFileSync(path.join(imported, "weights.safetensors")).subarray(0, 64));
    // A fine-tuned model's directory (weights and config of the imported one): a run registers those, not this command.
    const tuned = path.join(work, "tuned");
    const files = readModelDir(imported);
    writeModelDir(tuned, files.config, readModelWeights(imported), {
      kind: "fine-tuned",
      run_id: "00000000-0000-4000-8000-000000000000",
      base_model: { weights_sha256: files.digests.weights_sha256, config_sha256: files.digests.config_sha256 },
      dataset: { sha256: files.digests.weights_sha256, records: 1, units: 1 },
      training: {},
      privacy: { mode: "none", steps: 0 },
      code_version: null,
    });
    for (const f of ["vocab.json", "merges.txt"]) writeFileSync(path.join(tuned, f), readFileSync(path.join(imported, f)));
    const disabled = await createUser(world.db, SYSTEM_ACTOR, { email: "gone@example.org", name: "Gone", role: "admin", password: "a long enough password" });
    await callerAs(world.db, world.users.admin).users.setDisabled({ userId: disabled.id, disabled: true });
    const before = await snapshot(world.db);
    const refusals = [
      [["--dir", imported, "--family", "x", "--by", world.users.engineer.email], /Only privacy officers and admins register base models; .* is a engineer/],
      [["--dir", imported, "--family", "x", "--by", "gone@example.org"], /gone@example.org is disabled/],
      [["--dir", imported, "--family", "x", "--by", "nobody@example.org"], /No user nobody@example.org/],
      [["--dir", damaged, "--family", "x", "--by", world.users.admin.email], /damaged: weights\.safetensors/],
      [["--dir", tuned, "--family", "x", "--by", world.users.admin.email], /holds a fine-tuned model; fine-tuned versions are registered by the run that trained them/],
    ] as const;
    for (const [args, reason] of refusals) {
      const refused = await register(...args);
      expect(refused.code).toBe(1);
      expect(refused.err.join("\n")).toMatch(reason);
    }
    expect((await register("--dir", imported, "--family", "x")).code).toBe(2);
    expect(await snapshot(world.db)).toEqual(before);
  }, 60_000);
});
