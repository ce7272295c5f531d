// Checks a local sign-in: throttle first, then the argon2id hash. A disabled account is named as such only to someone
// who proves it is theirs (the right password, or a session cookie once issued to it); anyone else gets the same
// "wrong email or password" as for an unknown email, so strangers learn nothing about which emails exist.
import { eq, sql } from "drizzle-orm";
import { first, preparedRead, type Db } from "../../db/client";
import { users, type User } from "../../db/schema";
import { AppError } from "../errors";
import { clientAddress, stampedRemoteAddress, type TrustedProxies } from "./client-address";
import { decoyHash, verifyPassword } from "./password";
import { recordFailedSignIn, recordSuccessfulSignIn, waitBeforeSignIn, type ThrottleLimits } from "./throttle";

export const WRONG_CREDENTIALS = "Wrong email or password.";
export const ACCOUNT_DISABLED = "This account was disabled by an administrator.";
/** The sign-in page's `error` parameter when an identity provider proved the address of a disabled account. */
export const ACCOUNT_DISABLED_ERROR = "AccountDisabled";

/** What the sign-in page says for next-auth's `error` parameter (and for a disabled user's old session). */
export function signInNotice(error: string | undefined, disabledSession: boolean): string | null {
  if (disabledSession || error === ACCOUNT_DISABLED_ERROR) return ACCOUNT_DISABLED;
  if (error === "AccessDenied") return "This account may not sign in.";
  return null;
}

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string | null;
}

export async function authenticate(db: Db, attempt: SignInAttempt, limits: ThrottleLimits): Promise<User> {
  const email = attempt.email.trim().toLowerCase();
  const wait = await waitBeforeSignIn(db, email, attempt.ip);
  if (wait > 0) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} s.`);
  }
  const user = await first(db.select().from(users).where(eq(users.email, email)));
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), attempt.password);
  if (!user || !ok || user.disabled) {
    // Counted as a failure even with the right password, so a disabled account is no way around the throttle.
    await recordFailedSignIn(db, email, attempt.ip, limits);
    if (user && ok) throw new AppError("FORBIDDEN", ACCOUNT_DISABLED);
    throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  await recordSuccessfulSignIn(db, email);
  return user;
}

/** The active user with this id or email, or null when there is none or it is disabled. */
/** A user by id: read on every request (the session's user), so prepared once. */
const userById = preparedRead("user_by_id", (db) => db.select().from(users).where(eq(users.id, sql.placeholder("id"))));

export async function findActiveUser(db: Db, by: { id: string } | { email: string }): Promise<User | null> {
  const user = "id" in by ? (await userById(db, { id: by.id }))[0] : await first(db.select().from(users).where(eq(users.email, by.email.trim().toLowerCase())));
  return user && !user.disabled ? user : null;
}

/**
 * Whether the user a session was issued to has since been disabled. Only for a session whose cookie the server
 * signed: its holder was that user, so telling them why they were signed out reveals nothing to a stranger.
 */
export async function isDisabledUser(db: Db, userId: string): Promise<boolean> {
  return (await first(db.select({ disabled: users.disabled }).from(users).where(eq(users.id, userId))))?.disabled === true;
}

/** Whether this email belongs to a disabled account: only for an email an identity provider has just proven. */
export async function isDisabledEmail(db: Db, email: string): Promise<boolean> {
  return (await first(db.select({ disabled: users.disabled }).from(users).where(eq(users.email, email.trim().toLowerCase()))))?.disabled === true;
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
