// What one trainer process reports, applied to the database message by message: each step charged (once, whatever is
// repeated), evaluations and checkpoints recorded, and the run ended by its final message or by the process's exit.
// Only the runner that owns the run (its lease) applies anything; the messages arrive validated (jobs/trainer-process).
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { runEvaluations, runSteps, runs, type Run } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import type { Message } from "../../trainer/contract/protocol";
import { SYSTEM_ACTOR } from "../audit/service";
import { LEDGER_ACCOUNTANT } from "../budgets/ledger";
import { openSystemIncidentOnce } from "../incidents/service";
import { queueEvaluationIn } from "../leakage/service";
import { readSpec } from "./run-files";
import { chargeStepInFlight, chargeThrough, chargedAt, finish, registerResult } from "./run-outcome";

class TakenOver extends Error {}

export class RunSession {
  private ended = false;
  private failure: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly runId: string,
    /** The owning runner's lease id. */
    private readonly runnerId: string,
    private readonly abort: (reason: string) => void,
  ) {}

  /** The run, while this runner owns it; undefined once another runner has taken it over. */
  private owned(): Run | undefined {
    return this.db.select().from(runs).where(and(eq(runs.id, this.runId), eq(runs.runnerId, this.runnerId))).get();
  }

  /** A validated message of the trainer's (trainer-process checks every line against the protocol). */
  onMessage(message: Message): void {
    if (this.ended || this.failure) return;
    const run = this.owned();
    if (!run) return this.violation("another job runner took this run over");
    // A step still counts after a takeover marked the run interrupted (its data was touched, and the segment is the
    // same); nothing else does, and nothing once the run was queued again.
    const counts = run.status === "running" || (run.status === "interrupted" && message.type === "step");
    if (!counts) return this.violation(`the run is ${run.status}, no longer running here`);
    this.apply(run, message);
  }

  /** A protocol violation (a line that is not a valid message, a wrong setting): the run fails and the trainer stops. */
  violation(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    this.abort(reason);
  }

  private apply(run: Run, message: Message): void {
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
        this.db.transaction((tx) => {
          tx.update(runs).set({ startedInfo: JSON.stringify(message) }).where(eq(runs.id, run.id)).run();
          // The trainer's write-ahead record may show a step begun (perhaps applied) that the server never heard of,
          // when the trainer and its runner died together: it is charged now, before any step of this segment.
          chargeThrough(tx, run.id, message.privacy.mode === "dp" ? message.privacy.charged_steps : 0);
        });
        return;
      }
      case "step": {
        this.db.transaction(
          (tx) => {
            chargeThrough(tx, run.id, chargedAt(run, message.step));
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
          },
          { behavior: "immediate" },
        );
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
        // The step it names may have been applied before the failure: it is charged like any other.
        finish(this.db, run.id, "failed", message.reason, (tx) => {
          if (message.step !== null) chargeThrough(tx, run.id, chargedAt(run, message.step));
        });
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
    const serverEpsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, this.owned()?.chargedSteps ?? run.chargedSteps), delta);
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

  /**
   * The trainer exited: without a final message (or after a protocol violation) the run failed, step in flight
   * charged; unless another runner took it over meanwhile (it charged the step in flight and ended the run).
   */
  onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended && !this.failure) return;
    const reason = this.failure ?? `the trainer exited without a final message (${signal ?? `exit code ${code}`})`;
    try {
      finish(this.db, this.runId, "failed", reason, (tx) => {
        const run = tx.select().from(runs).where(and(eq(runs.id, this.runId), eq(runs.runnerId, this.runnerId), eq(runs.status, "running"))).get();
        if (!run) throw new TakenOver();
        chargeStepInFlight(tx, this.runId);
      });
    } catch (err) {
      if (!(err instanceof TakenOver)) throw err;
    }
  }
}
