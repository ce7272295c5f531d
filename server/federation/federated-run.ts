// A federated run, coordinated by the job runner that claimed it (in place of a trainer process): from its base
// model's weights (or its last checkpoint, when resumed), round after round of DP-FedAvg among the parties its
// declaration version names (remote-round.ts), each applied round charged in the transaction that records it, a
// checkpoint of the global weights after it; then the model written and registered like any run's. A cancel or a
// runner's stop ends it at a round boundary; three abandoned rounds in a row fail it (its applied rounds stay charged).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { and, count, eq } from "drizzle-orm";
import { first, transaction, type Db } from "../../db/client";
import { federationRounds, modelVersions, runSteps, runs, type Run } from "../../db/schema";
import { dpSgdEvent, privacyEventDocumentSchema, serialiseEvent } from "../../trainer/privacy";
import { copyTokenizer, readModelDir, readModelWeights, writeModelDir } from "../../trainer/contract/model-files";
import type { HostTensors } from "../../trainer/contract/safetensors";
import { flattenByName } from "../../trainer/contract/federation/fedavg";
import { initialTrainable, loraOf, mergedWeights, trainableCount } from "../../trainer/contract/federation/trainable";
import { LEDGER_ACCOUNTANT, lineageDelta } from "../budgets/ledger";
import { datasetVersionById } from "../datasets/version-row";
import { runDirectory } from "../runs/run-files";
import { chargeThrough, chargedAt, finish, registerResult, storeResult } from "../runs/run-outcome";
import { runRequestInput, type RunRequest } from "../runs/run-request";
import { modelStoreFor } from "../storage/model-store";
import { declarationsOf } from "./declarations";
import { runRemoteRound } from "./remote-round";

/** Abandoned rounds in a row after which the run fails (the parties are gone, or too few answer). */
export const ABANDONED_IN_A_ROW = 3;

/** Whether a run is federated (coordinated here, not trained by a trainer process). */
export function isFederated(run: Pick<Run, "spec">): boolean {
  return runRequestInput.parse(JSON.parse(run.spec)).federation !== undefined;
}

/** How a coordinating runner asks the run to end at its next round boundary. */
export interface Coordination {
  stop(): void;
  done: Promise<void>;
}

const checkpointDir = (dataDir: string, runId: string) => path.join(runDirectory(dataDir, runId), "checkpoint");

/** The global weights after the run's `step`-th applied round, with their digest, for a resume. */
function writeCheckpoint(dataDir: string, runId: string, step: number, weights: Float32Array): void {
  const dir = checkpointDir(dataDir, runId);
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
  writeFileSync(path.join(dir, "global.f32"), bytes);
  writeFileSync(path.join(dir, "global.json"), JSON.stringify({ step, sha256: createHash("sha256").update(bytes).digest("hex") }));
}

function readCheckpoint(dataDir: string, runId: string, step: number, length: number): Float32Array {
  const dir = checkpointDir(dataDir, runId);
  const meta = JSON.parse(readFileSync(path.join(dir, "global.json"), "utf8")) as { step: number; sha256: string };
  const bytes = readFileSync(path.join(dir, "global.f32"));
  if (meta.step !== step || createHash("sha256").update(bytes).digest("hex") !== meta.sha256 || bytes.length !== length * 4) {
    throw new Error(`the checkpoint of round ${step} is missing or damaged`);
  }
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** The global vector back into tensors shaped as `like`'s (flattenByName's order). */
function unflatten(like: HostTensors, flat: Float32Array): HostTensors {
  const out: HostTensors = {};
  let at = 0;
  for (const name of Object.keys(like).sort()) {
    const n = like[name]!.data.length;
    out[name] = { shape: like[name]!.shape, data: flat.slice(at, at + n) };
    at += n;
  }
  return out;
}

/** Starts coordinating a claimed federated run; `done` resolves once it has ended (or was taken over). Never rejects. */
export function coordinateFederatedRun(db: Db, dataDir: string, run: Run, runnerId: string, log: (line: string) => void): Coordination {
  let stopping = false;
  const done = drive(db, dataDir, run, runnerId, () => stopping, log).catch(async (err: Error) => {
    log(`run ${run.id}: federated run failed: ${err.message}`);
    await finish(db, run.id, "failed", `the federated run failed: ${err.message}`).catch((e: Error) => log(`run ${run.id}: could not record its end: ${e.message}`));
  });
  return { stop: () => void (stopping = true), done };
}

