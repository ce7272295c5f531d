// Launching DP fine-tuning runs (the request's schema is ./run-request.ts; the projection shown before launch is
// ./launch-projection.ts): the launch itself, which checks the budget and reserves the run's planned spend in one
// transaction (the budget's row locked) so that concurrent launches cannot overspend; cancelling and resuming.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { engineOf, first, pipelined, type Db, type Executor } from "../../db/client";
import { runCanaries, runs } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import { appendAudit, audited, type Actor } from "../audit/service";
import { ABILITIES, may } from "../auth/access";
import { prepareCanaries, type Canary, type CanaryCommitment } from "../leakage/canaries";
import { existingBudget } from "../budgets/service";
import { LEDGER_ACCOUNTANT, reservedSteps } from "../budgets/ledger";
import { addSteps, copyCurve, epsilonOfCurve } from "../budgets/curve-math";
import { countNewRunOnLockedCurves, lockLineageCurves, syncRunOnLedger } from "../budgets/lineage-curve";
import type { SessionUser } from "../context";
import { maySeeDataset, requireTrainingAccess } from "../datasets/access";
import { AppError } from "../errors";
import { visibleModelVersion } from "../models/visibility";
import { budgetProjection, launchSubject, readRefusals, runRefusal } from "./launch-projection";
import type { RunRequest } from "./run-request";
import { announceQueued } from "./run-queue";
import { runView } from "./run-views";


/** What the audit entry for a run's canaries digests: the plan and, per canary, its digest and inclusion coin. */
export function canaryAuditInput(commitment: CanaryCommitment, canaries: readonly Pick<Canary, "digest" | "included">[]) {
  return { plan: commitment.plan, canaries: canaries.map((c) => ({ digest: c.digest, included: c.included })) };
}

/**
 * Checks and reserves in one transaction, the budget's row locked before it is read: two launches cannot both fit
 * when one does.
 * A launch the projection already refuses without the lock is refused at once, holding no lock (refusing never spends,
 * so a check on a moment-old ledger is safe; only an admission must be made under the lock).
 */
export async function launchRun(db: Db, user: SessionUser, actor: Actor, input: RunRequest) {
  // The checks that do not read the budget, once; then the budget's part, refused early without a lock when it does
  // not fit, and again in the transaction under the budget's and the curves' locks.
  const subject = await launchSubject(db, user, input);
  const { version } = subject;
  const id = randomUUID();
  const drawn = input.canaries && prepareCanaries(input.canaries);
  const early = (await budgetProjection(db, subject, input)).projection;
  if (early.refusal) throw new AppError("CONFLICT", early.refusal);
  const done = await audited(db, { actor, action: "run.launch", entityType: "run", entityId: id, input }, async (tx) => {
    const { projection: p, curves } = await budgetProjection(tx, subject, input, tx);
    if (p.refusal) throw new AppError("CONFLICT", p.refusal);
    const inserted = tx.insert(runs).values({
      id,
      datasetId: version.datasetId,
      datasetVersionId: version.id,
      baseModelVersionId: input.baseModelVersionId,
      privacyUnit: input.privacyUnit,
      samplingRate: p.samplingRate,
      noiseMultiplier: p.noiseMultiplier,
      plannedSteps: p.steps,
      spec: JSON.stringify(input),
      canaryPlan: drawn ? JSON.stringify(drawn.commitment.plan) : null,
      createdBy: user.id,
      createdAt: new Date().toISOString(),
    });
    // The run and its reservation on the curves (locked above) are written pipelined.
    await pipelined(() => inserted, () => countNewRunOnLockedCurves(tx, version.datasetId, curves, { runId: id, samplingRate: p.samplingRate, noiseMultiplier: p.noiseMultiplier, plannedSteps: p.steps }));
    if (drawn) {
      for (const [idx, c] of drawn.canaries.entries()) await tx.insert(runCanaries).values({ runId: id, idx, ...c });
      // The commitment (settings, digests and inclusion) enters the audit log now, before any training.
      await appendAudit(tx, { actor, action: "run.canaries", entityType: "run", entityId: id, input: canaryAuditInput(drawn.commitment, drawn.canaries) });
    }
    return { runId: id, projection: p };
  });
  await announceQueued(db, done.runId); // after the commit: runners may claim it now
  return done;
}

