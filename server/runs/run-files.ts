// A run's directory under DATA_DIR/runs/<id>: the training and validation records in the trainer's format, split by
// the lineage's keyed hold-out (trainer/contract/holdout.ts) so that neighbouring datasets differ in training by one unit at
// most, the canaries the plan included, and the trainer spec (spec.json; a resume uses the very same). All owner-only
// (0700, 0600). The copies of training data are deleted when the run ends, unless a privacy officer keeps them.
import { createWriteStream, readFileSync, rmSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { first, type Db, type Executor } from "../../db/client";
import { datasetVersions, modelVersions, runCanaries, runs, type Run } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import { isHeldOut, unitOf } from "../../trainer/contract/holdout";
import { labelledText } from "../../trainer/contract/labelled-text";
import { parseRunSpec, PROTOCOL_VERSION, type RunSpec, type RunSpecInput } from "../../trainer/contract/protocol";
import { LEDGER_ACCOUNTANT, lineageDelta } from "../budgets/ledger";
import { SYSTEM_ACTOR, audited } from "../audit/service";
import { lineageHoldoutKey } from "../datasets/holdout-key";
import { readRecords } from "../datasets/ingest/records";
import { versionFile } from "../datasets/version-files";
import { canaryPlanSchema } from "../leakage/canaries";
import { mkdirPrivate, touchPrivateFile, writePrivateFile } from "../private-files";
import { modelStoreFor } from "../storage/model-store";
import { runRequestInput } from "./run-request";

/** Validation records written, at most (the first held-out ones in file order; evaluation only, never training). */
const MAX_VALIDATION_RECORDS = 256;
/** Steps between checkpoints, so that an interrupted run loses little when it resumes. */
const CHECKPOINT_EVERY = 10;

export function runDirectory(dataDir: string, runId: string): string {
  return path.join(dataDir, "runs", runId);
}

/** The spec this run's trainer was given (kept in its directory; a resume must use the very same). */
export function readSpec(dataDir: string, runId: string): RunSpec {
  return parseRunSpec(JSON.parse(readFileSync(path.join(runDirectory(dataDir, runId), "spec.json"), "utf8")));
}

async function writeLine(stream: WriteStream, value: unknown): Promise<void> {
  if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, "drain");
}

/**
 * A record in the trainer's format: its text, its privacy unit (`subject:<id>`, `record:<digest>` or `canary:…`) and,
 * when the run has a task, its label (the label field's value, when the record has it).
 */
export interface TrainerRecord {
  text: string;
  subject_id: string;
  label?: string;
}

/**
 * The run's records, split by the lineage's keyed hold-out (each unit held out or not by the keyed hash of its
 * identity, independently of every other unit), read afresh from the dataset version's file: every training record
 * in file order, then the canaries the plan included (each its own unit, repeated as planned), and the first held-out
 * records (validation). The run directory's copies and the leakage evaluation's records both come from here.
 * CONFLICT when the version's files were deleted.
 */
export async function* splitRunRecords(db: Executor, dataDir: string, run: Run): AsyncGenerator<{ split: "train" | "validation"; record: TrainerRecord }> {
  const version = (await first(db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId))))!;
  const file = versionFile(dataDir, version);
  const key = await lineageHoldoutKey(db, run.datasetId);
  let validationRecords = 0;
  const labelField = runRequestInput.parse(JSON.parse(run.spec)).task?.labelField;
  for await (const record of readRecords(file)) {
    const unit = unitOf(record, run.privacyUnit);
    const label = labelField === undefined ? undefined : record.fields[labelField];
    const line = { text: record.text, subject_id: `${unit.kind}:${unit.id}`, ...(label === undefined ? {} : { label }) };
    if (!isHeldOut(key, unit)) {
      yield { split: "train", record: line };
    } else if (validationRecords < MAX_VALIDATION_RECORDS) {
      validationRecords += 1;
      yield { split: "validation", record: line };
    }
  }
  const plan = run.canaryPlan === null ? null : canaryPlanSchema.parse(JSON.parse(run.canaryPlan));
  for (const canary of await db.select().from(runCanaries).where(eq(runCanaries.runId, run.id))) {
    if (!canary.included || !plan) continue;
    for (let r = 0; r < plan.repeats; r++) {
      const subject = run.privacyUnit === "subject" ? `canary:${canary.idx}` : `canary:${canary.idx}:${r}`;
      yield { split: "train", record: { text: canary.secret, subject_id: subject } };
    }
  }
}

/**
 * The run's records as its model was trained on them (splitRunRecords, each text in its labelled form when the run
 * has a task): what the leakage tests and the red team prompt with and compare against.
 */
export async function* trainedRecords(db: Executor, dataDir: string, run: Run): AsyncGenerator<{ split: "train" | "validation"; record: TrainerRecord }> {
  const labels = runRequestInput.parse(JSON.parse(run.spec)).task?.labels ?? null;
  for await (const { split, record } of splitRunRecords(db, dataDir, run)) yield { split, record: { ...record, text: labelledText(record, labels) } };
}

