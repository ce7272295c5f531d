// The trainer's command line, a process of its own (the server spawns it; Next never bundles it):
//   npm run trainer -- train [--spec FILE] [--resume] [--charged-steps N] [--workers N]   fine-tune as the run spec says (stdin if no --spec, or "-");
//                                                       JSON lines on stdout (contract/protocol.ts), progress on stderr
//   npm run trainer -- pretrain [options]               train the base model on a public-domain corpus (run/pretrain.ts)
//   npm run trainer -- score --model DIR --texts FILE   each text's mean token loss under the model (eval/score.ts)
//   npm run trainer -- generate --model DIR --prompts FILE --max-tokens N [sampling]   completions (eval/generate.ts)
//   npm run trainer -- holdout --input FILE --unit record|subject --key HEX [--fraction F] [--json]
//                                                       which units of a normalised dataset file are held out (contract/holdout.ts)
//   npm run trainer -- import --dir DIR --out MODEL_DIR [--license TEXT] [--json]
//                                                       a Hugging Face GPT-2 checkpoint into a model directory (import/)
//   npm run trainer -- help
// Exit status: 0 when the run finished (completed, stopped by its budget, or interrupted by SIGTERM with a
// checkpoint) or the evaluation printed its results, 1 when it failed, 2 for bad arguments or an invalid spec.
// score and generate print JSON lines as contract/evaluation-protocol.ts defines them.

import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { initBackend } from "./run/backend";
import { readDataset } from "./run/data";
import { generateLine, scoreLine, type Evaluated, type GenerateLine, type ScoreLine } from "./contract/evaluation-protocol";
import { generate as generateCompletions, GREEDY, type Decoding } from "./eval/generate";
import { HOLDOUT_FRACTION, holdoutFractionSchema, holdoutKeySchema, holdoutOfFile } from "./contract/holdout";
import { disposeModel, loadModel, type Model } from "./model/model";
import type { Tokenizer } from "./model/tokenizer";
import { DEFAULT_PRETRAIN_OPTIONS, parsePretrainArgs, pretrain } from "./run/pretrain";
import { privacyUnitSchema } from "./privacy";
import { backendChoiceSchema, messageLine, parseRunSpec, type BackendChoice, type Message } from "./contract/protocol";
import { scoreTexts } from "./eval/score";
import { runTraining, TrainingFailure } from "./run/train";
import { IMPORT_USAGE, importCommand } from "./import/import-cli";

const USAGE = `usage:
  npm run trainer -- train [--spec FILE] [--resume] [--charged-steps N] [--workers N]
      Fine-tunes as the run spec (JSON, protocol version 1; see trainer/contract/protocol.ts) says; reads the spec from
      stdin when --spec is absent or "-". Writes protocol messages as JSON lines on stdout. SIGTERM stops the run
      at the next step boundary with a checkpoint; --resume continues the same spec from that checkpoint.
      --charged-steps N: the steps the server has charged to the run in earlier segments (after a crash, the step
      that was in flight included); the run counts from there and may run all the spec's remaining steps.
      --workers N: worker threads computing the DP step on a single-core backend (wasm, cpu); default one per core,
      or TRAINER_WORKERS. They change how fast a step is, never what it computes or charges.
  npm run trainer -- pretrain [--out DIR] [--steps N] [--batch N] [--learning-rate X] [--seed N] [--backend NAME]
      Trains the base model, without privacy, on the public-domain text of ${DEFAULT_PRETRAIN_OPTIONS.corpus}
      (default output ${DEFAULT_PRETRAIN_OPTIONS.out}, ${DEFAULT_PRETRAIN_OPTIONS.steps} steps); prints one JSON
      object with the model directory and its digests.
  npm run trainer -- score --model DIR --texts FILE [--backend NAME]
      Scores each text of FILE (JSON lines of {"text": ...}) under the model in DIR: one JSON line per text with its
      mean token loss in nats ({"type":"score","index","loss","tokens","truncated"}), then {"type":"done",...}. A text
      is scored as a training record: end-of-text, its bytes, end-of-text, cut to the model's context.
  npm run trainer -- generate --model DIR --prompts FILE --max-tokens N [--temperature T] [--top-k K] [--top-p P] [--backend NAME]
      Completion of each prompt of FILE (JSON lines of {"text": ...}), until end-of-text or N tokens: greedy
      (deterministic) unless a sampling flag is given, then sampled from softmax(logits / T) (T default 1) cut to the
      K most likely tokens and to the smallest set of probability P. One JSON line per prompt
      ({"type":"completion","index","completion","tokens","stop"}), then {"type":"done",...,"decoding"}.
  npm run trainer -- holdout --input FILE.jsonl --unit record|subject --key HEX [--fraction ${HOLDOUT_FRACTION}] [--json]
      Reads a normalised dataset file ({"text","subject","fields"} lines, as an upload stores them) and prints which
      units are held out for validation: a unit is held out when the HMAC-SHA256 of its identity under KEY (hex, at
      least 16 bytes), read as a number in [0, 1), is below the fraction. A subject's id is its subject id (a record
      without a subject is its own unit); a record's is the SHA-256 hex of its canonical JSON. With --json one object
      {"held_out": [unit ids], "training_units": N, "held_out_units": M}; else one line of counts.
${IMPORT_USAGE}  npm run trainer -- help
`;

