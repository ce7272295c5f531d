// The job runner: holds a lease, takes queued runs from the run queue (server/runs/run-queue.ts: the runs table on
// SQLite, pg-boss on PostgreSQL) and claims each by a conditional update (a few trainers at once),
// starts each in a trainer subprocess whose messages a RunSession applies (a federated run it coordinates itself:
// server/federation/federated-run.ts), stops cancelled runs at a step boundary,
// takes over runs whose runner's lease expired, and runs leakage evaluations when a slot is free. At start it makes the
// data directory owner-only (the database files are made so where they are opened, db/sqlite.ts); each tick it
// deletes ended runs' copies of training data and the dataset files past their retention.
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { first, type Db } from "../../db/client";
import { runs, type Run } from "../../db/schema";
import { messageSchema } from "../../trainer/contract/protocol";
import { SYSTEM_ACTOR, audited } from "../audit/service";
import { sweepRetention } from "../datasets/version-files";
import { coordinateFederatedRun, isFederated, type Coordination } from "../federation/federated-run";
import { closeStaleOverlaps } from "../federation/mailbox";
import { scheduleDriftProbes } from "../leakage/jobs";
import { lockDownTree } from "../private-files";
import { deleteEndedRunCopies, runDirectory, writeRunFiles } from "../runs/run-files";
import { finish } from "../runs/run-outcome";
import { runQueueOf } from "../runs/run-queue";
import { RunSession } from "../runs/run-session";
import { runNextEvaluation } from "./evaluations";
import { runNextExercise } from "./red-team";
import { runNextSynthetic } from "./synthetic";
import { RunnerLease } from "./runner-lease";
import { recoverOrphanedRuns, requeueOrphanedEvaluations } from "./takeover";
import { startTrainer, type TrainerProcess } from "./trainer-process";

export interface RunnerOptions {
  db: Db;
  /** Absolute data directory: dataset files are read from it, run directories written under runs/. */
  dataDir: string;
  /** Trainers running at once. */
  concurrency: number;
  /** The trainer command; the run spec's path and flags are appended. */
  trainerCommand: readonly string[];
  pollMs: number;
  /** How long the runner's lease lasts without a heartbeat (it renews it every poll). */
  leaseMs: number;
  log: (line: string) => void;
}

class NotClaimed extends Error {}

export class Runner {
  private readonly trainers = new Map<string, TrainerProcess>();
  /** Federated runs this runner coordinates (their rounds, in this process). */
  private readonly coordinating = new Map<string, Coordination>();
  /** Runs whose trainer reported `started`: it stops at a step boundary on SIGTERM only once its handler is set, so a
   * cancel that comes earlier waits for it (a SIGTERM while it loads would kill it and fail the run). */
  private readonly started = new Set<string>();
  private readonly lease: RunnerLease;
  /** Each trainer's exit, once the run's session has recorded it. */
  private readonly followed = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private stopping = false;
  private starting: Promise<unknown> = Promise.resolve();
  private evaluating = false;

  constructor(private readonly options: RunnerOptions) {
    this.lease = new RunnerLease(options.db, options.leaseMs);
  }

  /**
   * Makes the data directory (datasets, runs, checkpoints, models, keys) owner-only, takes a lease, then polls for
   * work (taking over runs of runners whose lease expired as it goes).
   */
  async start(): Promise<void> {
    const { dataDir, log } = this.options;
    const changed = lockDownTree(dataDir);
    if (changed > 0) log(`made ${changed} file(s) and folder(s) under ${dataDir} owner-only`);
    this.starting = this.lease.acquire();
    await this.starting;
    if (this.stopping) return;
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    void this.tick();
  }

  /**
   * Stops polling and asks every trainer to stop at its next step boundary; resolves when they have exited and their
   * exits were recorded.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.starting.catch(() => undefined);
    await this.ticking; // a tick under way may still start a trainer
    for (const trainer of this.trainers.values()) trainer.stop("SIGTERM");
    for (const coordination of this.coordinating.values()) coordination.stop();
    await Promise.all(this.followed.values());
    await this.lease.release();
  }

  /** The process id of a run's trainer, while it runs. */
  pidOf(runId: string): number | undefined {
    return this.trainers.get(runId)?.pid;
  }

