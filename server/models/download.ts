// Downloading a model version's weights (reading a model is post-processing and spends no budget). Engineers need
// access to every dataset in the version's lineage (else NOT_FOUND, as for every read of the version); officers and
// auditors may download any; withdrawn versions none.
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { z } from "zod";
import { ABILITIES, may } from "../auth/access";
import type { Context } from "../context";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { ModelNotStoredError, modelStoreFor } from "../storage/model-store";
import { visibleModelVersion } from "./visibility";

export async function handleWeightsDownload(ctx: Context, versionId: string, dataDir: string): Promise<Response> {
  try {
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!may(ctx.user.role, ABILITIES["api.models.weights"])) throw new AppError("FORBIDDEN", "Your role may not download model weights.");
    if (!z.uuid().safeParse(versionId).success) throw new AppError("NOT_FOUND", "No such model version.");
    const version = await visibleModelVersion(ctx.db, ctx.user, versionId);
    if (version.status === "withdrawn") throw new AppError("CONFLICT", "This model version was withdrawn and cannot be downloaded.");
    const dir = await modelStoreFor(dataDir)
      .materialize(version.weightsPath)
      .catch((err: unknown) => {
        throw err instanceof ModelNotStoredError ? new AppError("NOT_FOUND", "The weights file is missing.") : err;
      });
    const file = path.join(dir, "weights.safetensors");
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