class UsageError extends Error {}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function train(args: string[]): Promise<number> {
  let specPath = "-";
  let resume = false;
  let chargedSteps: number | undefined;
  let workers: number | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--spec" && args[i + 1] !== undefined) specPath = args[++i] as string;
    else if (args[i] === "--resume") resume = true;
    else if (args[i] === "--charged-steps" && args[i + 1] !== undefined) {
      chargedSteps = Number(args[++i]);
      if (!Number.isSafeInteger(chargedSteps) || chargedSteps < 0) throw new UsageError(`--charged-steps: expected a whole number >= 0, got ${args[i]}`);
    } else if (args[i] === "--workers" && args[i + 1] !== undefined) {
      workers = Number(args[++i]);
      if (!Number.isSafeInteger(workers) || workers < 1) throw new UsageError(`--workers: expected a whole number >= 1, got ${args[i]}`);
    } else throw new UsageError(`unknown argument ${args[i]}`);
  }
  const emit = (message: Message) => process.stdout.write(messageLine(message));
  let spec;
  try {
    spec = parseRunSpec(JSON.parse(readFileSync(specPath === "-" ? 0 : specPath, "utf8")));
  } catch (error) {
    emit({ type: "failed", reason: (error as Error).message, step: null });
    return 2;
  }
  let stop = false;
  const onSignal = (signal: string) => {
    stop = true;
    log(`${signal}: stopping at the next step boundary`);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    await runTraining(spec, { emit, log, stopRequested: () => stop }, { resume, chargedSteps, workers });
    return 0;
  } catch (error) {
    const cause = error instanceof TrainingFailure ? error.cause : error;
    log((cause as Error).stack ?? String(cause));
    emit({ type: "failed", reason: (error as Error).message, step: error instanceof TrainingFailure ? error.step : null });
    return 1;
  }
}

const evaluationArgsSchema = z.strictObject({
  model: z.string().min(1),
  texts: z.string().min(1).optional(),
  prompts: z.string().min(1).optional(),
  "max-tokens": z.coerce.number().int().min(0).optional(),
  temperature: z.coerce.number().gt(0).optional(),
  "top-k": z.coerce.number().int().min(1).optional(),
  "top-p": z.coerce.number().gt(0).max(1).optional(),
  backend: backendChoiceSchema.default("auto"),
});

type EvaluationFlag = keyof z.input<typeof evaluationArgsSchema>;

/** --name value pairs of score and generate, checked; `required` names the flags the command needs (besides them
 * it takes --backend and the `optional` ones). */
