// Opens the embedded SQLite database with drizzle and applies migrations; imports nothing of ours but the schema.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Where the embedded database lives unless DATABASE_PATH says otherwise. */
export const DEFAULT_DATABASE_PATH = "data/epsilon-ledger.db";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/** Opens (creating if needed) the database at `file`, or an in-memory one for ":memory:"; or an existing one read-only. */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (options.readonly) return drizzle(new Database(file, { readonly: true }), { schema });
  const onDisk = file !== ":memory:" && file !== "";
  if (onDisk) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it: SQLite gives the WAL and shared-memory files the database's mode.
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
  }
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  if (onDisk) lockDownDatabaseFiles(file);
  return drizzle(sqlite, { schema });
}

/** The database file and its WAL and shared-memory files, owner-only (0600): they hold personal data and secrets. */
export function lockDownDatabaseFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/** A fresh, migrated in-memory database: what the tests run against. */
export function openMigratedMemoryDatabase(): Db {
  const db = openDatabase(":memory:");
  migrateDatabase(db);
  return db;
}

/** A transaction handle, as passed to `db.transaction(fn)`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either the database or a transaction on it: what read helpers accept. */
export type Executor = Db | Tx;
