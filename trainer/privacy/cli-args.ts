// Argument parsing for the dp CLI (cli.ts), kept pure so it can be unit-tested: argv in, a typed command out, or a
// CliUsageError whose message names the offending argument.

import { z } from "zod";
import { ACCOUNTANT_NAMES, type AccountantName } from "./accountant";

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

export const USAGE = `usage: npm run --silent dp -- <command> [options] [--json]

commands:
  epsilon    --sampling-rate Q --noise-multiplier S --steps T --delta D [--accountant rdp|pld]
  calibrate  --target-epsilon E --delta D --sampling-rate Q --steps T [--accountant rdp|pld]
  rdp        --sampling-rate Q --noise-multiplier S --orders A,B,...   (RDP of one step)

options:
  --accountant rdp|pld          accountant to use (default rdp)
  --discretisation-interval X   PLD grid interval of privacy-loss values (default 1e-4)
  --json                        print one JSON object on stdout
`;

const number = (rule: string, check: (v: number) => boolean) =>
  z
    .string()
    .trim()
    .regex(/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, rule)
    .transform(Number)
    .refine(check, rule);

const samplingRate = number("must be a number in (0, 1]", (v) => v > 0 && v <= 1);
const noiseMultiplier = number("must be a number > 0", (v) => v > 0 && Number.isFinite(v));
const steps = number("must be a whole number >= 1", (v) => Number.isSafeInteger(v) && v >= 1);
const delta = number("must be a number in (0, 1)", (v) => v > 0 && v < 1);
const targetEpsilon = number("must be a number > 0", (v) => v > 0 && Number.isFinite(v));
const interval = number("must be a number in (0, 1]", (v) => v > 0 && v <= 1);
const accountant = z.enum(ACCOUNTANT_NAMES, { error: `must be ${ACCOUNTANT_NAMES.join(" or ")}` });
const orders = z
  .string()
  .transform((raw, ctx) => {
    const values = raw.split(",").map((part) => Number(part.trim()));
    if (raw.trim() === "" || values.some((v) => !Number.isFinite(v) || v <= 1)) {
      ctx.addIssue({ code: "custom", message: "must be a comma-separated list of numbers > 1" });
      return z.NEVER;
    }
    return values;
  });

const COMMANDS = {
  epsilon: {
    required: { "sampling-rate": samplingRate, "noise-multiplier": noiseMultiplier, steps, delta },
    optional: { accountant, "discretisation-interval": interval },
  },
  calibrate: {
    required: { "target-epsilon": targetEpsilon, delta, "sampling-rate": samplingRate, steps },
    optional: { accountant, "discretisation-interval": interval },
  },
  rdp: {
    required: { "sampling-rate": samplingRate, "noise-multiplier": noiseMultiplier, orders },
    optional: {},
  },
} as const;

interface Common {
  json: boolean;
}
export type CliCommand =
  | { command: "help" }
  | (Common & {
      command: "epsilon";
      samplingRate: number;
      noiseMultiplier: number;
      steps: number;
      delta: number;
      accountant: AccountantName;
      discretisationInterval?: number;
    })
  | (Common & {
      command: "calibrate";
      targetEpsilon: number;
      delta: number;
      samplingRate: number;
      steps: number;
      accountant: AccountantName;
      discretisationInterval?: number;
    })
  | (Common & { command: "rdp"; samplingRate: number; noiseMultiplier: number; orders: number[] });

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses the arguments after `dp`: a command, then `--name value` / `--name=value` pairs and the `--json` flag. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return { command: "help" };
  if (!Object.hasOwn(COMMANDS, name)) {
    throw new CliUsageError(`unknown command '${name}' (expected one of: ${Object.keys(COMMANDS).join(", ")})`);
  }
  const spec = COMMANDS[name as keyof typeof COMMANDS];
  const known: Record<string, z.ZodType<unknown, string>> = { ...spec.required, ...spec.optional };
  const raw = new Map<string, string>();
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "--json") {
      json = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new CliUsageError(`unexpected argument '${arg}' (options look like --name value)`);
    const flag = match[1] as string;
    if (!Object.hasOwn(known, flag)) throw new CliUsageError(`unknown option --${flag} for '${name}'`);
    if (raw.has(flag)) throw new CliUsageError(`--${flag} given more than once`);
    let value = match[2];
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined || value.startsWith("--")) throw new CliUsageError(`--${flag} needs a value`);
    }
    raw.set(flag, value);
  }
  const parsed: Record<string, unknown> = { command: name, json };
  for (const flag of Object.keys(spec.required)) {
    if (!raw.has(flag)) throw new CliUsageError(`missing --${flag} for '${name}'`);
  }
  for (const [flag, value] of raw) {
    const result = (known[flag] as z.ZodType<unknown, string>).safeParse(value);
    if (!result.success) {
      throw new CliUsageError(`--${flag} ${result.error.issues[0]?.message ?? "is invalid"}, got '${value}'`);
    }
    parsed[camel(flag)] = result.data;
  }
  if (name !== "rdp") parsed.accountant ??= "rdp";
  return parsed as CliCommand;
}
