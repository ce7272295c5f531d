// The job runner: starts queued runs in trainer subprocesses (a few at a time), validates every message against the
// protocol, charges each reported step, records progress, stops cancelled runs at a step boundary, registers the
// resulting model version, and on start marks runs that were going when the last process died as interrupted.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { createHash } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import {
  budgets,
  datasetVersions,
  datasets,
  modelFamilies,
  modelVersions,
  runCanaries,
  runEvaluations,
  runSteps,
  runs,
  type Run,
  type RunStatus,
} from "../../db/schema";
import { canaryPlanSchema } from "../leakage/canaries";
import { dpSgdEvent } from "../../trainer/privacy";
import { messageSchema, parseRunSpec, PROTOCOL_VERSION, type Message, type RunSpec, type RunSpecInput } from "../../trainer/protocol";
import { SYSTEM_ACTOR, audited } from "../audit/service";
import { LEDGER_ACCOUNTANT, lineageDelta, lineageSpend, reservedSteps } from "../budgets/ledger";
import { openSystemIncidentOnce } from "../incidents/service";
import { requeueInterruptedEvaluations, runNextEvaluation, scheduleDriftProbes } from "../leakage/jobs";
import { queueEvaluationIn } from "../leakage/service";
import { readRecords } from "../datasets/ingest/records";
import { insertModelVersion } from "../models/service";
import { runRequestInput } from "./service";

export interface RunnerOptions {
  db: Db;
  /** Absolute data directory: dataset files are read from it, run directories written under runs/. */
  dataDir: string;
  /** Trainers running at once. */
  concurrency: number;
  /** The trainer command; the run spec's path and flags are appended. */
  trainerCommand: readonly string[];
  pollMs: number;
  log: (line: string) => void;
}

/** One unit in this many is held out of training for validation (never trained on; an internal utility figure). */
const VALIDATION_SHARE = 10;
const MAX_VALIDATION_RECORDS = 256;
/** Steps between checkpoints, so that an interrupted run loses little when it resumes. */
const CHECKPOINT_EVERY = 10;

export function runDirectory(dataDir: string, runId: string): string {
  return path.join(dataDir, "runs", runId);
}

export class Runner {
  private readonly children = new Map<string, ChildProcess>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private evaluating = false;

  constructor(private readonly options: RunnerOptions) {}

  /** Recovers runs left running by a dead process, then polls for work. */
  start(): void {
    recoverInterruptedRuns(this.options.db);
    requeueInterruptedEvaluations(this.options.db);
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    void this.tick();
  }

