// The job runner: holds a lease, claims queued runs one conditional update at a time (a few trainers at once),
// starts each in a trainer subprocess whose messages a RunSession applies, stops cancelled runs at a step boundary,
// takes over runs whose runner's lease expired, and runs leakage evaluations when a slot is free. At start it makes the
// data directory and the database owner-only; each tick it deletes ended runs' copies of training data and the
// dataset files past their retention.
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { lockDownDatabaseFiles, type Db } from "../../db/client";
import { runs, type Run } from "../../db/schema";
import { messageSchema } from "../../trainer/contract/protocol";
import { SYSTEM_ACTOR, audited } from "../audit/service";
import { sweepRetention } from "../datasets/version-files";
import { scheduleDriftProbes } from "../leakage/jobs";
import { lockDownTree } from "../private-files";
import { deleteEndedRunCopies, runDirectory, writeRunFiles } from "../runs/run-files";
import { finish } from "../runs/run-outcome";
import { RunSession } from "../runs/run-session";
import { runNextEvaluation } from "./evaluations";
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
  /** Runs whose trainer reported `started`: it stops at a step boundary on SIGTERM only once its handler is set, so a
   * cancel that comes earlier waits for it (a SIGTERM while it loads would kill it and fail the run). */
  private readonly started = new Set<string>();
  private readonly lease: RunnerLease;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private evaluating = false;

  constructor(private readonly options: RunnerOptions) {
    this.lease = new RunnerLease(options.db, options.leaseMs);
  }

  /**
   * Makes the data directory (datasets, runs, checkpoints, models, keys) and the database files owner-only, takes a
   * lease, then polls for work (taking over runs of runners whose lease expired as it goes).
   */
  start(): void {
    const { db, dataDir, log } = this.options;
    const changed = lockDownTree(dataDir);
    if (!db.$client.memory) lockDownDatabaseFiles(db.$client.name);
    if (changed > 0) log(`made ${changed} file(s) and folder(s) under ${dataDir} owner-only`);
    this.lease.acquire();
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    void this.tick();
  }

  /** Stops polling and asks every trainer to stop at its next step boundary; resolves when they have exited. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const exits = [...this.trainers.values()].map((trainer) => trainer.exited);
    for (const trainer of this.trainers.values()) trainer.stop("SIGTERM");
    await Promise.all(exits);
    this.lease.release();
  }

  /** The process id of a run's trainer, while it runs. */
  pidOf(runId: string): number | undefined {
    return this.trainers.get(runId)?.pid;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const { db, log } = this.options;
      if (!this.lease.renew()) {
        // The lease expired (the process stalled past it): its runs may have been taken over. Stop their trainers
        // at once and start afresh under a new lease.
        for (const [runId, trainer] of this.trainers) {
          log(`run ${runId}: this runner's lease expired; stopping its trainer`);
          trainer.stop("SIGKILL");
        }
        this.lease.acquire();
      }
      const taken = recoverOrphanedRuns(db);
      if (taken > 0) log(`took over ${taken} run(s) whose runner's lease expired: marked interrupted`);
      requeueOrphanedEvaluations(db);
      for (const [runId, trainer] of this.trainers) {
        const run = db.select({ cancel: runs.cancelRequested }).from(runs).where(eq(runs.id, runId)).get();
        if (run?.cancel && !trainer.stopped && this.started.has(runId)) trainer.stop("SIGTERM");
      }
      while (this.trainers.size + (this.evaluating ? 1 : 0) < this.options.concurrency) {
        const next = db.select().from(runs).where(eq(runs.status, "queued")).orderBy(asc(runs.createdAt)).limit(1).get();
        if (!next) break;
        if (this.claim(next)) await this.launch(next);
      }
      scheduleDriftProbes(db);
      this.deleteWhatIsNoLongerKept();
      if (!this.evaluating && this.trainers.size < this.options.concurrency) {
        // Leakage evaluations use the trainer too: one at a time, when a slot is free, in the background.
        this.evaluating = true;
        void runNextEvaluation(db, this.options.dataDir, this.options.trainerCommand, this.lease.id)
          .catch((err: Error) => this.options.log(`leakage evaluation failed: ${err.message}`))
          .finally(() => {
            this.evaluating = false;
          });
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Ended runs' copies of training data (once their trainer has exited) and dataset files past their retention. */
  private deleteWhatIsNoLongerKept(): void {
    const { db, dataDir, log } = this.options;
    for (const id of deleteEndedRunCopies(db, dataDir, new Set(this.trainers.keys()))) log(`run ${id}: its copies of training data were deleted`);
    for (const id of sweepRetention(db, dataDir)) log(`dataset version ${id}: its files were deleted (retention)`);
  }

  /** Moves a queued run to running under this runner's lease, by a conditional update only one runner wins. */
  private claim(run: Run): boolean {
    const input = { resume: run.resumeFromStep > 0, runner: this.lease.id };
    try {
      audited(this.options.db, { actor: SYSTEM_ACTOR, action: "run.start", entityType: "run", entityId: run.id, input }, (tx) => {
        const claimed = tx
          .update(runs)
          .set({ status: "running", runnerId: this.lease.id, startedAt: new Date().toISOString(), statusReason: null })
          .where(and(eq(runs.id, run.id), eq(runs.status, "queued")))
          .run();
        if (claimed.changes !== 1) throw new NotClaimed();
      });
      return true;
    } catch (err) {
      if (err instanceof NotClaimed) return false;
      throw err;
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
      onMessage: (message) => {
        if (message.type === "started") this.started.add(run.id);
        session.onMessage(message);
      },
      onInvalid: (reason) => session.violation(reason),
      stderr: { file: path.join(dir, "trainer.log") },
    });
    this.trainers.set(run.id, trainer);
    log(`run ${run.id}: trainer started (pid ${trainer.pid})`);
    // Followed in the background: the runner goes on polling (cancels, more queued runs) meanwhile.
    void trainer.exited.then(({ code, signal }) => {
      session.onExit(code, signal);
      this.trainers.delete(run.id);
      this.started.delete(run.id);
      log(`run ${run.id}: trainer exited (${signal ?? code})`);
      void this.tick();
    });
  }
}
