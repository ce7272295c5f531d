// `npm run db:migrate`: applies the migrations to the database the environment names (DATABASE_URL, else the SQLite
// file at DATABASE_PATH, default data/epsilon-ledger.db) and, on PostgreSQL, installs or upgrades the job queue's
// schema (pg-boss). Run it as the database's owner before starting dashboards or workers of a new release.
import { closeDatabase } from "../db/client";
import { databaseTarget, openDatabase, redactUrl } from "../db/open";
import { migrateEverything } from "./migrate";

const target = databaseTarget();
const db = openDatabase(target);
try {
  await migrateEverything(db, target);
  console.log(`migrated ${target.kind === "sqlite" ? target.file : redactUrl(target.url)}`);
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDatabase(db);
}
