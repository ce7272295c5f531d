// Tests of the streaming upload parser: normalised output, counts and digests, and refusals with line numbers.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingestUpload, type IngestOptions, type IngestResult } from "./parse";
import { chunks, filesIn, scratchDir } from "./testing";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

async function ingest(
  body: string | (string | Uint8Array)[],
  options: Partial<Omit<IngestOptions, "source" | "destination">> = {},
): Promise<{ result: IngestResult; dir: string; destination: string }> {
  const dir = await scratchDir();
  const destination = join(dir, "version.jsonl");
  const parts = typeof body === "string" ? [body] : body;
  const result = await ingestUpload({
    source: chunks(...parts),
    format: "jsonl",
    textField: "text",
    destination,
    maxBytes: 1_000_000,
    ...options,
  });
  return { result, dir, destination };
}

function summaryOf(result: IngestResult) {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.summary;
}

function errorsOf(result: IngestResult) {
  if (result.ok) throw new Error("accepted");
  return result.errors;
}

describe("ingestUpload, JSONL", () => {
  it("writes one normalised record per line in a fixed key order and summarises the upload", async () => {
    const upload = '{"n": 2, "user": "u1", "text": "Hello", "b": true, "z": null}\n{"text": "Bye", "user": "u1"}\n';
    const { result, destination } = await ingest(upload, { subjectField: "user" });
    const stored = await readFile(destination, "utf8");
    expect(stored).toBe(
      '{"text":"Hello","subject":"u1","fields":{"b":"true","n":"2"}}\n{"text":"Bye","subject":"u1","fields":{}}\n',
    );
    expect(summaryOf(result)).toMatchObject({
      recordCount: 2,
      subjectCount: 1,
      maxRecordsPerSubject: 2,
      sourceDigest: sha256(upload),
      contentDigest: sha256(stored),
      bytes: Buffer.byteLength(upload),
      contentBytes: Buffer.byteLength(stored),
      fields: ["b", "n"],
    });
  });

  it("counts distinct subjects and the most records of one subject; numeric subject ids become strings", async () => {
    const lines = [["a", "1"], ["b", "2"], ["a", "3"], [7, "4"], ["a", "5"], [7, "6"]];
    const upload = lines.map(([user, text]) => JSON.stringify({ user, text })).join("\n");
    const summary = summaryOf((await ingest(upload, { subjectField: "user" })).result);
    expect([summary.recordCount, summary.subjectCount, summary.maxRecordsPerSubject]).toEqual([6, 3, 3]);
  });

  it("makes each record its own subject when there is no subject field", async () => {
    const summary = summaryOf((await ingest('{"text":"a","user":"x"}\n{"text":"b","user":"x"}')).result);
    expect([summary.subjectCount, summary.maxRecordsPerSubject, summary.fields]).toEqual([2, 1, ["user"]]);
  });

  it("accepts CRLF, blank lines, a byte-order mark and characters split across chunks", async () => {
    const euro = Buffer.from("€", "utf8");
    const { result, destination } = await ingest([
      "\uFEFF\r\n",
      '{"text":"price 5',
      euro.subarray(0, 1),
      euro.subarray(1),
      '"}\r\n   \r\n{"text":"two"}',
    ]);
    expect(summaryOf(result).recordCount).toBe(2);
    expect(await readFile(destination, "utf8")).toContain('"price 5€"');
  });

  it("gives the same content digest to the same records whatever the key order, chunking or line breaks", async () => {
    const a = await ingest('{"text":"x","k":"1","j":"2"}\n{"text":"y"}\n');
    const b = await ingest(['{"j":"2","text"', ':"x","k":1}\r\n\r\n{"text":"y"}']);
    expect(summaryOf(a.result).contentDigest).toBe(summaryOf(b.result).contentDigest);
    expect(summaryOf(a.result).sourceDigest).not.toBe(summaryOf(b.result).sourceDigest);
    expect(await readFile(a.destination)).toEqual(await readFile(b.destination));
  });

  it("refuses malformed lines with their numbers and reasons, in order, and keeps nothing", async () => {
    const upload = [
      '{"text":"fine","user":"u"}',
      '{"text": "unclosed',
      '["text"]',
      '{"text":"x","user":"u","meta":{"a":1}}',
      '{"text":"x","user":"u","tags":[1]}',
      '{"body":"no text","user":"u"}',
      '{"text":3,"user":"u"}',
      '{"text":"  ","user":"u"}',
      '{"text":"no subject"}',
      '{"text":"empty subject","user":""}',
      '{"text":"x","user":"u","text2":"ok","text ":"ok"}',
      '{"text":"x","user":"u","other":"fine"}',
    ].join("\n");
    const { result, dir } = await ingest(upload, { subjectField: "user", textField: "text" });
    expect(errorsOf(result)).toEqual([
      { line: 2, reason: "not valid JSON" },
      { line: 3, reason: "not a JSON object" },
      { line: 4, reason: 'field "meta" holds a nested object; only strings, numbers, booleans and null are accepted' },
      { line: 5, reason: 'field "tags" holds a nested array; only strings, numbers, booleans and null are accepted' },
      { line: 6, reason: 'the text field "text" is missing' },
      { line: 7, reason: 'the text field "text" is not a string' },
      { line: 8, reason: 'the text field "text" is empty' },
      { line: 9, reason: 'the subject field "user" is missing' },
      { line: 10, reason: 'the subject field "user" is empty' },
    ]);
    expect(await filesIn(dir)).toEqual([]);
  });

  it("refuses an extra field named like the text, which is reserved", async () => {
    const { result } = await ingest('{"body":"x","text":"y"}', { textField: "body" });
    expect(errorsOf(result)).toEqual([
      { line: 1, reason: 'field "text" is reserved for the text; rename it or choose it as the text field' },
    ]);
  });

  it("refuses a field named __proto__, which JSON readers would turn into a prototype", async () => {
    const { result } = await ingest('{"text":"x","__proto__":"p"}');
    expect(errorsOf(result)).toEqual([{ line: 1, reason: 'field "__proto__" is not accepted as a field name' }]);
  });

  it("lists the first maxErrors errors and counts all of them by kind, with the file's fields", async () => {
    const upload = [...Array.from({ length: 30 }, (_, i) => JSON.stringify({ body: `note ${i}`, patient: `p${i}` })), "x", '{"body":"y","ward":"A"}'].join("\n");
    const { result } = await ingest(upload, { maxErrors: 3 });
    if (result.ok) throw new Error("accepted");
    expect(result.errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(result.kinds).toEqual([
      { reason: 'the text field "text" is missing', count: 31, lines: [1, 2, 3, 4, 5] },
      { reason: "not valid JSON", count: 1, lines: [31] },
    ]);
    expect(result.fields).toEqual(["body", "patient", "ward"]);
  });

  it("refuses invalid UTF-8 with the line number", async () => {
    const { result, dir } = await ingest(['{"text":"ok"}\n{"text":"caf', Buffer.from([0xc3, 0x28]), '"}\n']);
    expect(errorsOf(result)).toEqual([{ line: 2, reason: "not valid UTF-8" }]);
    expect(await filesIn(dir)).toEqual([]);
  });

  it("refuses an empty upload, or one of blank lines, as having no records", async () => {
    expect(errorsOf((await ingest("")).result)).toEqual([{ line: 1, reason: "no records" }]);
    expect(errorsOf((await ingest("\n \n")).result)).toEqual([{ line: 3, reason: "no records" }]);
  });

  it("stops past maxBytes (in the 10th line of 102 bytes for 1000) with a too-large refusal and keeps nothing", async () => {
    const line = `${JSON.stringify({ text: "a".repeat(90) })}\n`;
    const { result, dir } = await ingest(Array.from({ length: 20 }, () => line), { maxBytes: 1000 });
    expect(result).toEqual({
      ok: false,
      tooLarge: true,
      errors: [{ line: 10, reason: "the upload is larger than the limit of 1000 bytes" }],
      kinds: [{ reason: "the upload is larger than the limit of 1000 bytes", count: 1, lines: [10] }],
      fields: ["text"],
    });
    expect(await filesIn(dir)).toEqual([]);
  });

  it("stops at a line longer than maxRecordChars, even one that never ends", async () => {
    const long = await ingest(['{"text":"ok"}\n', "x".repeat(400), "x".repeat(400)], { maxRecordChars: 200 });
    expect(errorsOf(long.result)).toEqual([{ line: 2, reason: "a line longer than 200 characters" }]);
    const ended = await ingest(`{"text":"${"é".repeat(150)}"}\n`, { maxRecordChars: 100 });
    expect(errorsOf(ended.result)).toEqual([{ line: 1, reason: "a line longer than 100 characters" }]);
  });

  it("deletes the temp file when the source fails, and passes the failure on", async () => {
    const dir = await scratchDir();
    async function* failing() {
      yield Buffer.from('{"text":"a"}\n');
      throw new Error("connection reset");
    }
    const options = { source: failing(), format: "jsonl", textField: "text", destination: join(dir, "v.jsonl"), maxBytes: 100 } as const;
    await expect(ingestUpload(options)).rejects.toThrow("connection reset");
    expect(await filesIn(dir)).toEqual([]);
  });

  it("refuses settings where the subject field is the text field", async () => {
    await expect(ingest('{"text":"a"}', { subjectField: "text" })).rejects.toThrow("must differ");
  });
});

describe("ingestUpload, CSV", () => {
  const csv = (body: string, options: Partial<Omit<IngestOptions, "source" | "destination">> = {}) =>
    ingest(body, { format: "csv", textField: "body", subjectField: "id", ...options });

  it("reads quoted fields with commas, doubled quotes and line breaks", async () => {
    const upload = 'id,body,city\r\n1,"Hello, ""world""\r\nsecond line",Paris\r\n2,plain,\r\n\r\n1,again,Lyon\r\n';
    const { result, destination } = await csv(upload);
    expect(await readFile(destination, "utf8")).toBe(
      [
        '{"text":"Hello, \\"world\\"\\nsecond line","subject":"1","fields":{"city":"Paris"}}',
        '{"text":"plain","subject":"2","fields":{}}',
        '{"text":"again","subject":"1","fields":{"city":"Lyon"}}',
        "",
      ].join("\n"),
    );
    expect(summaryOf(result)).toMatchObject({ recordCount: 3, subjectCount: 2, maxRecordsPerSubject: 2, fields: ["city"] });
  });

  it("reports a record at the physical line where it starts", async () => {
    const upload = 'id,body\n1,"three\nline\nrecord"\n2,too,many\n3,"x"y\n4,"a"\n5,b"c\n6,"never closed\n7,x\n';
    const { result, dir } = await csv(upload);
    expect(errorsOf(result)).toEqual([
      { line: 5, reason: "expected 2 columns, found 3" },
      { line: 6, reason: "text after the closing quote of a field" },
      { line: 8, reason: "a quote inside an unquoted field (quote the field and double the quote)" },
      { line: 9, reason: "a quoted field is never closed" },
    ]);
    expect(await filesIn(dir)).toEqual([]);
  });

  it("names the header's columns when the text column is missing", async () => {
    const { result } = await ingest("body,who\nhello,u1\n", { format: "csv", textField: "text" });
    if (result.ok) throw new Error("accepted");
    expect(result.kinds).toEqual([{ reason: 'the header has no "text" column', count: 1, lines: [1] }]);
    expect(result.fields).toEqual(["body", "who"]);
  });

  it("refuses a header without the chosen columns, or with blank or repeated names", async () => {
    expect(errorsOf((await csv("id,text\n1,a\n")).result)).toEqual([{ line: 1, reason: 'the header has no "body" column' }]);
    expect(errorsOf((await csv("id,body,,body\n")).result)).toEqual([
      { line: 1, reason: "column 3 has no name" },
      { line: 1, reason: 'column "body" appears twice' },
    ]);
  });

  it("refuses empty text or subject cells and a header with no records", async () => {
    expect(errorsOf((await csv("id,body\n,a\n2,\n")).result)).toEqual([
      { line: 2, reason: 'the subject field "id" is empty' },
      { line: 3, reason: 'the text field "body" is empty' },
    ]);
    expect(errorsOf((await csv("id,body\n")).result)).toEqual([{ line: 2, reason: "no records" }]);
  });

  it("stops at a quoted record longer than maxRecordChars instead of holding the rest of the file", async () => {
    const { result } = await csv(`id,body\n1,"${"line\n".repeat(100)}`, { maxRecordChars: 100 });
    expect(errorsOf(result)).toEqual([{ line: 2, reason: "a record longer than 100 characters" }]);
  });
});
