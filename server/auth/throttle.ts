// Slows repeated failed sign-ins: per account and per IP address, with an exponentially growing wait.
import { eq, inArray } from "drizzle-orm";
import { first, transaction, type Db } from "../../db/client";
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

export async function recordFailedSignIn(db: Db, email: string, ip: string | null, limits: ThrottleLimits, now = Date.now()): Promise<void> {
  await transaction(db, async (tx) => {
    for (const { key, limit } of keys(email, ip)) {
      const row = await first(tx.select().from(signInThrottle).where(eq(signInThrottle.key, key)));
      const failures = row && now - row.lastFailureAt < WINDOW_MS ? row.failures + 1 : 1;
      const over = failures - limit(limits);
      const blockedUntil = over >= 0 ? now + Math.min(MAX_WAIT_MS, 1000 * 2 ** over) : 0;
      await tx
        .insert(signInThrottle)
        .values({ key, failures, lastFailureAt: now, blockedUntil })
        .onConflictDoUpdate({ target: signInThrottle.key, set: { failures, lastFailureAt: now, blockedUntil } });
    }
  });
}

/** A successful sign-in clears the account's counter (the IP's stays: one good password does not vouch for others). */
export async function recordSuccessfulSignIn(db: Db, email: string): Promise<void> {
  await transaction(db, async (tx) => {
    await tx.delete(signInThrottle).where(eq(signInThrottle.key, `account:${email.toLowerCase()}`));
  });
}
