// Demo data for `npm start`: one user per role. It goes through the services, so the audit chain records it.
// (It lives in server/, not db/, because seeding must use the services' rules and audit log.)
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users, type Role } from "../../db/schema";
import { SYSTEM_ACTOR } from "../audit/service";
import { createUser } from "../users/service";

export const DEMO_PASSWORD = "ledger-demo-password";

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "officer@example.com", name: "Olivia Officer", role: "privacy_officer" },
  { email: "engineer@example.com", name: "Erin Engineer", role: "engineer" },
  { email: "auditor@example.com", name: "Aaron Auditor", role: "auditor" },
];

/** Creates the demo users that do not exist yet; running it twice changes nothing. */
export async function seedDemo(db: Db): Promise<void> {
  for (const u of DEMO_USERS) {
    if (db.select({ id: users.id }).from(users).where(eq(users.email, u.email)).get()) continue;
    await createUser(db, SYSTEM_ACTOR, { ...u, password: DEMO_PASSWORD });
  }
}
