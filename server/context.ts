// The tRPC context: the database and the signed-in user as the database knows them now (not as the JWT remembers).
import { getServerSession } from "next-auth";
import type { Db } from "../db/client";
import type { Role } from "../db/schema";
import { authOptions } from "./auth/next-auth";
import { findActiveUser } from "./auth/sign-in";
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
}

/**
 * Builds the context for one request. The user is reloaded from the database every time, so a disabled
 * account or a changed role takes effect on the next request, whatever its JWT still says.
 */
export async function createRequestContext(): Promise<Context> {
  const db = serverDb();
  const session = await getServerSession(authOptions());
  return { db, user: session ? activeSessionUser(db, session.user.id) : null };
}

export function activeSessionUser(db: Db, userId: string): SessionUser | null {
  const user = findActiveUser(db, { id: userId });
  return user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null;
}
