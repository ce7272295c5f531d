// The base model shipped in the repository (models/base/moby-dick: what `trainer pretrain` makes with the seed's
// settings), checked file by file against the digests in its manifest.json before the seed installs it into the data
// directory, so that a fresh clone does not spend minutes pretraining the same weights. make-base-model.ts remakes it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CONFIG_FILE, PROVENANCE_FILE, WEIGHTS_FILE, readModelDir } from "../../trainer/contract/model-files";
import { sha256 } from "../../trainer/contract/safetensors";

/** The repository's copy of the base model, beside the code (not under DATA_DIR). */
export const SHIPPED_BASE_MODEL_DIR = path.resolve(import.meta.dirname, "../../models/base/moby-dick");
export const MANIFEST_FILE = "manifest.json";
/** The model files the trainer reads, each listed with its SHA-256 in the manifest. */
export const MODEL_FILES = [WEIGHTS_FILE, CONFIG_FILE, PROVENANCE_FILE] as const;
/** How to remake the shipped model (and its manifest) with the seed's settings. */
export const REMAKE_COMMAND = "npx tsx server/seed/make-base-model.ts";

const digest = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hex digest");

export const manifestSchema = z.strictObject({
  /** The digest the model version is registered under (the same as files["weights.safetensors"]). */
  weights_sha256: digest,
  files: z.strictObject({ [WEIGHTS_FILE]: digest, [CONFIG_FILE]: digest, [PROVENANCE_FILE]: digest }),
  /** How the files were made; provenance.json holds the corpus and the training settings. */
  made_by: z.strictObject({
    command: z.string(),
    remake: z.string(),
    code_version: z.string().nullable(),
    node: z.string(),
    tfjs: z.string(),
    backend: z.string(),
    seconds: z.number(),
    deterministic: z.string(),
  }),
});
export type Manifest = z.infer<typeof manifestSchema>;

export class ShippedModelError extends Error {
  override name = "ShippedModelError";
}

/** A path as a person would type it: relative to the working directory when it is inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

function damaged(file: string, problem: string): ShippedModelError {
  return new ShippedModelError(
    `The shipped base model is not as recorded: ${shown(file)} ${problem}. Restore it (git checkout -- ${shown(path.dirname(file))}) or remake it (${REMAKE_COMMAND}).`,
  );
}

function readShipped(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw damaged(file, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
  }
}

/**
 * Checks the shipped model in `dir`: every model file's SHA-256 against the manifest, then the files themselves (the
 * weights' shapes against the config, provenance.json's schema and its record of the weights' digest). Returns the
 * manifest and the bytes it vouches for; throws a ShippedModelError naming the first file that is not as recorded.
 */
export function verifyShippedModel(dir: string): { manifest: Manifest; files: Map<string, Buffer> } {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const manifestBytes = readShipped(manifestFile);
  let json: unknown;
  try {
    json = JSON.parse(manifestBytes.toString("utf8"));
  } catch (cause) {
    throw damaged(manifestFile, `is not JSON (${(cause as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw damaged(manifestFile, `is invalid (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  const manifest = parsed.data;
  if (manifest.weights_sha256 !== manifest.files[WEIGHTS_FILE]) throw damaged(manifestFile, `records two different digests for ${WEIGHTS_FILE}`);
  const files = new Map<string, Buffer>([[MANIFEST_FILE, manifestBytes]]);
  for (const name of MODEL_FILES) {
    const bytes = readShipped(path.join(dir, name));
    const actual = sha256(bytes);
    if (actual !== manifest.files[name]) {
      throw damaged(path.join(dir, name), `has SHA-256 ${actual}, but ${MANIFEST_FILE} records ${manifest.files[name]}`);
    }
    files.set(name, bytes);
  }
  let provenanceKind: string;
  try {
    provenanceKind = readModelDir(dir).provenance.kind;
  } catch (cause) {
    throw damaged(path.join(dir, PROVENANCE_FILE), `does not describe these files (${(cause as Error).message})`);
  }
  if (provenanceKind !== "pretrained") throw damaged(path.join(dir, PROVENANCE_FILE), `is of a ${provenanceKind} model, not a pretrained base model`);
  return { manifest, files };
}

/** Verifies the shipped model in `shippedDir` and writes the verified bytes to `targetDir` (replacing what is there). */
export function installShippedModel(shippedDir: string, targetDir: string): Manifest {
  const { manifest, files } = verifyShippedModel(shippedDir);
  const partial = `${targetDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(path.join(partial, name), bytes);
  rmSync(targetDir, { recursive: true, force: true });
  renameSync(partial, targetDir);
  return manifest;
}
