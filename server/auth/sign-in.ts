// Checks a local sign-in: throttle first, then the argon2id hash; refuses disabled accounts with the same message.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users, type User } from "../../db/schema";
import { AppError } from "../errors";
import { clientAddress, stampedRemoteAddress, type TrustedProxies } from "./client-address";
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

type RequestHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * The address the per-IP throttle counts failures against: the socket's peer (stamped on the request by
 * client-address.ts), or the address a trusted proxy recorded for its own client (see clientAddress).
 */
export function clientIp(headers: RequestHeaders, trusted: TrustedProxies): string | null {
  const record = headers instanceof Headers ? Object.fromEntries(headers) : headers;
  const raw = record["x-forwarded-for"];
  const forwardedFor = Array.isArray(raw) ? raw.join(",") : (raw ?? null);
  return clientAddress(stampedRemoteAddress(record), forwardedFor, trusted);
}