  /** Stops polling and asks every trainer to stop at its next step boundary; resolves when they have exited. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const exits = [...this.children.values()].map((child) => (child.exitCode === null ? once(child, "exit") : Promise.resolve()));
    for (const child of this.children.values()) child.kill("SIGTERM");
    await Promise.all(exits);
  }

  /** The process id of a run's trainer, while it runs. */
  pidOf(runId: string): number | undefined {
    return this.children.get(runId)?.pid;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const { db } = this.options;
      for (const [runId, child] of this.children) {
        const run = db.select({ cancel: runs.cancelRequested }).from(runs).where(eq(runs.id, runId)).get();
        if (run?.cancel && !child.killed) child.kill("SIGTERM");
      }
      while (this.children.size + (this.evaluating ? 1 : 0) < this.options.concurrency) {
        const next = db.select().from(runs).where(eq(runs.status, "queued")).orderBy(asc(runs.createdAt)).limit(1).get();
        if (!next) break;
        await this.launch(next);
      }
      scheduleDriftProbes(db);
      if (!this.evaluating && this.children.size < this.options.concurrency) {
        // Leakage evaluations use the trainer too: one at a time, when a slot is free, in the background.
        this.evaluating = true;
        void runNextEvaluation(db, this.options.dataDir, this.options.trainerCommand)
          .catch((err: Error) => this.options.log(`leakage evaluation failed: ${err.message}`))
          .finally(() => {
            this.evaluating = false;
          });
      }
    } finally {
      this.ticking = false;
    }
  }

  private async launch(run: Run): Promise<void> {
    const { db, dataDir, log } = this.options;
    const dir = runDirectory(dataDir, run.id);
    const resume = run.resumeFromStep > 0;
    let specPath: string;
    try {
      specPath = resume ? path.join(dir, "spec.json") : await writeRunFiles(db, dataDir, run);
    } catch (err) {
      finish(db, run.id, "failed", `could not prepare the run: ${(err as Error).message}`);
      return;
    }
    audited(db, { actor: SYSTEM_ACTOR, action: "run.start", entityType: "run", entityId: run.id, input: { resume } }, (tx) => {
      tx.update(runs).set({ status: "running", startedAt: new Date().toISOString(), statusReason: null }).where(eq(runs.id, run.id)).run();
    });
    const [command, ...args] = this.options.trainerCommand;
    const child = spawn(command!, [...args, "train", "--spec", specPath, ...(resume ? ["--resume"] : [])], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.set(run.id, child);
    log(`run ${run.id}: trainer started (pid ${child.pid})`);
    const stderr = createWriteStream(path.join(dir, "trainer.log"), { flags: "a" });
    child.stderr!.pipe(stderr);

    const session = new RunSession(db, dataDir, run.id, (reason) => {
      log(`run ${run.id}: ${reason}; stopping the trainer`);
      child.kill("SIGKILL");
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => session.onLine(line));
    // Followed in the background: the runner goes on polling (cancels, more queued runs) meanwhile.
    void Promise.all([once(child, "exit"), once(lines, "close")]).then(([[code, signal]]) => {
      stderr.end();
      session.onExit(code as number | null, signal as NodeJS.Signals | null);
      this.children.delete(run.id);
      log(`run ${run.id}: trainer exited (${signal ?? code})`);
      void this.tick();
    });
  }
}

/** What one trainer process reports, applied to the database message by message. */
class RunSession {
  private ended = false;
  private failure: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly runId: string,
    private readonly abort: (reason: string) => void,
  ) {}

  private run(): Run {
    return this.db.select().from(runs).where(eq(runs.id, this.runId)).get()!;
  }

  onLine(line: string): void {
    if (this.ended || this.failure) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.violation(`the trainer wrote a line that is not JSON: ${line.slice(0, 120)}`);
    }
    const parsed = messageSchema.safeParse(value);
    if (!parsed.success) return this.violation(`the trainer sent an invalid message: ${parsed.error.issues[0]?.message ?? "?"}`);
    this.apply(parsed.data);
  }

  private violation(reason: string): void {
    this.failure = reason;
    this.abort(reason);
  }

  private apply(message: Message): void {
    const run = this.run();
    switch (message.type) {
      case "started": {
        if (message.privacy.mode !== "dp") return this.violation("the trainer started without DP");
        const { sampling_rate: q, noise_multiplier: sigma } = message.privacy;
        if (Math.abs(q - run.samplingRate) > 1e-9 * run.samplingRate || Math.abs(sigma - run.noiseMultiplier) > 1e-12 * run.noiseMultiplier) {
          return this.violation(`the trainer's sampling rate ${q} or noise multiplier ${sigma} differs from the run's (${run.samplingRate}, ${run.noiseMultiplier})`);
        }
        if ((message.resumed_from_step ?? 0) !== run.resumeFromStep) {
          return this.violation(`the trainer resumed from step ${message.resumed_from_step}, the run from ${run.resumeFromStep}`);
        }
        this.db.update(runs).set({ startedInfo: JSON.stringify(message) }).where(eq(runs.id, run.id)).run();
        return;
      }
      case "step": {
        const charged = run.segmentBaseSteps + (message.step - run.resumeFromStep);
        this.db.transaction((tx) => {
          tx.update(runs).set({ chargedSteps: Math.max(run.chargedSteps, charged) }).where(eq(runs.id, run.id)).run();
          tx.insert(runSteps)
            .values({
              runId: run.id,
              step: message.step,
              batchSize: message.batch_size,
              loss: message.loss,
              trainerEpsilon: message.epsilon,
              clippedFraction: message.clipped_fraction,
              gradNormQuantiles: message.grad_norm_quantiles && JSON.stringify(message.grad_norm_quantiles),
              elapsedMs: message.elapsed_ms,
            })
            .run();
        });
        return;
      }
      case "evaluation":
        this.db.insert(runEvaluations).values({ runId: run.id, step: message.step, validationLoss: message.validation_loss, perplexity: message.perplexity }).run();
        return;
      case "checkpoint":
        this.db
          .update(runs)
          .set({ checkpointStep: message.step, reportedEvent: message.privacy_event && JSON.stringify(message.privacy_event) })
          .where(eq(runs.id, run.id))
          .run();
        return;
      case "finished":
        this.ended = true;
        return this.onFinished(run, message);
      case "failed":
        this.ended = true;
        finish(this.db, run.id, "failed", message.reason);
        return;
    }
  }

  private onFinished(run: Run, message: Extract<Message, { type: "finished" }>): void {
    const reported = message.privacy_event && JSON.stringify(message.privacy_event);
    this.db.update(runs).set({ reportedEvent: reported }).where(eq(runs.id, run.id)).run();
    if (message.outcome === "interrupted") {
      const status = run.cancelRequested ? "cancelled" : "interrupted";
      finish(this.db, run.id, status, run.cancelRequested ? "cancelled at a step boundary" : "stopped at a step boundary with a checkpoint");
      return;
    }
    const spec = readSpec(this.dataDir, run.id);
    const delta = spec.privacy.mode === "dp" ? spec.privacy.delta : 0;
    const serverEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, this.run().chargedSteps), delta);
    const differs = message.epsilon !== null && Math.abs(message.epsilon - serverEpsilon) > 1e-6 * Math.max(1, serverEpsilon);
    const note = differs ? `the trainer reported ε = ${message.epsilon}, the server computed ε = ${serverEpsilon}` : null;
    try {
      finish(this.db, run.id, "finished", note ?? message.outcome, (tx) => {
        const versionId = registerResult(tx, run, message, this.dataDir);
        // With canaries, the leakage tests run on the new version as soon as the runner is free.
        if (run.canaryPlan) queueEvaluationIn(tx, SYSTEM_ACTOR, versionId, "post_training");
        if (note) {
          const links = [{ entityType: "run" as const, entityId: run.id }];
          openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: "The trainer's epsilon differs from the server's", description: note, severity: "high", source: "accounting_mismatch", links });
        }
      });
    } catch (err) {
      // Its steps stay charged; the model is not registered.
      finish(this.db, run.id, "failed", `the trained model could not be registered: ${(err as Error).message}`);
    }
  }

  onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended && !this.failure) return;
    const reason = this.failure ?? `the trainer exited without a final message (${signal ?? `exit code ${code}`})`;
    chargeStepInFlight(this.db, this.runId);
    finish(this.db, this.runId, "failed", reason);
  }
}

