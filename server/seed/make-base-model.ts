// `npx tsx server/seed/make-base-model.ts [--check]`: remakes the shipped base model (models/base/moby-dick) by running
// the trainer's `pretrain` with the seed's settings (its defaults) on the WebAssembly backend, and writes its manifest
// (every file's SHA-256, how it was made). --check remakes it into a temporary directory and compares the weights.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { readModelDir } from "../../trainer/contract/model-files";
import { sha256 } from "../../trainer/contract/safetensors";
import { pretrainBaseModel } from "../jobs/pretrain";
import { TRAINER_COMMAND } from "../jobs/trainer-process";
import { MANIFEST_FILE, MODEL_FILES, REMAKE_COMMAND, SHIPPED_BASE_MODEL_DIR, installShippedModel, type Manifest } from "./shipped-base-model";

/** The pretraining's flags: none but the backend, pinned so that the weights do not depend on what is installed. */
const FLAGS = ["--backend", "wasm"] as const;

const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
  console.error("usage: npx tsx server/seed/make-base-model.ts [--check]");
  process.exit(2);
}
const check = args.includes("--check");

const work = mkdtempSync(path.join(tmpdir(), "base-model-"));
const made = path.join(work, "model");
try {
  const started = performance.now();
  await pretrainBaseModel(made, FLAGS);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const { digests, provenance } = readModelDir(made);
  const tfjs = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(path.join("node_modules", "@tensorflow", "tfjs", "package.json"), "utf8")));
  if (check) {
    const shipped = readModelDir(SHIPPED_BASE_MODEL_DIR).digests.weights_sha256;
    const same = shipped === digests.weights_sha256;
    console.log(`${same ? "same" : "DIFFERENT"} weights: shipped ${shipped}, remade ${digests.weights_sha256} (${seconds} s)`);
    process.exitCode = same ? 0 : 1;
  } else {
    const manifest: Manifest = {
      weights_sha256: digests.weights_sha256,
      files: Object.fromEntries(MODEL_FILES.map((name) => [name, sha256(readFileSync(path.join(made, name)))])) as Manifest["files"],
      made_by: {
        command: ["node", ...TRAINER_COMMAND.slice(1), "pretrain", ...FLAGS, "--out", "DIR"].join(" "),
        remake: REMAKE_COMMAND,
        code_version: provenance.code_version,
        node: process.version,
        tfjs: tfjs.version,
        backend: FLAGS[1],
        seconds,
        deterministic: `same code, seed and backend, same weights: \`${REMAKE_COMMAND} --check\` remakes them and compares`,
      },
    };
    writeFileSync(path.join(made, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    installShippedModel(made, SHIPPED_BASE_MODEL_DIR);
    console.log(`wrote ${path.relative(process.cwd(), SHIPPED_BASE_MODEL_DIR)}: weights ${digests.weights_sha256} (${seconds} s)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
