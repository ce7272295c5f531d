// The streaming upload of a dataset version: checks who is asking before reading a byte, streams the body through
// the parser into a new file, and registers the version; a refused or malformed upload leaves nothing behind.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { z } from "zod";
import { DATASET_FORMATS } from "../../db/schema";
import { actorOf } from "../actor";
import { ABILITIES, may } from "../auth/access";
import type { Context } from "../context";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { assertSameOriginUpload, ownOrigins } from "../http/same-origin";
import { lineText } from "../validation";
import { ingestUpload, missingColumn, missingTextField, type ErrorKind } from "./ingest/parse";
import { datasetName, registerUpload, summaryFields } from "./service";

const fieldName = lineText().min(1).max(100);

export const uploadParams = z
  .object({
    name: datasetName.optional(),
    datasetId: z.uuid().optional(),
    format: z.enum(DATASET_FORMATS),
    textField: fieldName,
    subjectField: fieldName.optional(),
  })
  .refine((p) => (p.name === undefined) !== (p.datasetId === undefined), "Give either a new dataset name or an existing datasetId");

export interface UploadSettings {
  dataDir: string;
  maxBytes: number;
  publicUrl: string;
}

/** What a refused upload's answer says first: when no record has the text field, which fields the file does have. */
export function refusalMessage(textField: string, kinds: ErrorKind[], fields: string[]): string {
  const refused = "The file was refused; nothing of it was kept.";
  const missing = kinds.some((k) => k.reason === missingTextField(textField) || k.reason === missingColumn(textField));
  if (!missing || fields.includes(textField)) return refused;
  const has = fields.length > 0 ? `The file's fields are: ${fields.join(", ")}.` : "The file has no fields.";
  return `${refused} No record has the text field "${textField}". ${has}`;
}

export async function handleUpload(req: Request, ctx: Context, settings: UploadSettings): Promise<Response> {
  try {
    assertSameOriginUpload(req, ownOrigins(req, settings.publicUrl));
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!may(ctx.user.role, ABILITIES["api.datasets.upload"])) throw new AppError("FORBIDDEN", "Only engineers upload datasets.");
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > settings.maxBytes) {
      return Response.json({ error: { code: "PAYLOAD_TOO_LARGE", message: `Uploads are limited to ${settings.maxBytes} bytes.` } }, { status: 413 });
    }
    const params = uploadParams.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!params.success) throw new AppError("BAD_REQUEST", params.error.issues.map((i) => `${i.path.join(".") || "upload"}: ${i.message}`).join("; "));
    if (!req.body) throw new AppError("BAD_REQUEST", "The upload is empty.");

    const storagePath = path.join("datasets", `${randomUUID()}.jsonl`);
    const destination = path.join(settings.dataDir, storagePath);
    const { format, textField, subjectField } = params.data;
    const result = await ingestUpload({
      source: Readable.fromWeb(req.body as WebReadableStream<Uint8Array>),
      format,
      textField,
      subjectField,
      destination,
      maxBytes: settings.maxBytes,
    });
    if (!result.ok) {
      const status = result.tooLarge ? 413 : 400;
      const message = result.tooLarge ? `Uploads are limited to ${settings.maxBytes} bytes.` : refusalMessage(textField, result.kinds, result.fields);
      const { errors, kinds, fields } = result;
      return Response.json({ error: { code: result.tooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message, errors, kinds, fields } }, { status });
    }
    const target = params.data.name !== undefined ? { name: params.data.name } : { datasetId: params.data.datasetId! };
    try {
      const version = await registerUpload(ctx.db, ctx.user, actorOf(ctx.user), target, {
        format,
        textField,
        subjectField: subjectField ?? null,
        storagePath,
        ...summaryFields(result.summary),
        minimisation: null,
      });
      return Response.json({ datasetId: version.datasetId, versionId: version.id, version: version.version }, { status: 201 });
    } catch (err) {
      await rm(destination, { force: true });
      throw err;
    }
  } catch (err) {
    return errorResponse(err);
  }
}
