// `npm run verify -- FILE [--weights WEIGHTS_FILE] [--json]`: verifies a provenance export offline and prints each
// check. Exit codes: 0 verified, 1 a check failed, 2 bad arguments or an unreadable file.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { verifyBundle } from "./verify";

const USAGE = "usage: npm run verify -- FILE [--weights WEIGHTS_FILE] [--json]";

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    return usage(`cannot read the ${what} ${path}: ${(cause as Error).message}`);
  }
}

function parseCommandLine() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: { weights: { type: "string" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    return usage((cause as Error).message);
  }
}

const args = parseCommandLine();
if (args.positionals.length !== 1) usage("give exactly one export file");

const file = read(args.positionals[0]!, "export file");
const weights = args.values.weights === undefined ? undefined : read(args.values.weights, "weights file");
const result = verifyBundle(file, weights === undefined ? {} : { weights });

if (args.values.json) {
  console.log(JSON.stringify({ ok: result.ok, checks: result.checks }));
} else {
  for (const check of result.checks) console.log(`${check.ok ? "PASS" : "FAIL"} ${check.name}: ${check.detail}`);
  const failed = result.checks.filter((c) => !c.ok).length;
  console.log(
    failed === 0
      ? `verified: ${result.checks.length} checks passed`
      : `NOT verified: ${failed} of ${result.checks.length} checks failed`,
  );
}
process.exit(result.ok ? 0 : 1);
