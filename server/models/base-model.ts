// Base models: trained by the trainer's `pretrain` (server/jobs/pretrain.ts) on a public-domain corpus an npm package
// ships, or imported by the trainer from a checkpoint the user supplied (`npm run trainer -- import`), then put in the
// model store (server/storage) and registered here with their provenance. The server hashes the weights itself
// rather than trusting the digest the trainer wrote, and checks the directory as the trainer would read it.
import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db } from "../../db/client";
import { modelVersions, type ModelVersion } from "../../db/schema";
import { readModelDir } from "../../trainer/contract/model-files";
import type { Actor } from "../audit/service";
import { AppError } from "../errors";
import { modelStoreFor } from "../storage/model-store";
import { baseProvenanceSchema } from "./base-provenance";
import { registerModelVersion } from "./service";

/** Registers the base model in `dataDir/relativeDir` as a new version of `familyName` (once per weights digest). */
export async function registerBaseModel(db: Db, actor: Actor, dataDir: string, relativeDir: string, familyName: string): Promise<ModelVersion> {
  const dir = path.join(dataDir, relativeDir);
  const weights = path.join(dir, "weights.safetensors");
  if (!existsSync(weights)) throw new AppError("NOT_FOUND", `No model weights in ${dir}.`);
  const digest = createHash("sha256").update(readFileSync(weights)).digest("hex");
  const parsed = baseProvenanceSchema.safeParse(JSON.parse(readFileSync(path.join(dir, "provenance.json"), "utf8")));
  if (!parsed.success) throw new AppError("BAD_REQUEST", `${dir}/provenance.json: not a base model's (pretrained here or imported); a fine-tuned model is registered by its run.`);
  const provenance = parsed.data;
  if (provenance.weights_sha256 !== digest) throw new AppError("CONFLICT", `The weights in ${dir} do not match their provenance.`);
  const existing = await first(db.select().from(modelVersions).where(eq(modelVersions.weightsDigest, digest)));
  if (existing) return existing;
  // Into the model store before the registry names it (with the data directory as the store, it is there already).
  await modelStoreFor(dataDir).put(relativeDir, dir);
  return registerModelVersion(db, actor, {
    familyName,
    kind: "base",
    parentVersionId: null,
    datasetVersionId: null,
    runId: null,
    weightsPath: relativeDir,
    weightsDigest: digest,
    config: z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"))),
    provenance,
    metrics: {},
  });
}

/**
 * Registers a model directory from anywhere on this machine (one `npm run trainer -- import` wrote, say) as a base
 * model: checked as the trainer reads it (config, weights' names and shapes, tokenizer files, provenance digests),
 * copied into the data directory under models/registered/<weights digest>, then registered. A directory whose weights
 * are registered already answers that version.
 */
export async function registerModelDirectory(db: Db, actor: Actor, dataDir: string, sourceDir: string, familyName: string): Promise<{ version: ModelVersion; created: boolean }> {
  let files: ReturnType<typeof readModelDir>;
  try {
    files = readModelDir(sourceDir);
  } catch (err) {
    throw new AppError("BAD_REQUEST", `${sourceDir}: ${(err as Error).message}`);
  }
  if (files.provenance.kind === "fine-tuned") throw new AppError("BAD_REQUEST", `${sourceDir} holds a fine-tuned model; fine-tuned versions are registered by the run that trained them.`);
  const existing = await first(db.select().from(modelVersions).where(eq(modelVersions.weightsDigest, files.digests.weights_sha256)));
  if (existing) return { version: existing, created: false };
  const relativeDir = path.join("models", "registered", files.digests.weights_sha256.slice(0, 16));
  const target = path.join(dataDir, relativeDir);
  if (path.resolve(sourceDir) !== path.resolve(target)) cpSync(sourceDir, target, { recursive: true });
  return { version: await registerBaseModel(db, actor, dataDir, relativeDir, familyName), created: true };
}
