// The tRPC context: the database and the signed-in user as the database knows them now (not as the JWT remembers),
// for a session that has not been revoked.
import type { Db } from "../db/client";
import type { Role } from "../db/schema";
import { secureCookies } from "./auth/next-auth";
import { requestCookies, sessionFromCookies, type RequestCookie } from "./auth/session-cookie";
import { findActiveUser, isDisabledUser } from "./auth/sign-in";
import { serverDb } from "./db";
import { env } from "./env";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Context {
  db: Db;
  user: SessionUser | null;
  /** The request carried a session of a user who has since been disabled (the sign-in page says so). */
  disabledSession?: boolean;
}

/**
 * Builds the context for one request, from its cookies. The user is reloaded from the database every time, so a disabled
 * account or a changed role takes effect on the next request, whatever its JWT still says; and a session
 * whose version is not the user's current one (signed out, disabled or re-enabled since) is no session.
 */
export async function createRequestContext(cookies: readonly RequestCookie[]): Promise<Context> {
  const db = serverDb();
  const e = env();
  // A session from before session versions carries none and is no session.
  const claims = await sessionFromCookies(cookies, { secret: e.NEXTAUTH_SECRET, secure: secureCookies(e) });
  if (!claims) return { db, user: null };
  const user = await activeSessionUser(db, claims.sub, claims.sessionVersion);
  return user ? { db, user } : { db, user, disabledSession: await isDisabledUser(db, claims.sub) };
}

/** The context of a route handler's request (createRequestContext from its Cookie header). */
export function contextOfRequest(req: Request): Promise<Context> {
  return createRequestContext(requestCookies(req));
}

/**
 * The active user with this id, or null. With `sessionVersion` (a request's session), also null unless it is the
 * user's current one; callers that act for a user without a session (the job runner's tests, fixtures) omit it.
 */
export async function activeSessionUser(db: Db, userId: string, sessionVersion?: number): Promise<SessionUser | null> {
  const user = await findActiveUser(db, { id: userId });
  if (!user || (sessionVersion !== undefined && user.sessionVersion !== sessionVersion)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
