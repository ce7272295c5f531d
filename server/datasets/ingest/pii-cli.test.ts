// Tests of the pii CLI's contract: one JSON object per line with the upload detector's spans, per-line errors, argument refusals.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findEntities } from "./pii";
import { runPiiCli } from "./pii-cli";
import { scratchDir } from "./testing";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPiiCli(argv, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

async function input(content: string): Promise<string> {
  const path = join(await scratchDir(), "in.jsonl");
  await writeFile(path, content);
  return path;
}

describe("pii scan", () => {
  it("prints one object per line with the upload detector's types and string offsets", async () => {
    const texts = ["Dear José García, SSN 123456789", "mail ann@example.com from 010.001.002.003", "nothing here"];
    const path = await input(`${texts.map((text) => JSON.stringify({ text, other: 1 })).join("\n")}\n`);
    const { code, out } = await run(["scan", "--input", path, "--json"]);
    expect(code).toBe(0);
    expect(out.map((line) => JSON.parse(line))).toEqual(
      texts.map((text, i) => ({ line: i + 1, entities: findEntities(text).map(({ type, start, end }) => ({ type, start, end })) })),
    );
    expect(JSON.parse(out[0] as string)).toEqual({
      line: 1,
      entities: [
        { type: "person_name", start: 5, end: 16 },
        { type: "ssn", start: 22, end: 31 },
      ],
    });
  });

  it("reads another text field, skips blank lines and reports bad lines in place with exit 1", async () => {
    const path = await input('{"body": "Ms. Nguyen"}\n\nnot json\n[1]\n{"text": "x"}\n{"body": 3}\n');
    const { code, out } = await run(["scan", "--input", path, "--text-field", "body", "--json"]);
    expect(code).toBe(1);
    expect(out.map((line) => JSON.parse(line))).toEqual([
      { line: 1, entities: [{ type: "person_name", start: 4, end: 10 }] },
      { line: 3, error: "line 3: not valid JSON" },
      { line: 4, error: "line 4: not a JSON object" },
      { line: 5, error: 'line 5: the text field "body" is missing' },
      { line: 6, error: 'line 6: the text field "body" is not a string' },
    ]);
  });

  it("prints a line per record without --json", async () => {
    const path = await input('{"text": "SSN 123456789"}\n{"text": "hello"}\n');
    expect((await run(["scan", "--input", path])).out).toEqual(["line 1: ssn 4-13", "line 2: nothing found"]);
  });

  it.each([
    [[], "missing command"],
    [["check"], 'unknown command "check"'],
    [["scan"], "--input is required"],
    [["scan", "--input"], "--input needs a value"],
    [["scan", "--input", "/nonexistent/file.jsonl"], '--input "/nonexistent/file.jsonl"'],
    [["scan", "--input", "x.jsonl", "--text-field"], "--text-field needs a value"],
    [["scan", "--input", "x.jsonl", "--csv"], 'unknown argument "--csv"'],
  ])("refuses %j with exit 2 naming the argument", async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("\n")).toContain(message);
  });
});