/** Opens an owner-only file to stream lines into. */
function privateStream(file: string): WriteStream {
  touchPrivateFile(file);
  return createWriteStream(file, { flags: "w", mode: 0o600 });
}

/**
 * Writes the run's directory (owner-only): the training and validation records of splitRunRecords, and the trainer
 * spec. Returns the spec's path.
 */
export async function writeRunFiles(db: Db, dataDir: string, run: Run): Promise<string> {
  const dir = runDirectory(dataDir, run.id);
  mkdirPrivate(dir);
  const base = (await first(db.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId))))!;
  const delta = await lineageDelta(db, run.datasetId);
  const request = runRequestInput.parse(JSON.parse(run.spec));

  const train = privateStream(path.join(dir, "train.jsonl"));
  const validation = privateStream(path.join(dir, "validation.jsonl"));
  // Units the trainer will sample from: subjects (distinct), or records (each its own unit, duplicates included).
  const trainSubjects = new Set<string>();
  let trainRecords = 0;
  let validationRecords = 0;
  try {
    for await (const { split, record } of splitRunRecords(db, dataDir, run)) {
      if (split === "train") {
        trainRecords += 1;
        trainSubjects.add(record.subject_id);
        await writeLine(train, record);
      } else {
        validationRecords += 1;
        await writeLine(validation, record);
      }
    }
  } finally {
    await Promise.all([new Promise((r) => train.end(r)), new Promise((r) => validation.end(r))]);
  }
  const trainUnits = run.privacyUnit === "subject" ? trainSubjects.size : trainRecords;
  if (trainUnits === 0) throw new Error("no training records left after holding out validation records");

  const spec: RunSpecInput = {
    protocol_version: PROTOCOL_VERSION,
    run_id: run.id,
    base_model: await modelStoreFor(dataDir).materialize(base.weightsPath),
    output_dir: dir,
    data: { train: path.join(dir, "train.jsonl"), ...(validationRecords > 0 ? { validation: path.join(dir, "validation.jsonl") } : {}) },
    fine_tuning: request.fineTuning.method === "lora" ? { method: "lora", rank: request.fineTuning.rank, ...(request.fineTuning.targets ? { targets: request.fineTuning.targets } : {}) } : { method: "full" },
    optimizer: { name: "adam", learning_rate: request.learningRate },
    steps: run.plannedSteps,
    // Same sampling rate as the server accounts for: q times the units the trainer will see.
    expected_batch_size: run.samplingRate * trainUnits,
    privacy: {
      mode: "dp",
      unit: run.privacyUnit,
      records_per_subject: request.maxRecordsPerSubject,
      target_epsilon: LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, run.plannedSteps), delta),
      delta,
      noise_multiplier: run.noiseMultiplier,
      clip_norm: request.clipNorm,
      accountant: "rdp",
    },
    checkpoint_every: CHECKPOINT_EVERY,
    ...(request.task ? { task: { labels: request.task.labels } } : {}),
  };
  const specPath = path.join(dir, "spec.json");
  writePrivateFile(specPath, JSON.stringify(parseRunSpec(spec), null, 2));
  return specPath;
}

/** The run directory's copies of training data: deleted when the run ends; the model and spec stay. */
export const RUN_COPIES = ["train.jsonl", "validation.jsonl", "checkpoint"] as const;

const ENDED = ["finished", "failed", "cancelled"] as const;

/**
 * Deletes the copies of training data of every run that has ended (finished, failed or cancelled; an interrupted run
 * may be resumed and keeps them) unless a privacy officer keeps them, and records when (audited as the system's
 * doing). Runs this runner's trainers still run (`busy`) wait until their trainer has exited. Returns the runs done.
 */
export async function deleteEndedRunCopies(db: Db, dataDir: string, busy: ReadonlySet<string> = new Set()): Promise<string[]> {
  const ended = (
    await db
      .select({ id: runs.id })
      .from(runs)
      .where(and(inArray(runs.status, [...ENDED]), eq(runs.keepRunFiles, false), isNull(runs.runFilesDeletedAt)))
  ).filter((r) => !busy.has(r.id));
  for (const { id } of ended) {
    await audited(db, { actor: SYSTEM_ACTOR, action: "run.delete_copies", entityType: "run", entityId: id, input: { files: RUN_COPIES } }, async (tx) => {
      await tx.update(runs).set({ runFilesDeletedAt: new Date().toISOString() }).where(eq(runs.id, id));
      // Last, inside the transaction: a removal that fails leaves the run unmarked, to be tried again.
      for (const name of RUN_COPIES) rmSync(path.join(runDirectory(dataDir, id), name), { recursive: true, force: true });
    });
  }
  return ended.map((r) => r.id);
}
