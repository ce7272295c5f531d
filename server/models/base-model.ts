// Base models: trained by the trainer's `pretrain` (server/jobs/pretrain.ts) on a public-domain corpus an npm package
// ships, then put in the model store (server/storage) and registered here with their provenance. The server hashes
// the weights itself rather than trusting the digest the trainer wrote.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db } from "../../db/client";
import { modelVersions } from "../../db/schema";
import type { Actor } from "../audit/service";
import { AppError } from "../errors";
import { modelStoreFor } from "../storage/model-store";
import { registerModelVersion } from "./service";

const provenanceSchema = z
  .object({
    kind: z.literal("pretrained"),
    corpus: z.object({ package: z.string(), version: z.string(), sha256: z.string() }).passthrough(),
    weights_sha256: z.string(),
  })
  .passthrough();

/** Registers the base model in `dataDir/relativeDir` as a new version of `familyName` (once per weights digest). */
export async function registerBaseModel(db: Db, actor: Actor, dataDir: string, relativeDir: string, familyName: string) {
  const dir = path.join(dataDir, relativeDir);
  const weights = path.join(dir, "weights.safetensors");
  if (!existsSync(weights)) throw new AppError("NOT_FOUND", `No model weights in ${dir}.`);
  const digest = createHash("sha256").update(readFileSync(weights)).digest("hex");
  const provenance = provenanceSchema.parse(JSON.parse(readFileSync(path.join(dir, "provenance.json"), "utf8")));
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