async function drive(db: Db, dataDir: string, run: Run, runnerId: string, stopping: () => boolean, log: (line: string) => void): Promise<void> {
  const spec: RunRequest = runRequestInput.parse(JSON.parse(run.spec));
  const federation = spec.federation!;
  const version = (await datasetVersionById(db, run.datasetVersionId))!;
  const declarations = await declarationsOf(db, version.id);
  const parties = declarations.map((d) => d.partyId);
  const base = (await first(db.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId))))!;
  const baseDir = await modelStoreFor(dataDir).materialize(base.weightsPath);
  const baseModel = readModelDir(baseDir);
  const baseWeights = readModelWeights(baseDir);
  // Every weight, or fresh LoRA adapters: what the rounds carry (a resume takes its checkpoint's values instead).
  const initial = initialTrainable(baseModel.config, baseWeights, spec.fineTuning);
  const length = trainableCount(baseModel.config, spec.fineTuning);
  let global = run.resumeFromStep > 0 ? readCheckpoint(dataDir, run.id, run.resumeFromStep, length) : flattenByName(initial);
  // The run's row holds what the ledger charges; with distributed noise that is not what the parties are sampled and
  // noised with (the request's settings), but the Gaussian of the same zCDP, unamplified.
  const distributed = federation.noise === "distributed";
  const settings = {
    samplingRate: distributed && spec.batch.by === "sampling_rate" ? spec.batch.samplingRate : run.samplingRate,
    clipNorm: spec.clipNorm,
    noiseMultiplier: distributed && spec.privacy.mode === "noise_multiplier" ? spec.privacy.noiseMultiplier : run.noiseMultiplier,
    noise: federation.noise,
    training: { steps: federation.localSteps, batchSize: federation.localBatchSize, learningRate: spec.learningRate },
    loraRank: spec.fineTuning.method === "lora" ? spec.fineTuning.rank : null,
    // Clipping per person: each party's whole vector is bounded by C times the people it declared, and the sum is
    // divided by q times all the people declared.
    ...(federation.clip === "person"
      ? {
          personClip: { bound: spec.clipNorm, records_per_person: spec.maxRecordsPerSubject },
          perPerson: {
            bounds: new Map(declarations.map((d) => [d.partyId, spec.clipNorm * Math.max(1, d.statedUnits)])),
            expected: run.samplingRate * declarations.reduce((n, d) => n + Math.max(1, d.statedUnits), 0),
          },
        }
      : { personClip: null }),
    answerMs: federation.answerSeconds * 1000,
  };
  const charged = serialiseEvent(dpSgdEvent(run.samplingRate, run.noiseMultiplier, 1));
  const owned = () => first(db.select().from(runs).where(and(eq(runs.id, run.id), eq(runs.runnerId, runnerId), eq(runs.status, "running"))));
  let step = run.resumeFromStep;
  let abandoned = 0;
  // Attempts count on from the rounds the run had before a resume.
  let attempt = (await db.select({ n: count() }).from(federationRounds).where(eq(federationRounds.runId, run.id)))[0]!.n;
  while (step < run.plannedSteps) {
    const now = await owned();
    if (!now) return log(`run ${run.id}: no longer running under this runner; stopped coordinating`);
    if (now.cancelRequested) return finish(db, run.id, "cancelled", "cancelled at a round boundary");
    if (stopping()) return finish(db, run.id, "interrupted", "its job runner stopped at a round boundary; it can be resumed from its last checkpoint");
    attempt += 1;
    const started = Date.now();
    const next = step + 1;
    const outcome = await runRemoteRound(db, global, settings, {
      runId: run.id,
      attempt,
      parties,
      // An applied round is charged in the transaction that records it: its noisy sum leaves this process only after.
      alsoDo: async (tx, o) => {
        if (!o.applied) return;
        // The round's own event must be what the ledger charges for it (else nothing of it is kept, and the run fails).
        if (serialiseEvent(o.event) !== charged) throw new Error(`the round's privacy event ${serialiseEvent(o.event)} is not the run's ${charged}`);
        await chargeThrough(tx, run.id, chargedAt(run, next));
        const contributed = o.sampled.filter((id) => o.survivors.includes(id)).length;
        await tx.insert(runSteps).values({ runId: run.id, step: next, batchSize: contributed, loss: null, trainerEpsilon: null, elapsedMs: Date.now() - started });
      },
    });
    if (!outcome.applied) {
      abandoned += 1;
      log(`run ${run.id}: round ${attempt} abandoned (${outcome.reason})`);
      if (abandoned >= ABANDONED_IN_A_ROW) return finish(db, run.id, "failed", `${ABANDONED_IN_A_ROW} rounds in a row were abandoned; the last: ${outcome.reason}`);
      continue;
    }
    abandoned = 0;
    global = outcome.weights;
    step = next;
    writeCheckpoint(dataDir, run.id, step, global);
    await transaction(db, async (tx) => {
      await tx.update(runs).set({ checkpointStep: step }).where(eq(runs.id, run.id));
    });
  }
  await register(db, dataDir, run, baseDir, unflatten(initial, global));
}

