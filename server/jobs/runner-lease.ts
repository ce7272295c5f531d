// A job runner's lease on its work: one row in runner_leases, renewed by heartbeat. Runs are claimed by a conditional
// update that only one caller wins, and a run left "running" is taken over only once its owner's lease has expired.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Db, Executor } from "../../db/client";
import { runnerLeases } from "../../db/schema";

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the lease `runnerId` still holds at `now` (a run without an owner has none). */
export function leaseHolds(db: Executor, runnerId: string | null, now = Date.now()): boolean {
  if (runnerId === null) return false;
  return db.select({ id: runnerLeases.id }).from(runnerLeases).where(and(eq(runnerLeases.id, runnerId), gt(runnerLeases.expiresAt, iso(now)))).get() !== undefined;
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
  acquire(now = Date.now()): string {
    const id = randomUUID();
    this.db.insert(runnerLeases).values({ id, host: hostname(), pid: process.pid, heartbeatAt: iso(now), expiresAt: iso(now + this.ttlMs) }).run();
    this.current = id;
    this.renewedAt = now;
    return id;
  }

  /**
   * Extends the lease (at most every sixth of its length: a heartbeat, not a write per poll); false when it had already
   * expired (others may have taken its runs over): it is then void.
   */
  renew(now = Date.now()): boolean {
    if (this.current === null) return false;
    if (now - this.renewedAt < this.ttlMs / 6) return true;
    const renewed = this.db
      .update(runnerLeases)
      .set({ heartbeatAt: iso(now), expiresAt: iso(now + this.ttlMs) })
      .where(and(eq(runnerLeases.id, this.current), gt(runnerLeases.expiresAt, iso(now))))
      .run();
    if (renewed.changes === 1) {
      this.renewedAt = now;
      return true;
    }
    this.current = null;
    return false;
  }

  /** Gives the lease up (on a clean stop, once its trainers have exited). */
  release(): void {
    if (this.current === null) return;
    this.db.delete(runnerLeases).where(eq(runnerLeases.id, this.current)).run();
    this.current = null;
  }
}
