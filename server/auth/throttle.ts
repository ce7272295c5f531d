// Slows repeated failed sign-ins: per account and per IP address, with an exponentially growing wait.
import { eq, inArray, sql } from "drizzle-orm";
import { transaction, type Db } from "../../db/client";
import { signInThrottle } from "../../db/schema";

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
}

/** Failures are forgotten after this long without a new one. */
const WINDOW_MS = 15 * 60_000;
const MAX_WAIT_MS = 15 * 60_000;

function keys(email: string, ip: string | null): { key: string; limit: (l: ThrottleLimits) => number }[] {
  const out = [{ key: `account:${email.toLowerCase()}`, limit: (l: ThrottleLimits) => l.perAccount }];
  if (ip) out.push({ key: `ip:${ip}`, limit: (l) => l.perIp });
  return out;
}

/** Milliseconds the caller must still wait before trying again; 0 when a sign-in may be attempted now. */
export async function waitBeforeSignIn(db: Db, email: string, ip: string | null, now = Date.now()): Promise<number> {
  const rows = await db
    .select()
    .from(signInThrottle)
    .where(inArray(signInThrottle.key, keys(email, ip).map((k) => k.key)));
  return Math.max(0, ...rows.map((r) => r.blockedUntil - now));
}

/**
 * Counts a failure against the account and the IP address. Each counter is raised by one atomic upsert (the row stays
 * locked to the end of the transaction), so failures that come at once, to one server or to several sharing the
 * database, are each counted.
 */
export async function recordFailedSignIn(db: Db, email: string, ip: string | null, limits: ThrottleLimits, now = Date.now()): Promise<void> {
  await transaction(db, async (tx) => {
    for (const { key, limit } of keys(email, ip)) {
      const [row] = await tx
        .insert(signInThrottle)
        .values({ key, failures: 1, lastFailureAt: now, blockedUntil: 0 })
        .onConflictDoUpdate({
          target: signInThrottle.key,
          set: {
            failures: sql`CASE WHEN ${now} - ${signInThrottle.lastFailureAt} < ${WINDOW_MS} THEN ${signInThrottle.failures} + 1 ELSE 1 END`,
            lastFailureAt: now,
          },
        })
        .returning({ failures: signInThrottle.failures });
      const over = row!.failures - limit(limits);
      const blockedUntil = over >= 0 ? now + Math.min(MAX_WAIT_MS, 1000 * 2 ** over) : 0;
      await tx.update(signInThrottle).set({ blockedUntil }).where(eq(signInThrottle.key, key));
    }
  });
}

/** A successful sign-in clears the account's counter (the IP's stays: one good password does not vouch for others). */
export async function recordSuccessfulSignIn(db: Db, email: string): Promise<void> {
  await transaction(db, async (tx) => {
    await tx.delete(signInThrottle).where(eq(signInThrottle.key, `account:${email.toLowerCase()}`));
  });
}
