// Streaming ingest of an uploaded JSONL or CSV file into a normalised dataset version; a malformed file keeps nothing.
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { z } from "zod";
import { createCsvReader, type CsvStep } from "./csv";
import { ErrorList, FieldNames, type ErrorKind } from "./ingest-errors";
import { TEXT_FIELD, type NormalisedRecord } from "./records";
import { openVersionWriter, type VersionSummary } from "./version-file";

export const uploadFormatSchema = z.enum(["jsonl", "csv"]);
export type UploadFormat = z.infer<typeof uploadFormatSchema>;

export const ingestSettingsSchema = z
  .strictObject({
    format: uploadFormatSchema,
    textField: z.string().min(1),
    /** When given, every record must have a non-empty subject under this name. */
    subjectField: z.string().min(1).optional(),
    /** Path of the normalised JSONL to write; its directory must exist. */
    destination: z.string().min(1),
    maxBytes: z.number().int().positive(),
    maxErrors: z.number().int().positive().default(10),
    /** A longer line (or CSV record) stops the ingest: it bounds the memory a line may take. */
    maxRecordChars: z.number().int().positive().default(100_000),
  })
  .refine((s) => s.subjectField !== s.textField, { message: "the subject field must differ from the text field" });
export type IngestSettings = z.input<typeof ingestSettingsSchema>;
export type IngestOptions = IngestSettings & { source: AsyncIterable<Uint8Array> };

export const ingestErrorSchema = z.strictObject({ line: z.number().int().positive(), reason: z.string() });
export type IngestError = z.infer<typeof ingestErrorSchema>;

export type { ErrorKind };

export type IngestResult =
  | { ok: true; summary: VersionSummary }
  | {
      ok: false;
      /** The first maxErrors errors, in order. */
      errors: IngestError[];
      /** Every error of the file read, grouped by reason (in order of first appearance). */
      kinds: ErrorKind[];
      /** The field names the file's records have (a CSV's header), in order of first appearance. */
      fields: string[];
      tooLarge?: true;
    };

/** The reasons given when records lack the text field (an upload names the file's fields then). */
export const missingTextField = (name: string) => `the text field "${name}" is missing`;
export const missingColumn = (name: string) => `the header has no "${name}" column`;

type Settings = z.output<typeof ingestSettingsSchema>;
type Entries = Iterable<[string, unknown]>;

/** Turns one parsed record (key, value pairs) into a normalised record, or says why it cannot. */
function normalise(entries: Entries, s: Settings): NormalisedRecord | string {
  let text: unknown;
  let subject: unknown;
  const fields: [string, string][] = [];
  for (const [key, value] of entries) {
    if (value !== null && typeof value === "object") {
      return `field "${key}" holds a nested ${Array.isArray(value) ? "array" : "object"}; only strings, numbers, booleans and null are accepted`;
    }
    if (key === s.textField) text = value;
    else if (key === s.subjectField) subject = value;
    else if (value === null || value === "") continue;
    else if (key === TEXT_FIELD) return `field "${TEXT_FIELD}" is reserved for the text; rename it or choose it as the text field`;
    else if (key === "__proto__") return 'field "__proto__" is not accepted as a field name';
    else fields.push([key, String(value)]);
  }
  if (text === undefined || text === null) return missingTextField(s.textField);
  if (typeof text !== "string") return `the text field "${s.textField}" is not a string`;
  if (text.trim() === "") return `the text field "${s.textField}" is empty`;
  if (s.subjectField === undefined) return { text, subject: null, fields: Object.fromEntries(fields) };
  if (subject === undefined || subject === null) return `the subject field "${s.subjectField}" is missing`;
  if (typeof subject !== "string" && typeof subject !== "number") return `the subject field "${s.subjectField}" is not a string or a number`;
  const subjectId = String(subject);
  if (subjectId.trim() === "") return `the subject field "${s.subjectField}" is empty`;
  return { text, subject: subjectId, fields: Object.fromEntries(fields) };
}

interface LineReader {
  /** One decoded physical line: the records it completes (with the line each starts on), errors go to `errors`. */
  line(text: string, line: number): { line: number; entries: Entries } | null;
  end(): void;
}

function jsonlReader(errors: ErrorList): LineReader {
  return {
    line(text, line) {
      if (text.trim() === "") return null;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        errors.add(line, "not valid JSON");
        return null;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        errors.add(line, "not a JSON object");
        return null;
      }
      return { line, entries: Object.entries(value) };
    },
    end() {},
  };
}

