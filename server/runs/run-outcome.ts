// How a run ends and what it is charged: the end itself (audited, with trainer-fault and budget-overrun incidents),
// charging the steps a trainer reported or may have applied, and storing (server/storage) and registering the model
// version a finished run produced.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { engineOf, first, transaction, type Db, type Executor, type Tx } from "../../db/client";
import { budgets, datasets, modelFamilies, modelVersions, runEvaluations, runs, type Run, type RunStatus } from "../../db/schema";
import type { Message } from "../../trainer/contract/protocol";
import { SYSTEM_ACTOR, audited } from "../audit/service";
import { reservedSteps } from "../budgets/ledger";
import { epsilonOfCurve } from "../budgets/curve-math";
import { syncRunOnLedger } from "../budgets/lineage-curve";
import { openSystemIncidentOnce } from "../incidents/service";
import { insertModelVersion } from "../models/service";
import { notifyRunEnded } from "../notifications/hooks";
import { modelStoreFor, type ModelStore } from "../storage/model-store";
import { runDirectory } from "./run-files";
import { runRequestInput } from "./run-request";

/**
 * Ends a run, audited as the system's doing; `alsoDo` runs first in the same transaction (and may throw to call the
 * end off). A failed run opens a trainer-fault incident (an interrupted one, which can be resumed, a low one), and a
 * lineage whose charged spend now exceeds its budget a budget-overrun incident. The run's row is locked first, so that
 * two ends of one run (a trainer's exit, a takeover) are decided one after the other.
 */
export async function finish(db: Db, runId: string, status: RunStatus, reason: string, alsoDo?: (tx: Tx) => Promise<void>): Promise<void> {
  await audited(db, { actor: SYSTEM_ACTOR, action: `run.${status}`, entityType: "run", entityId: runId, input: { reason } }, async (tx) => {
    await engineOf(tx).lockRow(tx, "runs", runId);
    await alsoDo?.(tx);
    await tx.update(runs).set({ status, statusReason: reason, endedAt: new Date().toISOString() }).where(eq(runs.id, runId));
    // Its reservation is replaced by what it was charged, on the lineage's curves.
    const curves = (await syncRunOnLedger(tx, runId))!;
    const run = (await first(tx.select().from(runs).where(eq(runs.id, runId))))!;
    await notifyRunEnded(tx, run);
    const links = [
      { entityType: "run" as const, entityId: run.id },
      { entityType: "dataset" as const, entityId: run.datasetId },
    ];
    if (status === "failed") {
      await openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: `Run ${run.id.slice(0, 8)} failed`, description: reason, severity: "medium", source: "trainer_fault", links });
    } else if (status === "interrupted") {
      const description = `${reason} (${run.chargedSteps} of ${run.plannedSteps} steps charged).`;
      await openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: `Run ${run.id.slice(0, 8)} was interrupted`, description, severity: "low", source: "trainer_fault", links });
    }
    const budget = await first(tx.select().from(budgets).where(eq(budgets.datasetId, run.datasetId)));
    const chargedEpsilon = budget && epsilonOfCurve(curves.charged, budget.delta);
    if (budget && chargedEpsilon !== undefined && chargedEpsilon > budget.epsilon) {
      const description = `Charged ε = ${chargedEpsilon} exceeds the budget's ε = ${budget.epsilon} at δ = ${budget.delta}.`;
      await openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: "Privacy budget overrun", description, severity: "critical", source: "budget_overrun", links: [links[1]!] });
    }
  });
}

/** The run's total charged steps once its current segment has reached trainer step `step`. */
export const chargedAt = (run: Pick<Run, "segmentBaseSteps" | "resumeFromStep">, step: number) => run.segmentBaseSteps + (step - run.resumeFromStep);

/**
 * Raises the run's charged steps to `steps` (never lowers them): charging is idempotent, each step counts once.
 * Joins the caller's transaction when given one.
 */
export async function chargeThrough(db: Executor, runId: string, steps: number): Promise<void> {
  await transaction(db, async (tx) => {
    await tx
      .update(runs)
      .set({ chargedSteps: sql`CASE WHEN ${runs.chargedSteps} > ${steps} THEN ${runs.chargedSteps} ELSE ${steps} END` })
      .where(eq(runs.id, runId));
    await syncRunOnLedger(tx, runId); // the step's charge on the lineage's curves, in the same transaction
  });
}

