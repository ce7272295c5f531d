// What a job runner checks before it takes any work, so that bad configuration stops it at start with a message
// naming the problem: the database answers and has this release's schema; on PostgreSQL its role has the workers'
// grants and the job queue's schema is this pg-boss version's.
import pg from "pg";
import { checkDatabase, type Db } from "../../db/client";
import type { DatabaseTarget } from "../../db/open";
import { WORKER_GROUP_ROLE, workerPrivilegeChecks } from "../../db/worker-role";
import { QUEUE_SCHEMA, runQueueOf } from "../runs/run-queue";

/** The first grant the connecting role lacks, or null. */
export async function missingWorkerGrant(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [query, what] of workerPrivilegeChecks(QUEUE_SCHEMA)) {
      const { rows } = await client.query<Record<string, boolean>>(query);
      if (!Object.values(rows[0] ?? {})[0]) return what;
    }
    return null;
  } finally {
    await client.end();
  }
}

/** Throws an Error whose message says what is wrong and what to do. */
export async function checkRunnerCanStart(db: Db, target: DatabaseTarget): Promise<void> {
  await checkDatabase(db);
  if (target.kind !== "postgres") return;
  const missing = await missingWorkerGrant(target.url);
  if (missing) {
    throw new Error(`this role lacks ${missing}: run npm run db:worker-role -- --role <this login role> as the database owner (it grants ${WORKER_GROUP_ROLE})`);
  }
  await runQueueOf(db).ready();
}
