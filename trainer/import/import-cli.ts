// `npm run trainer -- import --dir DIR --out MODEL_DIR [--license TEXT] [--json]`: the arguments, the import, and
// what it prints (one JSON object with --json). Exit 0 imported, 1 refused (the reason names the file and key), 2 bad
// arguments.

import { existsSync, statSync } from "node:fs";
import { importCheckpoint, ImportError } from "./import-checkpoint";

export const IMPORT_USAGE = `  npm run trainer -- import --dir DIR --out MODEL_DIR [--license TEXT] [--json]
      Imports a GPT-2-family checkpoint in Hugging Face's format from DIR (config.json, model.safetensors, and
      vocab.json + merges.txt or tokenizer.json) into the new directory MODEL_DIR, which the trainer then runs from
      (npm run models -- register then registers it as a base model in the app). Prints, with --json, one JSON object
      {"model_dir","parameters","tokenizer","weights_sha256","config_sha256","files","config"}; files holds the
      SHA-256 of every source file. Refused (exit 1, nothing written) when a file, key or shape does not fit.
`;

export function importCommand(args: readonly string[], log: (line: string) => void): number {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    if (flag === "--json") flags.json = true;
    else if (["--dir", "--out", "--license"].includes(flag) && args[i + 1] !== undefined) flags[flag.slice(2)] = args[++i] as string;
    else return usage(log, `unknown argument ${flag}`);
  }
  const { dir, out, license, json } = flags;
  if (typeof dir !== "string" || typeof out !== "string") return usage(log, "--dir and --out are required");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usage(log, `--dir: no such directory ${dir}`);
  try {
    const result = importCheckpoint(dir, out, { license: typeof license === "string" ? license : null });
    process.stdout.write(
      json ? `${JSON.stringify(result)}\n` : `imported ${result.parameters.toLocaleString("en")} parameters into ${result.model_dir} (weights ${result.weights_sha256})\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    log(`trainer import: ${error.message}`);
    return 1;
  }
}

function usage(log: (line: string) => void, problem: string): number {
  log(`trainer import: ${problem}\nusage:\n${IMPORT_USAGE}`);
  return 2;
}