/** The spec this run's trainer was given (kept in its directory; a resume must use the very same). */
function readSpec(dataDir: string, runId: string): RunSpec {
  return parseRunSpec(JSON.parse(readFileSync(path.join(runDirectory(dataDir, runId), "spec.json"), "utf8")));
}

/**
 * Writes the run's directory: the training and validation records in the trainer's format (subjects kept, a tenth
 * of the units held out for validation, deterministically) and the trainer spec. Returns the spec's path.
 */
async function writeRunFiles(db: Db, dataDir: string, run: Run): Promise<string> {
  const dir = runDirectory(dataDir, run.id);
  mkdirSync(dir, { recursive: true });
  const version = db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId)).get()!;
  const base = db.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId)).get()!;
  const delta = lineageDelta(db, run.datasetId);
  const request = runRequestInput.parse(JSON.parse(run.spec));

  // The privacy unit of each record, in file order: its subject, or the record itself.
  const file = path.join(dataDir, version.storagePath);
  const unitOf = (record: { subject: string | null }, index: number) =>
    run.privacyUnit === "subject" && record.subject !== null ? `s:${record.subject}` : `r:${index}`;
  // Held out: the tenth of the units whose hash (keyed by the version) is lowest, and at least one when there are two.
  const rank = (unit: string) => createHash("sha256").update(`${version.id}\n${unit}`).digest("hex");
  const units = new Map<string, string>();
  let index = 0;
  for await (const record of readRecords(file)) units.set(unitOf(record, index++), "");
  for (const unit of units.keys()) units.set(unit, rank(unit));
  const heldOutCount = units.size < 2 ? 0 : Math.max(1, Math.floor(units.size / VALIDATION_SHARE));
  const heldOut = new Set([...units].sort((a, b) => (a[1] < b[1] ? -1 : 1)).slice(0, heldOutCount).map(([unit]) => unit));

  const train = createWriteStream(path.join(dir, "train.jsonl"));
  const validation = createWriteStream(path.join(dir, "validation.jsonl"));
  const trainUnits = new Set<string>();
  let validationRecords = 0;
  index = 0;
  for await (const record of readRecords(file)) {
    const unit = unitOf(record, index++);
    const line = `${JSON.stringify({ text: record.text, subject_id: unit })}\n`;
    if (!heldOut.has(unit)) {
      trainUnits.add(unit);
      if (!train.write(line)) await once(train, "drain");
    } else if (validationRecords < MAX_VALIDATION_RECORDS) {
      validationRecords += 1;
      if (!validation.write(line)) await once(validation, "drain");
    }
  }
  // Canaries the plan included go into the training data only (each its own subject), repeated as planned.
  const plan = run.canaryPlan === null ? null : canaryPlanSchema.parse(JSON.parse(run.canaryPlan));
  for (const canary of db.select().from(runCanaries).where(eq(runCanaries.runId, run.id)).all()) {
    if (!canary.included || !plan) continue;
    for (let r = 0; r < plan.repeats; r++) {
      const unit = run.privacyUnit === "subject" ? `canary:${canary.idx}` : `canary:${canary.idx}:${r}`;
      trainUnits.add(unit);
      if (!train.write(`${JSON.stringify({ text: canary.secret, subject_id: unit })}\n`)) await once(train, "drain");
    }
  }
  await Promise.all([new Promise((r) => train.end(r)), new Promise((r) => validation.end(r))]);
  if (trainUnits.size === 0) throw new Error("no training records left after holding out validation records");

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
    expected_batch_size: run.samplingRate * trainUnits.size,
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

