// Checks a local sign-in: throttle first, then the argon2id hash; refuses disabled accounts with the same message.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users, type User } from "../../db/schema";
import { AppError } from "../errors";
import { decoyHash, verifyPassword } from "./password";
import { recordFailedSignIn, recordSuccessfulSignIn, waitBeforeSignIn, type ThrottleLimits } from "./throttle";

export const WRONG_CREDENTIALS = "Wrong email or password.";

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string | null;
}

export async function authenticate(db: Db, attempt: SignInAttempt, limits: ThrottleLimits): Promise<User> {
  const email = attempt.email.trim().toLowerCase();
  const wait = waitBeforeSignIn(db, email, attempt.ip);
  if (wait > 0) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} s.`);
  }
  const user = db.select().from(users).where(eq(users.email, email)).get();
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), attempt.password);
  if (!user || !ok || user.disabled) {
    recordFailedSignIn(db, email, attempt.ip, limits);
    throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  recordSuccessfulSignIn(db, email);
  return user;
}

/** The active user with this id or email, or null when there is none or it is disabled. */
export function findActiveUser(db: Db, by: { id: string } | { email: string }): User | null {
  const where = "id" in by ? eq(users.id, by.id) : eq(users.email, by.email.trim().toLowerCase());
  const user = db.select().from(users).where(where).get();
  return user && !user.disabled ? user : null;
}

/** The client address as the nearest proxy (or Next's own server) recorded it: the last X-Forwarded-For entry. */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string | null {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw.join(",") : raw;
  const last = value?.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
  return last ?? null;
}
