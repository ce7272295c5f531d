// The normalised dataset record, as a dataset version stores it (one JSON line each): shared by the server, which
// writes and reads versions, and the trainer's hold-out, which reads them. TF-free.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";

export const normalisedRecordSchema = z.strictObject({
  text: z.string().min(1),
  /** The person the record is about; null when the upload named no subject field. */
  subject: z.string().min(1).nullable(),
  /** The other columns or keys, as strings; missing and null values are left out. */
  fields: z.record(z.string(), z.string()),
});
export type NormalisedRecord = z.infer<typeof normalisedRecordSchema>;

/**
 * Reads a stored JSONL file record by record; a line that is not a valid record is an error (the file was altered).
 * `onBytes` sees every byte read, in order, for a digest of the file.
 */
export async function* readRecords(path: string, onBytes?: (chunk: Buffer) => void): AsyncGenerator<NormalisedRecord> {
  const input = createReadStream(path);
  if (onBytes) input.on("data", (chunk) => onBytes(chunk as Buffer));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text === "") continue;
    const parsed = normalisedRecordSchema.safeParse(parseJson(text));
    if (!parsed.success) throw new Error(`${path}:${line} is not a normalised record`);
    yield parsed.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
