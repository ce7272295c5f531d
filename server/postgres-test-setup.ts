// Vitest's global set-up for TEST_ENGINE=postgres: starts a throwaway PostgreSQL server for the run unless
// TEST_DATABASE_URL names one (scripts/embedded-postgres.mjs), and makes the template every test database is copied
// from, migrated as `npm run db:migrate` does (tables and the job queue's schema); with SQLite it does nothing.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { closeDatabase } from "../db/client";
import { databaseUrl, openDatabase } from "../db/open";
import { startEmbeddedPostgres } from "../scripts/embedded-postgres.mjs";
import { migrateEverything } from "./migrate";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.TEST_ENGINE !== "postgres") return;
  const server = process.env.TEST_DATABASE_URL ? null : await startEmbeddedPostgres();
  const admin = process.env.TEST_DATABASE_URL ?? server!.url;
  const template = `ledger_template_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${template}`);
  await client.end();
  const target = { kind: "postgres" as const, url: databaseUrl(admin, template) };
  const db = openDatabase(target);
  await migrateEverything(db, target);
  await closeDatabase(db);
  process.env.TEST_DATABASE_URL = admin;
  process.env.TEST_DATABASE_TEMPLATE = template;
  return async () => {
    if (server) await server.stop();
  };
}
