// Whether this instance can serve: its database answers with this release's schema. The health route and the
// server's start both ask it.
import { checkDatabase, type Db } from "../../db/client";

/** Null when the database is ready, else what is wrong (and what to do). */
export async function databaseProblem(db: Db): Promise<string | null> {
  try {
    await checkDatabase(db);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
