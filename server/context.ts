// The tRPC context: the database and the signed-in user as the database knows them now (not as the JWT remembers),
// for a session that has not been revoked.
import { getServerSession } from "next-auth";
import { z } from "zod";
import type { Db } from "../db/client";
import type { Role } from "../db/schema";
import { authOptions } from "./auth/next-auth";
import { findActiveUser, isDisabledUser } from "./auth/sign-in";
import { serverDb } from "./db";

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

/** What a session must carry to be honoured; a session from before session versions carries none and is refused. */
const sessionClaims = z.object({ user: z.object({ id: z.string().min(1), sessionVersion: z.number().int() }) });

/**
 * Builds the context for one request. The user is reloaded from the database every time, so a disabled
 * account or a changed role takes effect on the next request, whatever its JWT still says; and a session
 * whose version is not the user's current one (signed out, disabled or re-enabled since) is no session.
 */
export async function createRequestContext(): Promise<Context> {
  const db = serverDb();
  const claims = sessionClaims.safeParse(await getServerSession(authOptions()));
  if (!claims.success) return { db, user: null };
  const user = await activeSessionUser(db, claims.data.user.id, claims.data.user.sessionVersion);
  return user ? { db, user } : { db, user, disabledSession: await isDisabledUser(db, claims.data.user.id) };
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