  /** One poll; never rejects (a failure is logged and the next poll tries again). */
  tick(): Promise<void> {
    if (this.ticking || this.stopping) return this.ticking ?? Promise.resolve();
    this.ticking = this.poll()
      .catch((err: Error) => this.options.log(`poll failed: ${err.message}`))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async poll(): Promise<void> {
    const { db, log } = this.options;
    if (!(await this.lease.renew())) {
      // The lease expired (the process stalled past it): its runs may have been taken over. Stop their trainers
      // at once and start afresh under a new lease.
      for (const [runId, trainer] of this.trainers) {
        log(`run ${runId}: this runner's lease expired; stopping its trainer`);
        trainer.stop("SIGKILL");
      }
      for (const coordination of this.coordinating.values()) coordination.stop();
      await this.lease.acquire();
    }
    const taken = await recoverOrphanedRuns(db, this.options.dataDir);
    if (taken > 0) log(`took over ${taken} run(s) whose runner's lease expired: marked interrupted`);
    await requeueOrphanedEvaluations(db);
    for (const [runId, trainer] of this.trainers) {
      const run = await first(db.select({ cancel: runs.cancelRequested }).from(runs).where(eq(runs.id, runId)));
      if (run?.cancel && !trainer.stopped && this.started.has(runId)) trainer.stop("SIGTERM");
    }
    const queue = runQueueOf(db);
    await queue.reconcile();
    while (!this.stopping && this.trainers.size + this.coordinating.size + (this.evaluating ? 1 : 0) < this.options.concurrency) {
      const job = await queue.next();
      if (!job) break;
      const next = await first(db.select().from(runs).where(eq(runs.id, job.runId)));
      const claimed = next?.status === "queued" && (await this.claim(next));
      await job.settle(); // claimed, or no longer queued: either way no runner needs this job again
      if (claimed) await this.launch(next);
    }
    await scheduleDriftProbes(db);
    await closeStaleOverlaps(db);
    await this.deleteWhatIsNoLongerKept();
    if (!this.stopping && !this.evaluating && this.trainers.size < this.options.concurrency) {
      // Leakage evaluations, red-team exercises and synthetic data use the trainer too: one at a time, when a slot is
      // free, in the background.
      this.evaluating = true;
      const { dataDir, trainerCommand } = this.options;
      void runNextEvaluation(db, dataDir, trainerCommand, this.lease.id)
        .then((found) => found || runNextExercise(db, dataDir, trainerCommand, this.lease.id))
        .then((found) => found || runNextSynthetic(db, dataDir, trainerCommand, this.lease.id))
        .catch((err: Error) => this.options.log(`leakage evaluation, red-team exercise or synthetic data failed: ${err.message}`))
        .finally(() => {
          this.evaluating = false;
        });
    }
  }

  /** Ended runs' copies of training data (once their trainer has exited) and dataset files past their retention. */
  private async deleteWhatIsNoLongerKept(): Promise<void> {
    const { db, dataDir, log } = this.options;
    for (const id of await deleteEndedRunCopies(db, dataDir, new Set(this.trainers.keys()))) log(`run ${id}: its copies of training data were deleted`);
    for (const id of await sweepRetention(db, dataDir)) log(`dataset version ${id}: its files were deleted (retention)`);
  }

  /** Moves a queued run to running under this runner's lease, by a conditional update only one runner wins. */
  private async claim(run: Run): Promise<boolean> {
    const input = { resume: run.resumeFromStep > 0, runner: this.lease.id };
    try {
      await audited(this.options.db, { actor: SYSTEM_ACTOR, action: "run.start", entityType: "run", entityId: run.id, input }, async (tx) => {
        const claimed = await tx
          .update(runs)
          .set({ status: "running", runnerId: this.lease.id, startedAt: new Date().toISOString(), statusReason: null })
          .where(and(eq(runs.id, run.id), eq(runs.status, "queued")))
          .returning({ id: runs.id });
        if (claimed.length !== 1) throw new NotClaimed();
      });
      return true;
    } catch (err) {
      if (err instanceof NotClaimed) return false;
      throw err;
    }
  }

  private async launch(run: Run): Promise<void> {
    const { db, dataDir, log } = this.options;
    if (isFederated(run)) return this.coordinate(run);
    const dir = runDirectory(dataDir, run.id);
    const resume = run.resumeFromStep > 0;
    let specPath: string;
    try {
      specPath = resume ? path.join(dir, "spec.json") : await writeRunFiles(db, dataDir, run);
    } catch (err) {
      await finish(db, run.id, "failed", `could not prepare the run: ${(err as Error).message}`);
      return;
    }
    // The steps charged in earlier segments (after a crash, the step in flight too): the trainer counts from there.
    const charged = run.segmentBaseSteps > 0 ? ["--charged-steps", String(run.segmentBaseSteps)] : [];
    const session = new RunSession(db, dataDir, run.id, this.lease.id, (reason) => {
      log(`run ${run.id}: ${reason}; stopping the trainer`);
      trainer.stop("SIGKILL");
    });
    const trainer = startTrainer({
      command: this.options.trainerCommand,
      args: ["train", "--spec", specPath, ...(resume ? ["--resume"] : []), ...charged],
      schema: messageSchema,
      // Queued on the session, applied in order (its promises never reject).
      onMessage: (message) => {
        if (message.type === "started") this.started.add(run.id);
        void session.onMessage(message);
      },
      onInvalid: (reason) => void session.violation(reason),
      stderr: { file: path.join(dir, "trainer.log") },
    });
    this.trainers.set(run.id, trainer);
    log(`run ${run.id}: trainer started (pid ${trainer.pid})`);
    // Followed in the background: the runner goes on polling (cancels, more queued runs) meanwhile. The exit is
    // recorded after every message the trainer sent; a trainer that could not even start counts as one that exited.
    const followed = trainer.exited
      .catch((err: Error) => {
        log(`run ${run.id}: the trainer could not be run: ${err.message}`);
        return { code: null, signal: null };
      })
      .then(async ({ code, signal }) => {
        try {
          await session.onExit(code, signal);
        } catch (err) {
          log(`run ${run.id}: its trainer's exit could not be recorded: ${(err as Error).message}`);
        }
        this.trainers.delete(run.id);
        this.started.delete(run.id);
        this.followed.delete(run.id);
        log(`run ${run.id}: trainer exited (${signal ?? code})`);
        void this.tick();
      });
    this.followed.set(run.id, followed);
  }

  /** Coordinates a claimed federated run's rounds in this process, followed like a trainer. */
  private coordinate(run: Run): void {
    const { db, dataDir, log } = this.options;
    const coordination = coordinateFederatedRun(db, dataDir, run, this.lease.id, log);
    this.coordinating.set(run.id, coordination);
    log(`run ${run.id}: coordinating its federated rounds`);
    this.followed.set(
      run.id,
      coordination.done.then(() => {
        this.coordinating.delete(run.id);
        this.followed.delete(run.id);
        log(`run ${run.id}: federated run ended`);
        void this.tick();
      }),
    );
  }
}