function csvReader(errors: ErrorList, s: Settings, fields: FieldNames): LineReader {
  const csv = createCsvReader(s.maxRecordChars);
  let header: string[] | null = null;

  function readHeader(names: string[], line: number): void {
    const trimmed = names.map((name) => name.trim());
    fields.see(trimmed.filter((name) => name !== "").map((name): [string, unknown] => [name, null]));
    const problems = [
      ...trimmed.flatMap((name, i) => (name === "" ? [`column ${i + 1} has no name`] : [])),
      ...trimmed.flatMap((name, i) => (trimmed.indexOf(name) !== i ? [`column "${name}" appears twice`] : [])),
      ...[s.textField, s.subjectField].flatMap((name) =>
        name !== undefined && !trimmed.includes(name) ? [missingColumn(name)] : [],
      ),
    ];
    for (const problem of problems) errors.add(line, problem, true);
    header = trimmed;
  }

  function take(step: CsvStep): { line: number; entries: Entries } | null {
    if (step.kind === "error") errors.add(step.line, step.reason, step.fatal);
    if (step.kind !== "record") return null;
    if (header === null) {
      readHeader(step.values, step.line);
      return null;
    }
    if (step.values.length !== header.length) {
      errors.add(step.line, `expected ${header.length} columns, found ${step.values.length}`);
      return null;
    }
    const names = header;
    return { line: step.line, entries: step.values.map((value, i): [string, string] => [names[i] ?? "", value]) };
  }

  return {
    line: (text, line) => take(csv.push(text, line)),
    end: () => void take(csv.end()),
  };
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Reads `source` once, line by line, and writes the normalised records to a temp file beside `destination`, renamed
 * into place only when the whole upload is valid; on any error or exception the temp file is deleted.
 * Memory holds one line (at most about 3 × maxRecordChars bytes) and the per-subject counts, never the whole file.
 * A line break is LF or CRLF; a UTF-8 byte-order mark is ignored. Extra fields that are null or "" are left out.
 */
export async function ingestUpload(options: IngestOptions): Promise<IngestResult> {
  const { source, ...settings } = options;
  const s = ingestSettingsSchema.parse(settings);
  const errors = new ErrorList(s.maxErrors);
  const fields = new FieldNames();
  const reader = s.format === "jsonl" ? jsonlReader(errors) : csvReader(errors, s, fields);
  const writer = await openVersionWriter(s.destination);
  const hash = createHash("sha256");
  const maxLineBytes = 3 * s.maxRecordChars + BOM.length + 1;
  let bytes = 0;
  let lineNumber = 0;
  let records = 0;
  let tooLarge = false;

  async function handleLine(raw: Buffer): Promise<void> {
    lineNumber += 1;
    let line = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, -1) : raw;
    if (lineNumber === 1 && line.subarray(0, BOM.length).equals(BOM)) line = line.subarray(BOM.length);
    if (!isUtf8(line)) errors.add(lineNumber, "not valid UTF-8");
    const text = line.toString("utf8");
    if (text.length > s.maxRecordChars) {
      errors.add(lineNumber, `a line longer than ${s.maxRecordChars} characters`, true);
      return;
    }
    const parsed = reader.line(text, lineNumber);
    if (parsed === null) return;
    const entries = [...parsed.entries];
    fields.see(entries);
    const record = normalise(entries, s);
    if (typeof record === "string") errors.add(parsed.line, record);
    else if (!errors.any) {
      records += 1;
      await writer.write(record);
    }
  }

  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    reading: for await (const chunk of source) {
      bytes += chunk.byteLength;
      if (bytes > s.maxBytes) {
        errors.add(lineNumber + 1, `the upload is larger than the limit of ${s.maxBytes} bytes`, true);
        tooLarge = true;
        break;
      }
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hash.update(buffer);
      let start = 0;
      for (let end = buffer.indexOf(NEWLINE, start); end !== -1; end = buffer.indexOf(NEWLINE, start)) {
        const piece = buffer.subarray(start, end);
        await handleLine(pending.length > 0 ? Buffer.concat([...pending, piece]) : piece);
        pending = [];
        pendingBytes = 0;
        start = end + 1;
        if (errors.stopped) break reading;
      }
      if (start < buffer.length) {
        pending.push(Buffer.from(buffer.subarray(start)));
        pendingBytes += buffer.length - start;
        if (pendingBytes > maxLineBytes) {
          errors.add(lineNumber + 1, `a line longer than ${s.maxRecordChars} characters`, true);
          break;
        }
      }
    }
    if (!errors.stopped) {
      if (pending.length > 0) await handleLine(Buffer.concat(pending));
      reader.end();
      if (records === 0 && !errors.any) errors.add(lineNumber + 1, "no records");
    }
    if (errors.any) {
      await writer.abort();
      const refused = { ok: false as const, errors: errors.errors, kinds: errors.grouped(), fields: fields.list() };
      return tooLarge ? { ...refused, tooLarge } : refused;
    }
    return { ok: true, summary: await writer.commit({ digest: hash.digest("hex"), bytes }) };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
