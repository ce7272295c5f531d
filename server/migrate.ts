// Brings a database to this release: its tables (db/migrations or db/migrations-pg) and, on PostgreSQL, the job
// queue's schema (pg-boss). What `npm run db:migrate` and `npm run db:seed` (so `npm start`) run.
import { migrateDatabase, type Db } from "../db/client";
import type { DatabaseTarget } from "../db/open";
import { migrateQueue } from "./runs/run-queue";

export async function migrateEverything(db: Db, target: DatabaseTarget): Promise<void> {
  await migrateDatabase(db);
  if (target.kind === "postgres") await migrateQueue(target.url);
}
