// A run's directory under DATA_DIR/runs/<id>: the training and validation records in the trainer's format, split by
// the lineage's keyed hold-out (trainer/contract/holdout.ts) so that neighbouring datasets differ in training by one unit at
// most, the canaries the plan included, and the trainer spec (spec.json; a resume uses the very same).
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { datasetVersions, modelVersions, runCanaries, type Run } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import { isHeldOut, unitOf } from "../../trainer/contract/holdout";
import { parseRunSpec, PROTOCOL_VERSION, type RunSpec, type RunSpecInput } from "../../trainer/contract/protocol";
import { LEDGER_ACCOUNTANT, lineageDelta } from "../budgets/ledger";
import { lineageHoldoutKey } from "../datasets/holdout-key";
import { readRecords } from "../datasets/ingest/records";
import { canaryPlanSchema } from "../leakage/canaries";
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
 * Writes the run's directory: training and validation records (each unit held out or not by the lineage's keyed hash
 * of its identity, independently of every other unit), the included canaries, and the trainer spec. Returns the
 * spec's path.
 */
export async function writeRunFiles(db: Db, dataDir: string, run: Run): Promise<string> {
  const dir = runDirectory(dataDir, run.id);
  mkdirSync(dir, { recursive: true });
  const version = db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId)).get()!;
  const base = db.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId)).get()!;
  const delta = lineageDelta(db, run.datasetId);
  const request = runRequestInput.parse(JSON.parse(run.spec));
  const key = lineageHoldoutKey(db, run.datasetId);

  const train = createWriteStream(path.join(dir, "train.jsonl"));
  const validation = createWriteStream(path.join(dir, "validation.jsonl"));
  // Units the trainer will sample from: subjects (distinct), or records (each its own unit, duplicates included).
  const trainSubjects = new Set<string>();
  let trainRecords = 0;
  let validationRecords = 0;
  for await (const record of readRecords(path.join(dataDir, version.storagePath))) {
    const unit = unitOf(record, run.privacyUnit);
    const line = { text: record.text, subject_id: `${unit.kind}:${unit.id}` };
    if (!isHeldOut(key, unit)) {
      trainRecords += 1;
      trainSubjects.add(line.subject_id);
      await writeLine(train, line);
    } else if (validationRecords < MAX_VALIDATION_RECORDS) {
      validationRecords += 1;
      await writeLine(validation, line);
    }
  }
  // Canaries the plan included go into the training data only (each its own unit), repeated as planned.
  const plan = run.canaryPlan === null ? null : canaryPlanSchema.parse(JSON.parse(run.canaryPlan));
  for (const canary of db.select().from(runCanaries).where(eq(runCanaries.runId, run.id)).all()) {
    if (!canary.included || !plan) continue;
    for (let r = 0; r < plan.repeats; r++) {
      const subject = run.privacyUnit === "subject" ? `canary:${canary.idx}` : `canary:${canary.idx}:${r}`;
      trainRecords += 1;
      trainSubjects.add(subject);
      await writeLine(train, { text: canary.secret, subject_id: subject });
    }
  }
  await Promise.all([new Promise((r) => train.end(r)), new Promise((r) => validation.end(r))]);
  const trainUnits = run.privacyUnit === "subject" ? trainSubjects.size : trainRecords;
  if (trainUnits === 0) throw new Error("no training records left after holding out validation records");

  const spec: RunSpecInput = {
    protocol_version: PROTOCOL_VERSION,
    run_id: run.id,
    base_model: path.join(dataDir, base.weightsPath),
    output_dir: dir,
    data: { train: path.join(dir, "train.jsonl"), ...(validationRecords > 0 ? { validation: path.join(dir, "validation.jsonl") } : {}) },
    fine_tuning: request.fineTuning.method === "lora" ? { method: "lora", rank: request.fineTuning.rank } : { method: "full" },
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
  };
  const specPath = path.join(dir, "spec.json");
  writeFileSync(specPath, JSON.stringify(parseRunSpec(spec), null, 2));
  return specPath;
}