function evaluationArgs(args: string[], required: readonly EvaluationFlag[], optional: readonly EvaluationFlag[] = []) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i] as string, args[i + 1]];
    if (!flag.startsWith("--") || value === undefined) throw new UsageError(`expected --name value, got ${flag}`);
    if (![...required, ...optional, "backend"].includes(flag.slice(2))) throw new UsageError(`unknown argument ${flag}`);
    raw[flag.slice(2)] = value;
  }
  const result = evaluationArgsSchema.safeParse(raw);
  if (!result.success) throw new UsageError(result.error.issues.map((i) => `${i.path.join(".") ? `--${i.path.join(".")}: ` : ""}${i.message}`).join("; "));
  const missing = required.filter((name) => result.data[name] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((name) => `--${name}`).join(", ")}`);
  return result.data;
}

interface EvaluationInput {
  model: Model;
  tokenizer: Tokenizer;
  texts: string[];
  /** What the `done` line ends with: the model's digests and context, the backend, the seconds since the start. */
  evaluated(): Evaluated;
}

/** Loads the model and the JSON-lines texts and runs `evaluate`, which writes its lines; on an error, one failed
 * line (exit status 1). */
async function evaluation(
  options: { model: string; backend: BackendChoice },
  textsFile: string,
  fail: (reason: string) => void,
  evaluate: (input: EvaluationInput) => void,
): Promise<number> {
  const started = performance.now();
  try {
    const backend = await initBackend(options.backend);
    const texts = readDataset(textsFile).records.map((r) => r.text);
    const { model, files, tokenizer } = loadModel(options.model);
    const evaluated = (): Evaluated => ({
      model: files.digests,
      context_length: files.config.context_length,
      backend: backend.name,
      seconds: (performance.now() - started) / 1000,
    });
    try {
      evaluate({ model, tokenizer, texts, evaluated });
    } finally {
      disposeModel(model);
    }
    return 0;
  } catch (error) {
    log((error as Error).stack ?? String(error));
    fail((error as Error).message);
    return 1;
  }
}

function score(args: string[]): Promise<number> {
  const options = evaluationArgs(args, ["model", "texts"]);
  const write = (line: ScoreLine) => process.stdout.write(scoreLine(line));
  return evaluation(options, options.texts as string, (reason) => write({ type: "failed", reason }), ({ model, tokenizer, texts, evaluated }) => {
    const scores = scoreTexts(model, tokenizer, texts);
    scores.forEach((s, index) => write({ type: "score", index, ...s }));
    const tokens = scores.reduce((n, s) => n + s.tokens, 0);
    write({
      type: "done",
      texts: scores.length,
      tokens,
      loss: tokens > 0 ? scores.reduce((sum, s) => sum + s.loss * s.tokens, 0) / tokens : null,
      ...evaluated(),
    });
  });
}

function generate(args: string[]): Promise<number> {
  const options = evaluationArgs(args, ["model", "prompts", "max-tokens"], ["temperature", "top-k", "top-p"]);
  const maxTokens = options["max-tokens"] as number;
  const sampled = options.temperature !== undefined || options["top-k"] !== undefined || options["top-p"] !== undefined;
  const decoding: Decoding = sampled
    ? { kind: "sample", temperature: options.temperature ?? 1, topK: options["top-k"] ?? null, topP: options["top-p"] ?? null }
    : GREEDY;
  const write = (line: GenerateLine) => process.stdout.write(generateLine(line));
  return evaluation(options, options.prompts as string, (reason) => write({ type: "failed", reason }), ({ model, tokenizer, texts: prompts, evaluated }) => {
    generateCompletions(model, tokenizer, prompts, maxTokens, decoding).forEach((c, index) =>
      write({ type: "completion", index, completion: c.text, tokens: c.tokens, stop: c.stop }),
    );
    write({
      type: "done",
      prompts: prompts.length,
      max_tokens: maxTokens,
      ...(decoding.kind === "greedy" ? { decoding: "greedy" } : { decoding: "sample", temperature: decoding.temperature, top_k: decoding.topK, top_p: decoding.topP }),
      ...evaluated(),
    });
  });
}

const holdoutArgsSchema = z.strictObject({
  input: z.string().min(1),
  unit: privacyUnitSchema,
  key: holdoutKeySchema,
  fraction: z.coerce.number().pipe(holdoutFractionSchema).default(HOLDOUT_FRACTION),
  json: z.literal(true).optional(),
});

async function holdout(args: string[]): Promise<number> {
  const raw: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    if (flag === "--json") raw.json = true;
    else if (["--input", "--unit", "--key", "--fraction"].includes(flag) && args[i + 1] !== undefined) raw[flag.slice(2)] = args[++i] as string;
    else throw new UsageError(`unknown argument ${flag}`);
  }
  const parsed = holdoutArgsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const { input, unit, key, fraction, json } = parsed.data;
  if (!existsSync(input)) throw new UsageError(`--input: no such file ${input}`);
  let summary;
  try {
    summary = await holdoutOfFile(input, { unit, key, fraction });
  } catch (error) {
    log(`trainer: ${(error as Error).message}`);
    return 1;
  }
  process.stdout.write(
    json
      ? `${JSON.stringify(summary)}\n`
      : `${summary.held_out_units} ${unit} units held out, ${summary.training_units} for training (fraction ${fraction})\n`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  // stdout carries the protocol only: anything a library logs goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.warn = console.error;
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "train":
        return await train(args);
      case "score":
        return await score(args);
      case "generate":
        return await generate(args);
      case "holdout":
        return await holdout(args);
      case "import":
        return importCommand(args, log);
      case "pretrain": {
        const result = await pretrain(parsePretrainArgs(args), log);
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }
      case "help":
      case undefined:
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as Error).name === "PretrainUsageError") {
      log(`trainer: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    log(`trainer: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
