// What one trainer process reports, applied to the database message by message: each step charged (once, whatever is
// repeated), evaluations and checkpoints recorded, and the run ended by its final message or by the process's exit.
// Only the runner that owns the run (its lease) applies anything; the messages arrive validated (jobs/trainer-process).
import { and, eq } from "drizzle-orm";
import { first, transaction, type Db } from "../../db/client";
import { runEvaluations, runSteps, runs, type Run } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import type { Message } from "../../trainer/contract/protocol";
import { SYSTEM_ACTOR } from "../audit/service";
import { LEDGER_ACCOUNTANT } from "../budgets/ledger";
import { openSystemIncidentOnce } from "../incidents/service";
import { queueEvaluationIn } from "../leakage/service";
import { readSpec } from "./run-files";
import { chargeStepInFlight, chargeThrough, chargedAt, finish, registerResult, storeResult } from "./run-outcome";

class TakenOver extends Error {}

/**
 * The messages are applied one after another, in the order they arrived, on a queue (each waits for the one before
 * it to be in the database); the exit comes last. A message that cannot be recorded fails the run like a protocol
 * violation: the trainer is stopped and its exit charges the step in flight.
 */
export class RunSession {
  private ended = false;
  private failure: string | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly runId: string,
    /** The owning runner's lease id. */
    private readonly runnerId: string,
    private readonly abort: (reason: string) => void,
  ) {}

  /** Queues `handle` after everything before it; a failure of it fails the run. Never rejects. */
  private enqueue(handle: () => Promise<void>): Promise<void> {
    const done = this.queue.then(handle).catch((err: unknown) => this.fail(`could not record the trainer's message: ${(err as Error).message}`));
    this.queue = done;
    return done;
  }

  /** The run, while this runner owns it; undefined once another runner has taken it over. */
  private owned(): Promise<Run | undefined> {
    return first(this.db.select().from(runs).where(and(eq(runs.id, this.runId), eq(runs.runnerId, this.runnerId))));
  }

  /**
   * A validated message of the trainer's (trainer-process checks every line against the protocol), queued after the
   * ones before it; resolves once it was applied (it never rejects).
   */
  onMessage(message: Message): Promise<void> {
    return this.enqueue(() => this.handle(message));
  }

  /** A protocol violation (a line that is not a valid message, a wrong setting), in its place among the messages: the
   * run fails and the trainer stops. */
  violation(reason: string): Promise<void> {
    return this.enqueue(async () => this.fail(reason));
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    this.abort(reason);
  }

  private async handle(message: Message): Promise<void> {
    // After a violation the trainer is being stopped; a step it still reports was applied and is charged all the same.
    if (this.ended || (this.failure && message.type !== "step")) return;
    const run = await this.owned();
    if (!run) return this.fail("another job runner took this run over");
    // A step still counts after a takeover marked the run interrupted (its data was touched, and the segment is the
    // same); nothing else does, and nothing once the run was queued again.
    const counts = run.status === "running" || (run.status === "interrupted" && message.type === "step");
    if (!counts) return this.fail(`the run is ${run.status}, no longer running here`);
    await this.apply(run, message);
  }

  private async apply(run: Run, message: Message): Promise<void> {
    switch (message.type) {
      case "started": {
        if (message.privacy.mode !== "dp") return this.fail("the trainer started without DP");
        const { sampling_rate: q, noise_multiplier: sigma } = message.privacy;
        if (Math.abs(q - run.samplingRate) > 1e-9 * run.samplingRate || Math.abs(sigma - run.noiseMultiplier) > 1e-12 * run.noiseMultiplier) {
          return this.fail(`the trainer's sampling rate ${q} or noise multiplier ${sigma} differs from the run's (${run.samplingRate}, ${run.noiseMultiplier})`);
        }
        if ((message.resumed_from_step ?? 0) !== run.resumeFromStep) {
          return this.fail(`the trainer resumed from step ${message.resumed_from_step}, the run from ${run.resumeFromStep}`);
        }
        const charged = message.privacy.charged_steps;
        await transaction(this.db, async (tx) => {
          // The trainer's write-ahead record may show a step begun (perhaps applied) that the server never heard of,
          // when the trainer and its runner died together: it is charged now, before any step of this segment, and
          // belongs before the segment, whose steps the trainer counts from it (as chargedAt then does).
          await tx.update(runs).set({ startedInfo: JSON.stringify(message), segmentBaseSteps: Math.max(run.segmentBaseSteps, charged) }).where(eq(runs.id, run.id));
          await chargeThrough(tx, run.id, charged);
        });
        return;
      }
      case "step": {
        await transaction(this.db, async (tx) => {
          await chargeThrough(tx, run.id, chargedAt(run, message.step));
          await tx.insert(runSteps).values({
            runId: run.id,
            step: message.step,
            batchSize: message.batch_size,
            loss: message.loss,
            trainerEpsilon: message.epsilon,
            clippedFraction: message.clipped_fraction,
            gradNormQuantiles: message.grad_norm_quantiles && JSON.stringify(message.grad_norm_quantiles),
            elapsedMs: message.elapsed_ms,
          });
        });
        return;
      }
      case "evaluation":
        await transaction(this.db, async (tx) => {
          await tx.insert(runEvaluations).values({
            runId: run.id,
            step: message.step,
            validationLoss: message.validation_loss,
            perplexity: message.perplexity,
            taskRecords: message.task?.records ?? null,
            taskAccuracy: message.task?.accuracy ?? null,
            taskMacroF1: message.task?.macro_f1 ?? null,
          });
        });
        return;
      case "checkpoint":
        await transaction(this.db, async (tx) => {
          const reportedEvent = message.privacy_event && JSON.stringify(message.privacy_event);
          await tx.update(runs).set({ checkpointStep: message.step, reportedEvent }).where(eq(runs.id, run.id));
        });
        return;
      case "finished":
        this.ended = true;
        return this.onFinished(run, message);
      case "failed":
        this.ended = true;
        // The step it names may have been applied before the failure: it is charged like any other.
        await finish(this.db, run.id, "failed", message.reason, async (tx) => {
          if (message.step !== null) await chargeThrough(tx, run.id, chargedAt(run, message.step));
        });
        return;
    }
  }

  private async onFinished(run: Run, message: Extract<Message, { type: "finished" }>): Promise<void> {
    const reported = message.privacy_event && JSON.stringify(message.privacy_event);
    await transaction(this.db, async (tx) => {
      await tx.update(runs).set({ reportedEvent: reported }).where(eq(runs.id, run.id));
    });
    if (message.outcome === "interrupted") {
      const status = run.cancelRequested ? "cancelled" : "interrupted";
      await finish(this.db, run.id, status, run.cancelRequested ? "cancelled at a step boundary" : "stopped at a step boundary with a checkpoint");
      return;
    }
    const spec = readSpec(this.dataDir, run.id);
    const delta = spec.privacy.mode === "dp" ? spec.privacy.delta : 0;
    const chargedSteps = (await this.owned())?.chargedSteps ?? run.chargedSteps;
    const serverEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, chargedSteps), delta);
    const differs = message.epsilon !== null && Math.abs(message.epsilon - serverEpsilon) > 1e-6 * Math.max(1, serverEpsilon);
    const note = differs ? `the trainer reported ε = ${message.epsilon}, the server computed ε = ${serverEpsilon}` : null;
    try {
      await storeResult(run, message, this.dataDir);
      await finish(this.db, run.id, "finished", note ?? message.outcome, async (tx) => {
        const versionId = await registerResult(tx, run, message, this.dataDir);
        // With canaries, the leakage tests run on the new version as soon as the runner is free.
        if (run.canaryPlan) await queueEvaluationIn(tx, SYSTEM_ACTOR, versionId, "post_training");
        if (note) {
          const links = [{ entityType: "run" as const, entityId: run.id }];
          await openSystemIncidentOnce(tx, SYSTEM_ACTOR, { title: "The trainer's epsilon differs from the server's", description: note, severity: "high", source: "accounting_mismatch", links });
        }
      });
    } catch (err) {
      // Its steps stay charged; the model is not registered.
      await finish(this.db, run.id, "failed", `the trained model could not be registered: ${(err as Error).message}`);
    }
  }

  /**
   * The trainer exited (queued after its messages): without a final message (or after a protocol violation) the run
   * failed, step in flight charged; unless another runner took it over meanwhile (it charged the step in flight and
   * ended the run). Rejects only when the end could not be recorded.
   */
  onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const exit = this.queue.then(() => this.exit(code, signal));
    this.queue = exit.catch(() => undefined);
    return exit;
  }

  private async exit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.ended && !this.failure) return;
    const reason = this.failure ?? `the trainer exited without a final message (${signal ?? `exit code ${code}`})`;
    try {
      await finish(this.db, this.runId, "failed", reason, async (tx) => {
        const run = await first(tx.select().from(runs).where(and(eq(runs.id, this.runId), eq(runs.runnerId, this.runnerId), eq(runs.status, "running"))));
        if (!run) throw new TakenOver();
        await chargeStepInFlight(tx, this.runId);
      });
    } catch (err) {
      if (!(err instanceof TakenOver)) throw err;
    }
  }
}
