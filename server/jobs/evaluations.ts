// The job runner's side of leakage evaluations: claims the oldest queued one (a conditional update one runner wins),
// runs the leakage tests with the trainer's `score` and `generate` in subprocesses (on records regenerated from the
// dataset version's file with the run's hold-out, each text as the model was trained on it), and records the outcome.
import { randomInt } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import { first, transaction, type Db } from "../../db/client";
import { leakageReports, redTeamExercises, syntheticJobs } from "../../db/schema";
import { generateLineSchema, scoreLineSchema } from "../../trainer/contract/evaluation-protocol";
import { evaluateModel, type ModelProbes, type Sampling } from "../leakage/evaluate-model";
import { recordEvaluation, recordEvaluationFailure } from "../leakage/jobs";
import { mkdirPrivate, writePrivateFile } from "../private-files";
import { trainedRecords } from "../runs/run-files";
import { startTrainer } from "./trainer-process";

/** Runs a trainer evaluation command over JSON lines of texts and returns its per-line results in order. */
async function trainerLines<L extends { type: string }, T>(
  trainerCommand: readonly string[],
  args: string[],
  texts: readonly string[],
  workDir: string,
  schema: z.ZodType<L>,
  pick: (line: L) => T | null,
): Promise<T[]> {
  const file = path.join(workDir, `input-${args[0]}-${randomInt(1e9)}.jsonl`);
  writePrivateFile(file, texts.map((text) => JSON.stringify({ text })).join("\n"));
  const out: T[] = [];
  let failure: string | null = null;
  const trainer = startTrainer({
    command: trainerCommand,
    args: args.map((a) => (a === "{input}" ? file : a)),
    schema,
    onMessage: (line) => {
      if (line.type === "failed") failure = "reason" in line && typeof line.reason === "string" ? line.reason : "failed";
      const picked = pick(line);
      if (picked !== null) out.push(picked);
    },
    onInvalid: (reason) => (failure = reason),
    stderr: "ignore",
  });
  const { code } = await trainer.exited;
  if (failure || code !== 0 || out.length !== texts.length) throw new Error(`trainer ${args[0]} failed: ${failure ?? `exit ${code}`}`);
  return out;
}

/** The trainer's flags for sampled decoding (none for greedy). */
function samplingArgs(sampling: Sampling | undefined): string[] {
  if (!sampling) return [];
  const { temperature, top_k, top_p } = sampling;
  return ["--temperature", String(temperature), ...(top_k === null ? [] : ["--top-k", String(top_k)]), ...(top_p === null ? [] : ["--top-p", String(top_p)])];
}

/** The trainer's score and generate as subprocesses, with their input files in `workDir`. */
export function trainerProbes(trainerCommand: readonly string[], workDir: string): ModelProbes {
  return {
    score: (modelDir, texts) =>
      trainerLines(trainerCommand, ["score", "--model", modelDir, "--texts", "{input}"], texts, workDir, scoreLineSchema, (line) =>
        line.type === "score" ? line.loss : null,
      ),
    generate: (modelDir, prompts, maxTokens, sampling) =>
      trainerLines(
        trainerCommand,
        ["generate", "--model", modelDir, "--prompts", "{input}", "--max-tokens", String(maxTokens), ...samplingArgs(sampling)],
        prompts,
        workDir,
        generateLineSchema,
        (line) => (line.type === "completion" ? line.completion : null),
      ),
  };
}

/**
 * Runs a job in its own owner-only folder under the data directory, removed when it ends: the texts a job scores or
 * prompts with are training records, regenerated from the dataset version's file, and live there only meanwhile.
 */
export async function inWorkDir(dataDir: string, jobId: string, work: (workDir: string) => Promise<void>): Promise<void> {
  const workDir = path.join(dataDir, "jobs", jobId);
  mkdirPrivate(workDir);
  try {
    await work(workDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The job runner's tables of queued jobs that use the trainer: leakage evaluations, red-team exercises, synthetic data. */
type JobTable = typeof leakageReports | typeof redTeamExercises | typeof syntheticJobs;

/**
 * The oldest queued job of `jobs`, claimed for `runnerId` by a conditional update (of two runners, one carries it
 * out): the job, undefined when none is queued, or null when another runner claimed it first.
 */
export async function claimOldestQueued<T extends JobTable>(db: Db, jobs: T, runnerId: string): Promise<T["$inferSelect"] | undefined | null> {
  const table: JobTable = jobs;
  const job = await first(db.select().from(table).where(eq(table.status, "queued")).orderBy(asc(table.requestedAt)).limit(1));
  if (!job) return undefined;
  const claimed = await transaction(db, (tx) =>
    tx
      .update(table)
      .set({ status: "running", runnerId })
      .where(and(eq(table.id, job.id), eq(table.status, "queued")))
      .returning({ id: table.id }),
  );
  return claimed.length === 1 ? (job as T["$inferSelect"]) : null;
}

/** Carries out the oldest queued evaluation, if any; returns whether there was one. */
export async function runNextEvaluation(db: Db, dataDir: string, trainerCommand: readonly string[], runnerId: string): Promise<boolean> {
  const job = await claimOldestQueued(db, leakageReports, runnerId);
  if (job === undefined) return false;
  if (job === null) return true;
  await inWorkDir(dataDir, job.id, async (workDir) => {
    try {
      const stored = await evaluateModel(db, dataDir, job.modelVersionId, {
        probes: trainerProbes(trainerCommand, workDir),
        probeOutputs: job.kind === "drift_probe",
        records: (run) => trainedRecords(db, dataDir, run),
      });
      await recordEvaluation(db, job, stored);
    } catch (err) {
      await recordEvaluationFailure(db, job, (err as Error).message);
    }
  });
  return true;
}
