// Opens the database the configuration names: PostgreSQL when DATABASE_URL is a postgres:// URL, else the embedded
// SQLite file at DATABASE_PATH; and fresh migrated databases for tests, on the engine TEST_ENGINE names.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { closeDatabase, migrateDatabase, type Db } from "./client";
import { DEFAULT_POOL_MAX, openPostgres, redactUrl } from "./postgres";
import { openSqlite } from "./sqlite";

/** Where the embedded database lives unless DATABASE_PATH says otherwise. */
export const DEFAULT_DATABASE_PATH = "data/epsilon-ledger.db";

/** On PostgreSQL, `poolMax`: the connections this process keeps open at most (DATABASE_POOL_MAX, else DEFAULT_POOL_MAX). */
export type DatabaseTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; poolMax?: number };

/** The database the environment names (raw, or parsed by server/env.ts). */
export function databaseTarget(env: Readonly<Record<string, unknown>> = process.env): DatabaseTarget {
  const url = typeof env.DATABASE_URL === "string" ? env.DATABASE_URL : "";
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must be a postgres:// URL (got ${redactUrl(url)})`);
    const given = env.DATABASE_POOL_MAX;
    if (given === undefined || given === "") return { kind: "postgres", url };
    const poolMax = Number(given);
    if (!Number.isInteger(poolMax) || poolMax < 1) throw new Error(`DATABASE_POOL_MAX must be a whole number of connections, at least 1 (got ${String(given)})`);
    return { kind: "postgres", url, poolMax };
  }
  return { kind: "sqlite", file: typeof env.DATABASE_PATH === "string" && env.DATABASE_PATH ? env.DATABASE_PATH : DEFAULT_DATABASE_PATH };
}

export { DEFAULT_POOL_MAX, redactUrl };

/** Opens the target's database (connections are made as queries need them; `migrateDatabase` applies migrations). */
export function openDatabase(target: DatabaseTarget, options: { readonly?: boolean } = {}): Db {
  return target.kind === "sqlite" ? openSqlite(target.file, options) : openPostgres(target.url, { max: target.poolMax });
}

/** The engine tests run on: TEST_ENGINE=postgres (with TEST_DATABASE_URL, a superuser's URL) or SQLite. */
export function testEngine(): "sqlite" | "postgres" {
  return process.env.TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
}

/** A fresh, migrated database that only the caller uses, on the test engine. */
export async function openTestDatabase(): Promise<Db> {
  return (await createTestDatabase()).db;
}

/**
 * A fresh, migrated database on the test engine, with its target: other processes (workers, launch fixtures) open the
 * same database from `targetEnv(target)`.
 */
export function createTestDatabase(): Promise<{ db: Db; target: DatabaseTarget }> {
  return testEngine() === "postgres" ? createPostgresTestDatabase() : createSqliteTestDatabase();
}

/** The environment that makes another process open `target` (DATABASE_URL, or DATABASE_PATH). */
export function targetEnv(target: DatabaseTarget): Record<string, string> {
  if (target.kind === "sqlite") return { DATABASE_PATH: target.file };
  return { DATABASE_URL: target.url, ...(target.poolMax === undefined ? {} : { DATABASE_POOL_MAX: String(target.poolMax) }) };
}

let testDir: string | undefined;
let template: string | undefined;
let serial = 0;

/** A copy of a migrated template file in a temporary folder (removed when the process exits). */
async function createSqliteTestDatabase(): Promise<{ db: Db; target: DatabaseTarget }> {
  if (!testDir) {
    testDir = mkdtempSync(path.join(tmpdir(), "ledger-test-db-"));
    const dir = testDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  if (!template) {
    const file = path.join(testDir, "template.db");
    const db = openSqlite(file);
    await migrateDatabase(db);
    await closeDatabase(db);
    const sqlite = new Database(file);
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    sqlite.pragma("journal_mode = DELETE");
    sqlite.close();
    template = file;
  }
  const file = path.join(testDir, `test-${++serial}.db`);
  copyFileSync(template, file);
  return { db: openSqlite(file), target: { kind: "sqlite", file } };
}

/** Test databases this process made on PostgreSQL, oldest first; beyond the newest few they are dropped. */
const pgTestDatabases: { name: string; db: Db }[] = [];
const KEEP_PG_TEST_DATABASES = 24;

/**
 * A database made from the run's migrated template (CREATE DATABASE … TEMPLATE: a file copy, no migrations), which
 * vitest's global set-up (server/postgres-test-setup.ts) made and names in TEST_DATABASE_TEMPLATE.
 */
async function createPostgresTestDatabase(): Promise<{ db: Db; target: DatabaseTarget }> {
  const admin = process.env.TEST_DATABASE_URL;
  const templateName = process.env.TEST_DATABASE_TEMPLATE;
  if (!admin || !templateName) throw new Error("TEST_ENGINE=postgres needs TEST_DATABASE_URL and TEST_DATABASE_TEMPLATE (vitest's global set-up makes both)");
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const name = `ledger_test_${tag}_${++serial}`;
  await adminQuery(admin, `CREATE DATABASE ${name} TEMPLATE ${templateName}`);
  const url = databaseUrl(admin, name);
  const db = openPostgres(url, { max: 6, idleTimeoutMillis: 1000 }); // four for reads, two for transactions
  pgTestDatabases.push({ name, db });
  while (pgTestDatabases.length > KEEP_PG_TEST_DATABASES) {
    const old = pgTestDatabases.shift()!;
    await closeDatabase(old.db).catch(() => undefined);
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${old.name} WITH (FORCE)`);
  }
  return { db, target: { kind: "postgres", url } };
}

/** `url` with its database name replaced. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
