// The normalised dataset record and its stored form: a JSONL file, one record per line, keys in a fixed order.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";

/** The key under which the text is reported and planned; an extra field may therefore not be named so. */
export const TEXT_FIELD = "text";

export const normalisedRecordSchema = z.strictObject({
  text: z.string().min(1),
  /** The person the record is about; null when the upload named no subject field. */
  subject: z.string().min(1).nullable(),
  /** The other columns or keys, as strings; missing and null values are left out. */
  fields: z.record(z.string(), z.string()),
});
export type NormalisedRecord = z.infer<typeof normalisedRecordSchema>;

/**
 * One line of the stored form, newline included: keys `text`, `subject`, `fields`, and the fields sorted by name,
 * so that the same content always has the same bytes (and so the same digest).
 */
export function serialiseRecord(record: NormalisedRecord): string {
  const fields = Object.fromEntries(Object.entries(record.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ text: record.text, subject: record.subject, fields })}\n`;
}

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
