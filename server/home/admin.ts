// An admin's to-do list: the users (by role, and who is disabled) and the recent failed sign-ins the throttle counts.
import { asc, desc, gt } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { signInThrottle, users } from "../../db/schema";

/** Failed sign-ins of this many hours are listed. */
export const SIGN_IN_FAILURE_HOURS = 24;

export async function adminTodo(db: Executor, now = Date.now()) {
  const people = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabled: users.disabled })
    .from(users)
    .orderBy(asc(users.email));
  const signInFailures = (
    await db
      .select()
      .from(signInThrottle)
      .where(gt(signInThrottle.lastFailureAt, now - SIGN_IN_FAILURE_HOURS * 3_600_000))
      .orderBy(desc(signInThrottle.lastFailureAt))
      .limit(50)
  ).map((row) => {
    const [kind, ...rest] = row.key.split(":");
    return {
      by: kind === "ip" ? ("address" as const) : ("account" as const),
      who: rest.join(":"),
      failures: row.failures,
      lastFailureAt: new Date(row.lastFailureAt).toISOString(),
      blockedUntil: row.blockedUntil > now ? new Date(row.blockedUntil).toISOString() : null,
    };
  });
  return { role: "admin" as const, users: people, signInFailures };
}
