// Test helpers: a migrated in-memory database, one user per role, and callers acting as them.
import type { Db } from "../db/client";
export { snapshot } from "../db/snapshot";
import { openMigratedMemoryDatabase } from "../db/client";
import { ROLES, type Role } from "../db/schema";
import { SYSTEM_ACTOR } from "./audit/service";
import { activeSessionUser, type SessionUser } from "./context";
import { createCaller } from "./root";
import { createUser } from "./users/service";

export const TEST_PASSWORD = "correct horse battery staple";

export interface TestWorld {
  db: Db;
  users: Record<Role, SessionUser>;
}

/** A fresh database with one active user per role (each created through the service, so audited). */
export async function testWorld(): Promise<TestWorld> {
  const db = openMigratedMemoryDatabase();
  const users = {} as Record<Role, SessionUser>;
  for (const role of ROLES) {
    const u = await createUser(db, SYSTEM_ACTOR, { email: `${role}@test.example`, name: role, role, password: TEST_PASSWORD });
    users[role] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
  return { db, users };
}

/** A caller as the request handler would build it: the user reloaded from the database, or anonymous. */
export function callerAs(db: Db, user: SessionUser | null) {
  return createCaller({ db, user: user && activeSessionUser(db, user.id) });
}
