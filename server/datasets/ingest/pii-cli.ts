// `npm run --silent pii -- scan --input FILE.jsonl [--text-field text] [--json]`: the upload's PII detector on each line of a JSONL file.
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { findEntities } from "./pii";

export const USAGE = "usage: npm run --silent pii -- scan --input FILE.jsonl [--text-field text] [--json]";

const optionsSchema = z.strictObject({
  input: z.string().min(1),
  textField: z.string().min(1),
  json: z.boolean(),
});
type Options = z.infer<typeof optionsSchema>;

/** A refusal of the arguments: exit 2 with a message naming the argument. */
class UsageError extends Error {}

function parseArguments(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command !== "scan") throw new UsageError(command === undefined ? "missing command (scan)" : `unknown command ${JSON.stringify(command)}`);
  const options: Partial<Options> = { textField: "text", json: false };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] as string;
    if (arg === "--json") {
      options.json = true;
    } else if (arg === "--input" || arg === "--text-field") {
      const value = rest[i + 1];
      if (value === undefined || value === "" || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      if (arg === "--input") options.input = value;
      else options.textField = value;
      i += 1;
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (options.input === undefined) throw new UsageError("--input is required");
  return optionsSchema.parse(options);
}

const lineSchema = z.record(z.string(), z.unknown());

/** What one input line gives: its entities, or why it has none. */
export type LineResult =
  | { line: number; entities: { type: string; start: number; end: number }[] }
  | { line: number; error: string };

/** Scans one line of the file (1-based `line`); blank lines give nothing. */
export function scanLine(text: string, line: number, textField: string): LineResult | null {
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, error: `line ${line}: not valid JSON` };
  }
  const record = lineSchema.safeParse(value);
  if (!record.success) return { line, error: `line ${line}: not a JSON object` };
  const field = record.data[textField];
  if (typeof field !== "string") {
    return { line, error: `line ${line}: the text field ${JSON.stringify(textField)} is ${field === undefined ? "missing" : "not a string"}` };
  }
  return { line, entities: findEntities(field).map(({ type, start, end }) => ({ type, start, end })) };
}

function describe(result: LineResult): string {
  if ("error" in result) return result.error;
  const found = result.entities.map((e) => `${e.type} ${e.start}-${e.end}`).join(", ");
  return `line ${result.line}: ${found === "" ? "nothing found" : found}`;
}

/**
 * Runs the command; resolves to its exit status: 0, 1 when a line was not JSON or lacked the text field (each such
 * line is reported in place, as {"line", "error"} with --json, and the scan goes on), 2 for bad arguments.
 */
export async function runPiiCli(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let options: Options;
  try {
    options = parseArguments(argv);
    await access(options.input).catch(() => {
      throw new UsageError(`--input ${JSON.stringify(options.input)}: no such readable file`);
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`pii: ${error.message}\n${USAGE}`);
    return 2;
  }
  let failed = false;
  let number = 0;
  const lines = createInterface({ input: createReadStream(options.input, "utf8"), crlfDelay: Infinity });
  for await (const text of lines) {
    number += 1;
    const result = scanLine(text, number, options.textField);
    if (result === null) continue;
    if ("error" in result) failed = true;
    out(options.json ? JSON.stringify(result) : describe(result));
  }
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A reader that stops early (`| head`) ends the scan quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  process.exitCode = await runPiiCli(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}
