// Where job runners learn which runs are queued: on SQLite the runs table itself (the embedded runner polls it); on
// PostgreSQL a pg-boss queue that workers on any host fetch from. Either way a run is started only by the runner whose
// conditional update claims it, so a job delivered twice still trains the run once.
import { asc, eq } from "drizzle-orm";
import PgBoss from "pg-boss";
import { engineOf, onClose, type Db } from "../../db/client";
import { runs } from "../../db/schema";

/** The pg-boss queue of runs to start; its jobs carry `{ runId }`. */
export const RUN_QUEUE = "run-start";
/** The PostgreSQL schema pg-boss keeps its tables in. */
export const QUEUE_SCHEMA = "pgboss";

/** A run a runner may try to claim, and how to tell the queue it was dealt with (claimed, or no longer queued). */
export interface QueuedRun {
  runId: string;
  settle(): Promise<void>;
}

export interface RunQueue {
  kind: "runs table" | "pg-boss";
  /** Resolves once the queue can be used; rejects, saying why, when it cannot (e.g. its schema is missing). */
  ready(): Promise<void>;
  /** Tells runners that `runId` is queued; called after the launch (or resume) commits. */
  enqueue(runId: string): Promise<void>;
  /** The next queued run to try, or null. */
  next(): Promise<QueuedRun | null>;
  /** Enqueues every queued run that has no job (one whose enqueue was lost to a crash after its launch committed). */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

/** The embedded queue: the oldest queued run in the runs table. */
function runsTableQueue(db: Db): RunQueue {
  return {
    kind: "runs table",
    async ready() {},
    async enqueue() {},
    async next() {
      const [run] = await db.select({ id: runs.id }).from(runs).where(eq(runs.status, "queued")).orderBy(asc(runs.createdAt)).limit(1);
      return run ? { runId: run.id, settle: async () => {} } : null;
    },
    async reconcile() {},
    async close() {},
  };
}

/**
 * Starts pg-boss on `url` without touching its schema (`npm run db:migrate` installs and upgrades it), after checking
 * that the schema is there and of this pg-boss version: otherwise it fails with what to do.
 */
export async function startPgBoss(url: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema: QUEUE_SCHEMA, migrate: false, supervise: false, schedule: false, max: 3 });
  boss.on("error", (error) => console.error(`[queue] ${error.message}`));
  try {
    await boss.start();
  } catch (error) {
    const message = (error as Error).message;
    if (/not installed|requires migrations/.test(message)) {
      throw new Error(`the job queue's schema "${QUEUE_SCHEMA}" is missing or of another pg-boss version (${message}): run npm run db:migrate with this release`);
    }
    throw error;
  }
  return boss;
}

/** Installs or upgrades pg-boss's schema and creates the run queue: part of `npm run db:migrate` on PostgreSQL. */
export async function migrateQueue(url: string): Promise<void> {
  const boss = new PgBoss({ connectionString: url, schema: QUEUE_SCHEMA, migrate: true, supervise: false, schedule: false, max: 2 });
  await boss.start();
  if (!(await boss.getQueue(RUN_QUEUE))) await boss.createQueue(RUN_QUEUE, { name: RUN_QUEUE, policy: "stately", retryLimit: 1000, expireInSeconds: 120 });
  await boss.stop({ graceful: false, wait: true });
}

/**
 * The PostgreSQL queue. A job is settled as soon as its run is claimed (or found no longer queued): a runner that
 * dies before that leaves the job to expire and be fetched again; one that dies after it leaves a run whose lease
 * expires, which another runner takes over (server/jobs/takeover.ts). The "stately" policy keeps one waiting job per
 * run, so enqueueing twice is harmless.
 */
function pgBossQueue(db: Db, boss: Promise<PgBoss>): RunQueue {
  const send = async (runId: string) => {
    await (await boss).send(RUN_QUEUE, { runId }, { singletonKey: runId });
  };
  return {
    kind: "pg-boss",
    async ready() {
      await boss;
    },
    enqueue: send,
    async next() {
      const b = await boss;
      const [job] = await b.fetch<{ runId: string }>(RUN_QUEUE);
      if (!job) return null;
      return { runId: job.data.runId, settle: () => b.complete(RUN_QUEUE, job.id) };
    },
    async reconcile() {
      const b = await boss;
      const queued = await db.select({ id: runs.id }).from(runs).where(eq(runs.status, "queued"));
      if (queued.length === 0) return;
      const waiting = new Set(
        (
          await b.getDb().executeSql(`SELECT singleton_key FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`, [RUN_QUEUE])
        ).rows.map((r: { singleton_key: string }) => r.singleton_key),
      );
      for (const { id } of queued) if (!waiting.has(id)) await send(id);
    },
    async close() {
      await (await boss).stop({ graceful: false, wait: true });
    },
  };
}

const queues = new WeakMap<object, RunQueue>();

/** The run queue of `db`'s engine (one per database handle, started on first use). */
export function runQueueOf(db: Db): RunQueue {
  let queue = queues.get(db);
  if (!queue) {
    const engine = engineOf(db);
    if (engine.kind === "postgres" && engine.url) {
      const boss = startPgBoss(engine.url);
      boss.catch(() => undefined); // each use awaits it and meets the error there
      queue = pgBossQueue(db, boss);
      onClose(db, queue.close);
    } else {
      queue = runsTableQueue(db);
    }
    queues.set(db, queue);
  }
  return queue;
}

/**
 * Tells runners that a launched or resumed run is queued, after its transaction committed. A failure here loses
 * nothing: every runner's poll enqueues queued runs that have no job (`reconcile`); it is only logged.
 */
export async function announceQueued(db: Db, runId: string): Promise<void> {
  try {
    await runQueueOf(db).enqueue(runId);
  } catch (error) {
    console.error(`[queue] run ${runId}: not enqueued now (${(error as Error).message}); the next runner poll enqueues it`);
  }
}
