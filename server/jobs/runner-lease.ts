// A job runner's lease on its work: one row in runner_leases, renewed by heartbeat. Runs are claimed by a conditional
// update that only one caller wins, and a run left "running" is taken over only once its owner's lease has expired.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { first, transaction, type Db, type Executor } from "../../db/client";
import { runnerLeases } from "../../db/schema";

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the lease `runnerId` still holds at `now` (a run without an owner has none). */
export async function leaseHolds(db: Executor, runnerId: string | null, now = Date.now()): Promise<boolean> {
  if (runnerId === null) return false;
  const held = await first(db.select({ id: runnerLeases.id }).from(runnerLeases).where(and(eq(runnerLeases.id, runnerId), gt(runnerLeases.expiresAt, iso(now)))));
  return held !== undefined;
}

export class RunnerLease {
  private current: string | null = null;
  private renewedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  /** The lease's id while held (what runs and evaluations record as their runner). */
  get id(): string {
    if (this.current === null) throw new Error("the runner holds no lease");
    return this.current;
  }

  /** Takes a new lease. */
  async acquire(now = Date.now()): Promise<string> {
    const id = randomUUID();
    await transaction(this.db, async (tx) => {
      await tx.insert(runnerLeases).values({ id, host: hostname(), pid: process.pid, heartbeatAt: iso(now), expiresAt: iso(now + this.ttlMs) });
    });
    this.current = id;
    this.renewedAt = now;
    return id;
  }

  /**
   * Extends the lease (at most every sixth of its length: a heartbeat, not a write per poll); false when it had already
   * expired (others may have taken its runs over): it is then void.
   */
  async renew(now = Date.now()): Promise<boolean> {
    const current = this.current;
    if (current === null) return false;
    if (now - this.renewedAt < this.ttlMs / 6) return true;
    const renewed = await transaction(this.db, (tx) =>
      tx
        .update(runnerLeases)
        .set({ heartbeatAt: iso(now), expiresAt: iso(now + this.ttlMs) })
        .where(and(eq(runnerLeases.id, current), gt(runnerLeases.expiresAt, iso(now))))
        .returning({ id: runnerLeases.id }),
    );
    if (renewed.length === 1) {
      this.renewedAt = now;
      return true;
    }
    this.current = null;
    return false;
  }

  /** Gives the lease up (on a clean stop, once its trainers have exited). */
  async release(): Promise<void> {
    const current = this.current;
    if (current === null) return;
    this.current = null;
    await transaction(this.db, async (tx) => {
      await tx.delete(runnerLeases).where(eq(runnerLeases.id, current));
    });
  }
}
