// Taking over what a dead job runner left: runs it was training (interrupted, steps begun charged) and leakage
// evaluations and red-team exercises it was carrying out (queued again), once, and only after its lease has expired.
import { and, eq, isNull } from "drizzle-orm";
import { first, transaction, type Db } from "../../db/client";
import { leakageReports, redTeamExercises, runs, syntheticJobs } from "../../db/schema";
import { checkpointDirectory, recordedChargedSteps, specDigest } from "../../trainer/contract/charged-steps";
import { chargeStepInFlight, finish } from "../runs/run-outcome";
import { readSpec } from "../runs/run-files";
import { leaseHolds } from "./runner-lease";

class NotOrphaned extends Error {}

/**
 * Runs left "running" by a runner whose lease has expired (it crashed or lost the database) are interrupted: their
 * charged steps stand, plus every step their trainer began that the server did not hear of (the trainer's
 * write-ahead record in the run's folder says how many; without it, the one step in flight), and they can be resumed.
 * A run whose owner's lease still holds is never touched, and of two runners taking the same run over only one does.
 * Returns how many it took over.
 */
export async function recoverOrphanedRuns(db: Db, dataDir: string, now = Date.now()): Promise<number> {
  const running = await db.select({ id: runs.id, runnerId: runs.runnerId }).from(runs).where(eq(runs.status, "running"));
  let taken = 0;
  for (const { id, runnerId } of running) {
    if (await leaseHolds(db, runnerId, now)) continue;
    const begun = stepsBegun(dataDir, id);
    try {
      await finish(db, id, "interrupted", "its job runner stopped while the run was going; it can be resumed from its last checkpoint", async (tx) => {
        // Read again in the transaction: of two runners taking it over, the second finds it no longer running.
        const run = await first(tx.select().from(runs).where(and(eq(runs.id, id), eq(runs.status, "running"))));
        if (!run || run.runnerId !== runnerId || (await leaseHolds(tx, run.runnerId, now))) throw new NotOrphaned();
        await chargeStepInFlight(tx, id, begun);
      });
      taken += 1;
    } catch (err) {
      if (!(err instanceof NotOrphaned)) throw err;
    }
  }
  return taken;
}

/**
 * The steps the run's trainer began in all, by its write-ahead record (trainer/contract/charged-steps.ts), or null when
 * there is none to read: the trainer never started, or its folder is not on this host.
 */
function stepsBegun(dataDir: string, runId: string): number | null {
  try {
    const spec = readSpec(dataDir, runId);
    return recordedChargedSteps(checkpointDirectory(spec), specDigest(spec));
  } catch {
    return null;
  }
}

/**
 * Leakage evaluations, red-team exercises and synthetic-data jobs left running by a runner whose lease expired go back
 * to the queue, to be carried out again (a synthetic job from its first record: nothing of it was kept).
 */
export async function requeueOrphanedEvaluations(db: Db, now = Date.now()): Promise<void> {
  for (const jobs of [leakageReports, redTeamExercises, syntheticJobs]) {
    const running = await db.select({ id: jobs.id, runnerId: jobs.runnerId }).from(jobs).where(eq(jobs.status, "running"));
    for (const { id, runnerId } of running) {
      if (await leaseHolds(db, runnerId, now)) continue;
      await transaction(db, async (tx) => {
        await tx
          .update(jobs)
          .set({ status: "queued", runnerId: null })
          .where(and(eq(jobs.id, id), eq(jobs.status, "running"), runnerId === null ? isNull(jobs.runnerId) : eq(jobs.runnerId, runnerId)));
      });
    }
  }
}
