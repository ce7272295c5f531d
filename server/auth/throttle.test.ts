// The sign-in throttle's counters lose no failure that comes at the same time as another (on PostgreSQL, concurrent
// transactions on several connections, as from several dashboard instances), and a quiet window starts them again.
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { openTestDatabase } from "../../db/open";
import { signInThrottle } from "../../db/schema";
import { recordFailedSignIn, waitBeforeSignIn } from "./throttle";

const limits = { perAccount: 5, perIp: 20 };

it("counts every one of many failures that come at once", async () => {
  const db = await openTestDatabase();
  const now = Date.now();
  await Promise.all(Array.from({ length: 12 }, () => recordFailedSignIn(db, "Target@Example.com", "10.0.0.9", limits, now)));
  const rows = await db.select().from(signInThrottle).orderBy(signInThrottle.key);
  expect(rows.map((r) => [r.key, r.failures])).toEqual([
    ["account:target@example.com", 12],
    ["ip:10.0.0.9", 12],
  ]);
  // 12 failures against a limit of 5: blocked for 2^7 s.
  expect(await waitBeforeSignIn(db, "target@example.com", null, now)).toBe(128_000);
});

it("starts a counter again after 15 quiet minutes", async () => {
  const db = await openTestDatabase();
  const t0 = Date.now();
  for (let i = 0; i < 6; i++) await recordFailedSignIn(db, "a@example.com", null, limits, t0);
  await recordFailedSignIn(db, "a@example.com", null, limits, t0 + 16 * 60_000);
  const [row] = await db.select().from(signInThrottle).where(eq(signInThrottle.key, "account:a@example.com"));
  expect(row).toMatchObject({ failures: 1, blockedUntil: 0 });
});
