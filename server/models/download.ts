// Downloading a model version's weights (reading a model is post-processing and spends no budget). Engineers need
// access to every dataset in the version's lineage; officers and auditors may download any; withdrawn versions none.
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { datasetVersions, modelVersions } from "../../db/schema";
import { ABILITIES, may } from "../auth/access";
import type { Context } from "../context";
import { hasAccess } from "../datasets/access";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { lineage } from "./service";

export function handleWeightsDownload(ctx: Context, versionId: string, dataDir: string): Response {
  try {
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!may(ctx.user.role, ABILITIES["api.models.weights"])) throw new AppError("FORBIDDEN", "Your role may not download model weights.");
    if (!z.uuid().safeParse(versionId).success) throw new AppError("NOT_FOUND", "No such model version.");
    const version = ctx.db.select().from(modelVersions).where(eq(modelVersions.id, versionId)).get();
    if (!version) throw new AppError("NOT_FOUND", "No such model version.");
    if (version.status === "withdrawn") throw new AppError("CONFLICT", "This model version was withdrawn and cannot be downloaded.");
    if (ctx.user.role === "engineer") {
      for (const v of lineage(ctx.db, version.id)) {
        if (!v.datasetVersionId) continue;
        const dv = ctx.db.select().from(datasetVersions).where(eq(datasetVersions.id, v.datasetVersionId)).get();
        if (dv && !hasAccess(ctx.db, ctx.user.id, dv.datasetId)) throw new AppError("FORBIDDEN", "You do not have access to the data this model was trained on.");
      }
    }
    const file = path.join(dataDir, version.weightsPath, "weights.safetensors");
    if (!existsSync(file)) throw new AppError("NOT_FOUND", "The weights file is missing.");
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
      headers: {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="model-${version.id}.safetensors"`,
        "x-weights-sha256": version.weightsDigest,
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