/**
 * Ends a run (with an optional change in the same transaction), audited as the system's doing. A failed run opens a
 * trainer-fault incident, and a lineage whose charged spend now exceeds its budget a budget-overrun incident.
 */
function finish(db: Db, runId: string, status: RunStatus, reason: string, alsoDo?: (tx: Tx) => void): void {
  audited(db, { actor: SYSTEM_ACTOR, action: `run.${status}`, entityType: "run", entityId: runId, input: { reason } }, (tx) => {
    tx.update(runs).set({ status, statusReason: reason, endedAt: new Date().toISOString() }).where(eq(runs.id, runId)).run();
    alsoDo?.(tx);
    const run = tx.select().from(runs).where(eq(runs.id, runId)).get()!;
    const links = [
      { entityType: "run" as const, entityId: run.id },
      { entityType: "dataset" as const, entityId: run.datasetId },
    ];
    if (status === "failed") {
      openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: `Run ${run.id.slice(0, 8)} failed`, description: reason, severity: "medium", source: "trainer_fault", links });
    }
    const budget = tx.select().from(budgets).where(eq(budgets.datasetId, run.datasetId)).get();
    const spend = budget && lineageSpend(tx, run.datasetId, budget.delta);
    if (budget && spend && spend.chargedEpsilon > budget.epsilon) {
      const description = `Charged ε = ${spend.chargedEpsilon} exceeds the budget's ε = ${budget.epsilon} at δ = ${budget.delta}.`;
      openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: "Privacy budget overrun", description, severity: "critical", source: "budget_overrun", links: [links[1]!] });
    }
  });
}

/** After a crash the step in flight may have touched data: if in doubt, charge it (never beyond the reservation). */
function chargeStepInFlight(db: Db, runId: string): void {
  const run = db.select().from(runs).where(eq(runs.id, runId)).get()!;
  const charged = Math.min(reservedSteps(run), run.chargedSteps + 1);
  db.update(runs).set({ chargedSteps: charged }).where(eq(runs.id, runId)).run();
}

/** Runs left "running" by a process that died are interrupted: their charged steps stand, plus the step in flight. */
export function recoverInterruptedRuns(db: Db): number {
  const orphans = db.select({ id: runs.id }).from(runs).where(eq(runs.status, "running")).all();
  for (const { id } of orphans) {
    chargeStepInFlight(db, id);
    finish(db, id, "interrupted", "the server stopped while the run was going; it can be resumed from its last checkpoint");
  }
  return orphans.length;
}

/** Registers the fine-tuned model version a finished run produced, in the run's final transaction. */
function registerResult(tx: Tx, run: Run, message: Extract<Message, { type: "finished" }>, dataDir: string): string {
  const base = tx.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId)).get()!;
  const family = tx.select().from(modelFamilies).where(eq(modelFamilies.id, base.familyId)).get()!;
  const dataset = tx.select().from(datasets).where(eq(datasets.id, run.datasetId)).get()!;
  // The model must be where this run's trainer writes, and the registry records the digest the server computes.
  const modelDir = path.resolve(message.model_dir);
  if (!modelDir.startsWith(path.resolve(runDirectory(dataDir, run.id)) + path.sep)) throw new Error(`the trainer wrote its model outside the run's directory: ${modelDir}`);
  const weightsDigest = createHash("sha256").update(readFileSync(path.join(modelDir, "weights.safetensors"))).digest("hex");
  const config = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(path.join(modelDir, "config.json"), "utf8")));
  const evaluation = tx.select().from(runEvaluations).where(eq(runEvaluations.runId, run.id)).orderBy(asc(runEvaluations.id)).all().at(-1);
  const version = insertModelVersion(tx, {
    familyName: `${family.name}/${dataset.name}`,
    kind: "fine_tuned",
    parentVersionId: base.id,
    datasetVersionId: run.datasetVersionId,
    runId: run.id,
    weightsPath: path.relative(dataDir, modelDir),
    weightsDigest,
    config,
    provenance: {
      run_id: run.id,
      config_sha256: message.config_sha256,
      adapter_sha256: message.adapter_sha256,
      outcome: message.outcome,
      ...(message.weights_sha256 === weightsDigest ? {} : { trainer_reported_weights_sha256: message.weights_sha256 }),
    },
    metrics: evaluation ? { validation_loss: evaluation.validationLoss, perplexity: evaluation.perplexity } : {},
  });
  tx.update(runs).set({ resultModelVersionId: version.id }).where(eq(runs.id, run.id)).run();
  return version.id;
}
