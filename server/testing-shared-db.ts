// Test helper: a database that several processes share (job runners, launch fixtures), on the test engine, with the
// environment each kind of process needs to open it. On PostgreSQL job runners
// connect as a login role that holds only the workers' grants (db/worker-role.ts), as on a worker host.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../db/client";
import { createTestDatabase, targetEnv } from "../db/open";
import { workerRoleStatements } from "../db/worker-role";
import { QUEUE_SCHEMA } from "./runs/run-queue";

export interface SharedTestDatabase {
  db: Db;
  kind: "sqlite" | "postgres";
  /** The environment of a process that opens the database as the dashboard does (the owner, on PostgreSQL). */
  env: Record<string, string>;
  /** The environment of a job runner (`npm run worker`): on PostgreSQL, a login role with the workers' grants only. */
  workerEnv: Record<string, string>;
}

export async function sharedTestDatabase(): Promise<SharedTestDatabase> {
  // On PostgreSQL the test database is a copy of a template with the job queue's schema (server/postgres-test-setup.ts).
  const { db, target } = await createTestDatabase();
  if (target.kind === "sqlite") return { db, kind: "sqlite", env: targetEnv(target), workerEnv: targetEnv(target) };
  const role = `worker_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN`);
    for (const statement of workerRoleStatements(role, QUEUE_SCHEMA)) await client.query(statement);
  } finally {
    await client.end();
  }
  const workerUrl = new URL(target.url);
  workerUrl.username = role;
  return { db, kind: "postgres", env: targetEnv(target), workerEnv: { DATABASE_URL: workerUrl.toString() } };
}
