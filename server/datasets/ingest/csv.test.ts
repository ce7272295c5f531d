// Tests of the line-by-line RFC 4180 reader: records across lines, quotes, and where each record starts.
import { describe, expect, it } from "vitest";
import { createCsvReader, type CsvStep } from "./csv";

function readLines(lines: string[], maxRecordChars = 1000): CsvStep[] {
  const reader = createCsvReader(maxRecordChars);
  const steps = lines.map((line, i) => reader.push(line, i + 1));
  return [...steps, reader.end()].filter((step) => step.kind !== "pending");
}

describe("createCsvReader", () => {
  it("splits plain and quoted fields, undoubles quotes and keeps empty fields", () => {
    expect(readLines(['a,"b,c","say ""hi""",,""'])).toEqual([
      { kind: "record", line: 1, values: ["a", "b,c", 'say "hi"', "", ""] },
    ]);
  });

  it("joins a quoted field across lines with \\n and reports the record at its first line", () => {
    expect(readLines(["x,y", '1,"first', "", 'third"', "2,z"])).toEqual([
      { kind: "record", line: 1, values: ["x", "y"] },
      { kind: "record", line: 2, values: ["1", "first\n\nthird"] },
      { kind: "record", line: 5, values: ["2", "z"] },
    ]);
  });

  it("skips empty lines between records", () => {
    expect(readLines(["a", "", "b"]).map((step) => step.kind === "record" && step.line)).toEqual([1, 3]);
  });

  it("reports stray quotes, and a quote never closed at the line it opened", () => {
    expect(readLines(['"a"b,c', 'a"b', '1,"open', "more"])).toEqual([
      { kind: "error", line: 1, reason: "text after the closing quote of a field" },
      { kind: "error", line: 2, reason: "a quote inside an unquoted field (quote the field and double the quote)" },
      { kind: "error", line: 3, reason: "a quoted field is never closed" },
    ]);
  });

  it("stops a record that grows past the limit", () => {
    expect(readLines(['"' + "x".repeat(6), "x".repeat(6)], 10)).toEqual([
      { kind: "error", line: 1, reason: "a record longer than 10 characters", fatal: true },
      { kind: "error", line: 1, reason: "a quoted field is never closed" },
    ]);
  });
});