export const runIdInput = z.object({ runId: z.uuid() });

/** A run the user may act on: its launcher, or (for cancelling) a privacy officer. */
async function actionableRun(db: Executor, user: SessionUser, runId: string, officerMay: boolean) {
  const run = await first(db.select().from(runs).where(eq(runs.id, runId)));
  if (!run || !(await maySeeDataset(db, user, run.datasetId))) throw new AppError("NOT_FOUND", "No such run.");
  if (run.createdBy !== user.id && !(officerMay && may(user.role, ABILITIES["runs.cancel.any"]))) {
    throw new AppError("FORBIDDEN", "Only the engineer who launched this run may do that.");
  }
  return run;
}

/** Cancels a queued run at once, or asks the runner to stop a running one at its next step boundary. */
export function cancelRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>) {
  return audited(db, { actor, action: "run.cancel", entityType: "run", entityId: input.runId, input }, async (tx) => {
    await engineOf(tx).lockRow(tx, "runs", input.runId); // a runner may be claiming it
    const run = await actionableRun(tx, user, input.runId, true);
    if (run.status === "queued") {
      await tx.update(runs).set({ status: "cancelled", statusReason: "cancelled before it started", endedAt: new Date().toISOString() }).where(eq(runs.id, run.id));
    } else if (run.status === "running") {
      await tx.update(runs).set({ cancelRequested: true }).where(eq(runs.id, run.id));
    } else {
      throw new AppError("CONFLICT", `This run is ${run.status}; only queued or running runs can be cancelled.`);
    }
    const view = runView((await first(tx.select().from(runs).where(eq(runs.id, run.id))))!);
    // Its reservation is given back last, so that the lineage's curves are locked only for that and the audit entry.
    if (run.status === "queued") await syncRunOnLedger(tx, run.id);
    return view;
  });
}

/**
 * Queues an interrupted run again, from its last checkpoint (or from the start if it has none). The steps after the
 * checkpoint are run, and charged, again; the budget is checked and the new reservation made in one transaction.
 */
export async function resumeRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>) {
  const done = await audited(db, { actor, action: "run.resume", entityType: "run", entityId: input.runId, input }, async (tx) => {
    await engineOf(tx).lockRow(tx, "runs", input.runId);
    const run = await actionableRun(tx, user, input.runId, false);
    if (run.status !== "interrupted") throw new AppError("CONFLICT", `This run is ${run.status}; only interrupted runs can be resumed.`);
    await requireTrainingAccess(tx, user, run.datasetId);
    await visibleModelVersion(tx, user, run.baseModelVersionId); // its base model's data too, as at launch
    const resumed = { ...run, status: "queued" as const, segmentBaseSteps: run.chargedSteps, resumeFromStep: run.checkpointStep ?? 0, cancelRequested: false };
    await engineOf(tx).lockRow(tx, "budgets", run.datasetId);
    const budget = await existingBudget(tx, run.datasetId);
    // The curves count the interrupted run at its charged steps; resumed, it is reserved at reservedSteps(resumed).
    const [curves, read] = await pipelined(() => lockLineageCurves(tx, run.datasetId), () => readRefusals(tx, run.datasetVersionId, budget));
    const steps = reservedSteps(resumed);
    const before = epsilonOfCurve(curves.reserved, budget.delta);
    const after = epsilonOfCurve(addSteps(copyCurve(curves.reserved), run.samplingRate, run.noiseMultiplier, steps - run.chargedSteps), budget.delta);
    const runEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, steps), budget.delta);
    const refusal = runRefusal(read, budget, before, after, runEpsilon);
    if (refusal) throw new AppError("CONFLICT", refusal);
    await tx
      .update(runs)
      .set({ status: "queued", statusReason: "resumed", segmentBaseSteps: resumed.segmentBaseSteps, resumeFromStep: resumed.resumeFromStep, cancelRequested: false, endedAt: null })
      .where(eq(runs.id, run.id));
    await syncRunOnLedger(tx, run.id);
    return runView((await first(tx.select().from(runs).where(eq(runs.id, run.id))))!);
  });
  await announceQueued(db, done.id); // after the commit: runners may claim it now
  return done;
}
