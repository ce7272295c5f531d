// Downloading a synthetic dataset version's records (reading the output of a DP model is post-processing and spends
// nothing): only once a privacy officer approved its leakage validation report. Engineers need access to the synthetic
// dataset (else NOT_FOUND); officers and auditors may download any. Versions of real data are never downloaded.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { ABILITIES, may } from "../auth/access";
import type { Context } from "../context";
import { visibleVersion } from "../datasets/service";
import { filesDeletedRefusal, versionFile } from "../datasets/version-files";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { syntheticUseRefusal } from "./use";

export async function handleSyntheticDownload(ctx: Context, versionId: string, dataDir: string): Promise<Response> {
  try {
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!may(ctx.user.role, ABILITIES["api.datasets.download"])) throw new AppError("FORBIDDEN", "Your role may not download dataset records.");
    if (!z.uuid().safeParse(versionId).success) throw new AppError("NOT_FOUND", "No such dataset version.");
    const version = await visibleVersion(ctx.db, ctx.user, versionId);
    if (version.sourceModelVersionId === null) throw new AppError("CONFLICT", "Only synthetic versions may be downloaded: records of real people never leave the server.");
    const refusal = filesDeletedRefusal(version) ?? (await syntheticUseRefusal(ctx.db, version));
    if (refusal) throw new AppError("CONFLICT", refusal);
    return new Response(Readable.toWeb(createReadStream(versionFile(dataDir, version))) as ReadableStream, {
      headers: {
        "content-type": "application/x-ndjson",
        "content-disposition": `attachment; filename="synthetic-${version.id}.jsonl"`,
        "x-content-sha256": version.contentDigest,
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