/**
 * After a crash the step in flight may have been applied: if in doubt, charge it (never beyond the reservation). With
 * `begun` (the trainer's write-ahead count of the steps it began, which includes it and any step whose message was
 * lost), charge exactly those.
 */
export async function chargeStepInFlight(tx: Tx, runId: string, begun: number | null = null): Promise<void> {
  const run = (await first(tx.select().from(runs).where(eq(runs.id, runId))))!;
  await chargeThrough(tx, runId, Math.min(reservedSteps(run), begun === null ? run.chargedSteps + 1 : Math.max(run.chargedSteps, begun)));
}

/** The finished run's model directory: it must be where this run's trainer writes. */
function resultModelDir(run: Run, message: Extract<Message, { type: "finished" }>, dataDir: string): string {
  const modelDir = path.resolve(message.model_dir);
  if (!modelDir.startsWith(path.resolve(runDirectory(dataDir, run.id)) + path.sep)) throw new Error(`the trainer wrote its model outside the run's directory: ${modelDir}`);
  return modelDir;
}

/**
 * Puts a finished run's model in the model store under the weightsPath registerResult records; before the run's
 * final transaction (an upload is slow), so that the registry names only models the store holds. With the data
 * directory as the store the files are there already and nothing is done.
 */
export async function storeResult(run: Run, message: Extract<Message, { type: "finished" }>, dataDir: string, store: ModelStore = modelStoreFor(dataDir)): Promise<void> {
  const modelDir = resultModelDir(run, message, dataDir);
  await store.put(path.relative(dataDir, modelDir), modelDir);
}

/** The run's task as the version's provenance states it (its label field and labels), when it had one. */
function taskOf(run: Run): { task?: { label_field: string; labels: string[] } } {
  const { task } = runRequestInput.parse(JSON.parse(run.spec));
  return task ? { task: { label_field: task.labelField, labels: task.labels } } : {};
}

/** A model version's metrics from its run's last evaluation: validation loss and perplexity, and the task's figures. */
function evaluationMetrics(e: typeof runEvaluations.$inferSelect): Record<string, number> {
  const metrics: Record<string, number> = { validation_loss: e.validationLoss, perplexity: e.perplexity };
  if (e.taskRecords !== null) Object.assign(metrics, { task_records: e.taskRecords, task_accuracy: e.taskAccuracy, task_macro_f1: e.taskMacroF1 });
  return metrics;
}

/** Registers the fine-tuned model version a finished run produced, in the run's final transaction. */
export async function registerResult(tx: Tx, run: Run, message: Extract<Message, { type: "finished" }>, dataDir: string): Promise<string> {
  const base = (await first(tx.select().from(modelVersions).where(eq(modelVersions.id, run.baseModelVersionId))))!;
  const family = (await first(tx.select().from(modelFamilies).where(eq(modelFamilies.id, base.familyId))))!;
  const dataset = (await first(tx.select().from(datasets).where(eq(datasets.id, run.datasetId))))!;
  // The model must be where this run's trainer writes, and the registry records the digest the server computes.
  const modelDir = resultModelDir(run, message, dataDir);
  const weightsDigest = createHash("sha256").update(readFileSync(path.join(modelDir, "weights.safetensors"))).digest("hex");
  const config = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(path.join(modelDir, "config.json"), "utf8")));
  const evaluation = (await tx.select().from(runEvaluations).where(eq(runEvaluations.runId, run.id)).orderBy(asc(runEvaluations.id))).at(-1);
  const version = await insertModelVersion(tx, {
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
      ...taskOf(run),
      ...(message.weights_sha256 === weightsDigest ? {} : { trainer_reported_weights_sha256: message.weights_sha256 }),
    },
    // Validation figures of held-out people, computed without DP: internal only (labelled so wherever shown).
    metrics: evaluation ? evaluationMetrics(evaluation) : {},
  });
  await tx.update(runs).set({ resultModelVersionId: version.id }).where(eq(runs.id, run.id));
  return version.id;
}