/**
 * Writes the final model beside the run (as a trainer would: the weights, with LoRA adapters merged in and kept beside
 * them) and registers it, with the server's own epsilon.
 */
async function register(db: Db, dataDir: string, run: Run, baseDir: string, trained: HostTensors): Promise<void> {
  const charged = (await first(db.select().from(runs).where(eq(runs.id, run.id))))!;
  const delta = await lineageDelta(db, run.datasetId);
  const event = dpSgdEvent(run.samplingRate, run.noiseMultiplier, charged.chargedSteps);
  const epsilon = LEDGER_ACCOUNTANT.epsilon(event, delta);
  const document = privacyEventDocumentSchema.parse(JSON.parse(serialiseEvent(event)));
  const baseModel = readModelDir(baseDir);
  const version = (await datasetVersionById(db, run.datasetVersionId))!;
  const modelDir = path.join(runDirectory(dataDir, run.id), "model");
  const spec = runRequestInput.parse(JSON.parse(run.spec));
  const lora = spec.fineTuning.method === "lora";
  const weights = mergedWeights(baseModel.config, readModelWeights(baseDir), trained, spec.fineTuning);
  const digests = writeModelDir(modelDir, baseModel.config, weights, {
    kind: "fine-tuned",
    run_id: run.id,
    base_model: { weights_sha256: baseModel.digests.weights_sha256, config_sha256: baseModel.digests.config_sha256 },
    // The units are the declared parties, or the people they declared when the unit is a person.
    dataset: { sha256: version.contentDigest, records: version.recordCount, units: run.privacyUnit === "subject" ? (version.subjectCount ?? version.recordCount) : version.recordCount },
    training: { federated: true, rounds: charged.chargedSteps, clip_norm: spec.clipNorm, local: spec.federation, learning_rate: spec.learningRate, fine_tuning: { ...spec.fineTuning, ...loraOf(spec.fineTuning) } },
    privacy: {
      mode: "dp",
      unit: run.privacyUnit,
      records_per_subject: spec.maxRecordsPerSubject,
      accountant: LEDGER_ACCOUNTANT.description,
      delta,
      epsilon,
      steps: charged.chargedSteps,
      privacy_event: document,
    },
    code_version: null,
  }, lora ? trained : null);
  copyTokenizer(baseModel.config, baseDir, modelDir);
  const message = {
    type: "finished" as const,
    outcome: "completed" as const,
    steps: charged.chargedSteps,
    epsilon,
    delta,
    privacy_event: document,
    model_dir: modelDir,
    weights_sha256: digests.weights_sha256,
    config_sha256: digests.config_sha256,
    adapter_sha256: digests.adapter_sha256,
  };
  await storeResult(charged, message, dataDir);
  await finish(db, run.id, "finished", "completed", async (tx) => {
    await registerResult(tx, charged, message, dataDir);
  });
}
