// Launching DP fine-tuning runs (the request's schema is ./run-request.ts; the projection shown before launch is
// ./launch-projection.ts, the admission under the budget's lock ./launch-admission.ts): the launch itself, cancelling
// and resuming.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, lockedRow, type Db, type Tx } from "../../db/client";
import { runs } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import { audited, type Actor } from "../audit/service";
import { ABILITIES, may } from "../auth/access";
import { LEDGER_ACCOUNTANT, reservedSteps } from "../budgets/ledger";
import { addSteps, copyCurve, epsilonOfCurve } from "../budgets/curve-math";
import { lockLineageCurves, syncRunOnLedger } from "../budgets/lineage-curve";
import type { SessionUser } from "../context";
import { maySeeDataset, requireTrainingAccess } from "../datasets/access";
import { AppError } from "../errors";
import { visibleModelVersion } from "../models/visibility";
import { admitLaunch, type Admitted } from "./launch-admission";
import { ledgerThreadOf } from "./ledger-thread-route";
import { checkedLaunch, lockedLineageState, projectOnto, runRefusal } from "./launch-projection";
import type { RunRequest } from "./run-request";
import { announceQueued } from "./run-queue";
import { runView, type RunView } from "./run-views";

/**
 * Checks the launch, then has it admitted with the other launches of its lineage waiting at that moment
 * (./launch-admission.ts): the budget is checked and the run's planned spend reserved in one transaction that holds
 * the budget's row, so that concurrent launches cannot overspend.
 * A launch the projection already refuses without the lock is refused at once, holding no lock (refusing never spends,
 * so a check on a moment-old ledger is safe; only an admission must be made under the lock).
 */
export async function launchRun(db: Db, user: SessionUser, actor: Actor, input: RunRequest): Promise<Admitted> {
  const { subject, state } = await checkedLaunch(db, user, input);
  const early = projectOnto(subject, input, state);
  if (early.refusal) throw new AppError("CONFLICT", early.refusal);
  const launch = { user, actor, input, subject };
  const thread = ledgerThreadOf(db);
  const admitted = await (thread ? thread("admit", [launch]) : admitLaunch(db, launch));
  // After the commit: runners may claim it now. The answer does not wait for the queue (announceQueued never fails:
  // a run whose enqueue is lost is enqueued by the next runner poll).
  void announceQueued(db, admitted.runId);
  return admitted;
}

export const runIdInput = z.object({ runId: z.uuid() });

/**
 * A run the user may act on, locked until `tx` ends (a runner may be claiming it): their own, or (for cancelling) any,
 * for a privacy officer.
 */
async function actionableRun(tx: Tx, user: SessionUser, runId: string, officerMay: boolean) {
  const run = await lockedRow(tx, runs, runId);
  if (!run || !(await maySeeDataset(tx, user, run.datasetId))) throw new AppError("NOT_FOUND", "No such run.");
  if (run.createdBy !== user.id && !(officerMay && may(user.role, ABILITIES["runs.cancel.any"]))) {
    throw new AppError("FORBIDDEN", "Only the engineer who launched this run may do that.");
  }
  return run;
}

/**
 * Cancels a queued run at once, or asks the runner to stop a running one at its next step boundary (on the ledger
 * thread when `db` has one: it locks the lineage's curves).
 */
export function cancelRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>): Promise<RunView> {
  const thread = ledgerThreadOf(db);
  if (thread) return thread("cancel", [user, actor, input]);
  return audited(db, { actor, action: "run.cancel", entityType: "run", entityId: input.runId, input }, async (tx) => {
    const run = await actionableRun(tx, user, input.runId, true);
    if (run.status !== "queued" && run.status !== "running") {
      throw new AppError("CONFLICT", `This run is ${run.status}; only queued or running runs can be cancelled.`);
    }
    const change =
      run.status === "queued"
        ? { status: "cancelled" as const, statusReason: "cancelled before it started", endedAt: new Date().toISOString() }
        : { cancelRequested: true };
    const view = runView((await tx.update(runs).set(change).where(eq(runs.id, run.id)).returning())[0]!);
    // Its reservation is given back last, so that the lineage's curves are locked only for that and the audit entry.
    if (run.status === "queued") await lockLineageCurves(tx, run.datasetId, { runId: run.id });
    return view;
  });
}

/**
 * Queues an interrupted run again, from its last checkpoint (or from the start if it has none). The steps after the
 * checkpoint are run, and charged, again; the budget is checked and the new reservation made in one transaction (on
 * the ledger thread when `db` has one).
 */
export async function resumeRun(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>): Promise<RunView> {
  const thread = ledgerThreadOf(db);
  const done = await (thread ? thread("requeue", [user, actor, input]) : requeueInterrupted(db, user, actor, input));
  await announceQueued(db, done.id); // after the commit: runners may claim it now
  return done;
}

/** resumeRun's transaction: the interrupted run queued again, its reservation made under the lineage's locks. */
export function requeueInterrupted(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof runIdInput>): Promise<RunView> {
  return audited(db, { actor, action: "run.resume", entityType: "run", entityId: input.runId, input }, async (tx) => {
    const run = await actionableRun(tx, user, input.runId, false);
    if (run.status !== "interrupted") throw new AppError("CONFLICT", `This run is ${run.status}; only interrupted runs can be resumed.`);
    await requireTrainingAccess(tx, user, run.datasetId);
    await visibleModelVersion(tx, user, run.baseModelVersionId); // its base model's data too, as at launch
    const resumed = { ...run, status: "queued" as const, segmentBaseSteps: run.chargedSteps, resumeFromStep: run.checkpointStep ?? 0, cancelRequested: false };
    // The curves count the interrupted run at its charged steps; resumed, it is reserved at reservedSteps(resumed).
    const { budget, curves, read } = await lockedLineageState(tx, { id: run.datasetVersionId, datasetId: run.datasetId });
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
}
