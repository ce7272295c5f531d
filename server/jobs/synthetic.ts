// The job runner's side of synthetic data: claims the oldest queued job, samples its records from the version's model
// with the trainer's `generate` in batches (recording progress, stopping at a cancel between batches), writes them as
// a synthetic dataset version, validates them against the source run's records (regenerated from the dataset version's
// file with the run's hold-out), measures train-on-synthetic-test-on-real when they carry labels, and records the
// version with its report.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { first, type Db } from "../../db/client";
import { modelVersions, runCanaries, runs, syntheticJobs, type Run, type SyntheticJob } from "../../db/schema";
import type { Example } from "../../trainer/contract/ngram-classifier";
import { openVersionWriter } from "../datasets/ingest/version-file";
import { summaryFields } from "../datasets/service";
import { Reservoir } from "../reservoir";
import { runRequestInput } from "../runs/run-request";
import { splitRunRecords, trainedRecords } from "../runs/run-files";
import { modelStoreFor } from "../storage/model-store";
import type { Utility } from "../synthetic/report";
import { plannedRecords, syntheticRequestSchema } from "../synthetic/request";
import { currentThresholds, recordProgress, recordSyntheticEnd, recordSyntheticVersion } from "../synthetic/service";
import { syntheticUtility } from "../synthetic/utility";
import { validateSynthetic, type SyntheticRecord } from "../synthetic/validation";
import { claimOldestQueued, inWorkDir, trainerProbes } from "./evaluations";

/** Trainer starts per job at most (each batch is one; progress and cancels are seen between batches). */
const MAX_BATCHES = 20;
const MIN_BATCH = 16;

/** The source run's training texts as trained on, canaries aside (they are checked for apart). */
async function* trainingTexts(db: Db, dataDir: string, run: Run): AsyncGenerator<string> {
  for await (const { split, record } of trainedRecords(db, dataDir, run)) if (split === "train" && !record.subject_id.startsWith("canary:")) yield record.text;
}

async function heldOutTexts(db: Db, dataDir: string, run: Run): Promise<string[]> {
  const texts: string[] = [];
  for await (const { split, record } of trainedRecords(db, dataDir, run)) if (split === "validation") texts.push(record.text);
  return texts;
}

/** Real training records the utility's real classifier learns from, at most (a uniform sample). */
const MAX_REAL_EXAMPLES = 5000;

/** Train on synthetic, test on real, over the labels the source run was trained with. */
async function utilityOf(db: Db, dataDir: string, run: Run, records: readonly SyntheticRecord[], labels: readonly string[]): Promise<Utility> {
  const task = runRequestInput.parse(JSON.parse(run.spec)).task;
  if (!task) return { skipped: "The source run was not trained with labels." };
  const shared = labels.filter((l) => task.labels.includes(l));
  const train = new Reservoir<Example>(MAX_REAL_EXAMPLES);
  const heldOut: Example[] = [];
  for await (const { split, record } of splitRunRecords(db, dataDir, run)) {
    if (record.label === undefined || record.subject_id.startsWith("canary:")) continue;
    if (split === "train") train.add({ text: record.text, label: record.label });
    else heldOut.push({ text: record.text, label: record.label });
  }
  return syntheticUtility(records, { train: train.items(), heldOut }, shared);
}

type Outcome = { records: SyntheticRecord[] } | { cancelled: true };

/** Samples the planned records batch by batch; stops (cancelled) when a cancel was asked for. */
async function generateRecords(db: Db, job: SyntheticJob, modelDir: string, probes: ReturnType<typeof trainerProbes>): Promise<Outcome> {
  const request = syntheticRequestSchema.parse(JSON.parse(job.request));
  const plan = plannedRecords(request);
  const batch = Math.max(MIN_BATCH, Math.ceil(plan.length / MAX_BATCHES));
  const { temperature, top_k, top_p } = request.decoding;
  const records: SyntheticRecord[] = [];
  for (let at = 0; at < plan.length; at += batch) {
    const slice = plan.slice(at, at + batch);
    const outputs = await probes.generate(modelDir, slice.map((p) => p.prompt), request.max_tokens, { temperature, top_k, top_p });
    slice.forEach((p, k) => records.push({ text: outputs[k]!, label: p.label }));
    if ((await recordProgress(db, job.id, records.length)).cancelRequested) return { cancelled: true };
  }
  return { records };
}

async function carryOut(db: Db, dataDir: string, trainerCommand: readonly string[], job: SyntheticJob, workDir: string): Promise<void> {
  const request = syntheticRequestSchema.parse(JSON.parse(job.request));
  const version = (await first(db.select().from(modelVersions).where(eq(modelVersions.id, job.modelVersionId))))!;
  const run = (await first(db.select().from(runs).where(eq(runs.id, version.runId!))))!;
  const modelDir = await modelStoreFor(dataDir).materialize(version.weightsPath);
  const outcome = await generateRecords(db, job, modelDir, trainerProbes(trainerCommand, workDir));
  if ("cancelled" in outcome) return recordSyntheticEnd(db, job, { status: "cancelled", reason: null });
  // A record the model ended at once is kept as one blank (a record's text may not be empty).
  const records = outcome.records.map((r) => ({ ...r, text: r.text.trim() === "" ? " " : r.text }));
  const storagePath = path.join("datasets", `${randomUUID()}.jsonl`);
  const destination = path.join(dataDir, storagePath);
  const writer = await openVersionWriter(destination);
  try {
    for (const r of records) await writer.write({ text: r.text, subject: null, fields: r.label === null ? {} : { [request.label_field]: r.label } });
    // The source of a synthetic version is its model: its weights' digest.
    const summary = await writer.commit({ digest: version.weightsDigest, bytes: 0 });
    const canaries = await db.select({ secret: runCanaries.secret }).from(runCanaries).where(and(eq(runCanaries.runId, run.id), eq(runCanaries.included, true)));
    const report = await validateSynthetic({
      synthetic: records,
      training: trainingTexts(db, dataDir, run),
      heldOut: await heldOutTexts(db, dataDir, run),
      canarySecrets: canaries.map((c) => c.secret),
      thresholds: await currentThresholds(db),
    });
    const utility = request.labels.length > 0 ? await utilityOf(db, dataDir, run, records, request.labels) : undefined;
    const made = { format: "jsonl" as const, textField: "text", subjectField: null, storagePath, ...summaryFields(summary), minimisation: null };
    await recordSyntheticVersion(db, job, made, utility === undefined ? report : { ...report, utility });
  } catch (err) {
    await writer.abort();
    await rm(destination, { force: true });
    throw err;
  }
}

/** Carries out the oldest queued synthetic-data job, if any; returns whether there was one. */
export async function runNextSynthetic(db: Db, dataDir: string, trainerCommand: readonly string[], runnerId: string): Promise<boolean> {
  const job = await claimOldestQueued(db, syntheticJobs, runnerId);
  if (job === undefined) return false;
  if (job === null) return true;
  await inWorkDir(dataDir, job.id, (workDir) =>
    carryOut(db, dataDir, trainerCommand, job, workDir).catch((err: Error) => recordSyntheticEnd(db, job, { status: "failed", reason: err.message })),
  );
  return true;
}
