// Tests of the stored record form: fixed bytes for the same content, and reading a version file back.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRecords, serialiseRecord, type NormalisedRecord } from "./records";
import { scratchDir } from "./testing";

async function readAll(path: string): Promise<NormalisedRecord[]> {
  const records: NormalisedRecord[] = [];
  for await (const record of readRecords(path)) records.push(record);
  return records;
}

describe("serialiseRecord", () => {
  it("writes text, subject, then the fields sorted by name, on one line", () => {
    const line = serialiseRecord({ fields: { b: "2", a: "1\n" }, subject: null, text: 'say "hi"' });
    expect(line).toBe('{"text":"say \\"hi\\"","subject":null,"fields":{"a":"1\\n","b":"2"}}\n');
    expect(serialiseRecord({ text: 'say "hi"', subject: null, fields: { a: "1\n", b: "2" } })).toBe(line);
  });
});

describe("readRecords", () => {
  it("reads back what was written and sees every byte", async () => {
    const records: NormalisedRecord[] = [
      { text: "a", subject: "s", fields: { k: "v" } },
      { text: "b\u2028c", subject: null, fields: {} },
    ];
    const path = join(await scratchDir(), "v.jsonl");
    const content = records.map(serialiseRecord).join("");
    await writeFile(path, content);
    let bytes = 0;
    const read: NormalisedRecord[] = [];
    for await (const record of readRecords(path, (chunk) => (bytes += chunk.length))) read.push(record);
    expect(read).toEqual(records);
    expect(bytes).toBe(Buffer.byteLength(content));
  });

  it("refuses a line that is not a normalised record, with its number", async () => {
    const path = join(await scratchDir(), "v.jsonl");
    await writeFile(path, '{"text":"a","subject":null,"fields":{}}\nnot json\n');
    await expect(readAll(path)).rejects.toThrow(`${path}:2 is not a normalised record`);
  });
});
