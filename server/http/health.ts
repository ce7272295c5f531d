// Whether this instance can serve: its database answers with this release's schema. The health route and the
// server's start both ask it.
import { checkDatabase, type Db } from "../../db/client";

/**
 * Null when the database is ready, else what is wrong (and what to do). `running`: asked by an instance already
 * serving, for which a newer release's migrations are no reason to leave the load balancer during a rolling upgrade.
 */
export async function databaseProblem(db: Db, { running = false } = {}): Promise<string | null> {
  try {
    await checkDatabase(db, { allowNewer: running });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
