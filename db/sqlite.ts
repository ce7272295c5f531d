// The embedded engine: a SQLite file through better-sqlite3, read on one connection and written on another.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { first, primaryKeyOf, registerHandle, type Db, type Engine, type Tx } from "./client";
import { migrationProblem } from "./migration-state";
import * as schema from "./schema";

export const SQLITE_MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Opens (creating and migrating if asked) the SQLite database at `file`. Reads outside a transaction go to a
 * read-only connection, so they see only committed data and a write outside a transaction fails at once; every
 * transaction runs on the writing connection, one at a time in this process (an async lock) and across processes
 * (BEGIN IMMEDIATE).
 */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it: SQLite gives the WAL and shared-memory files the database's mode.
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
  }
  const writer = options.readonly ? null : new Database(file);
  if (writer) {
    writer.pragma("journal_mode = WAL");
    writer.pragma("foreign_keys = ON");
    writer.pragma("busy_timeout = 5000");
    lockDownDatabaseFiles(file);
  }
  const reader = new Database(file, { readonly: true });
  reader.pragma("busy_timeout = 5000");
  reuseStatements(reader);
  if (writer) reuseStatements(writer);
  const db = drizzle(reader, { schema });
  const tx = writer ? drizzle(writer, { schema }) : null;
  let queue: Promise<unknown> = Promise.resolve();

  const engine: Engine = {
    kind: "sqlite",
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      if (!writer || !tx) return Promise.reject(readOnly(file));
      const run = queue.then(async () => {
        writer.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(tx as unknown as Tx);
          writer.exec("COMMIT");
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec("ROLLBACK");
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async check({ allowNewer = false } = {}) {
      const hasTable = reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
      const row = hasTable ? (reader.prepare("SELECT max(created_at) AS newest FROM __drizzle_migrations").get() as { newest: number | null }) : null;
      const problem = migrationProblem(row?.newest ?? null, SQLITE_MIGRATIONS_FOLDER, `the database ${file}`, allowNewer);
      if (problem) throw new Error(problem);
    },
    async migrate() {
      if (!tx) throw readOnly(file);
      migrate(tx, { migrationsFolder: SQLITE_MIGRATIONS_FOLDER });
      lockDownDatabaseFiles(file);
    },
    lockedAuditHead(tx) {
      return first(tx.select({ seq: schema.auditLog.seq, hash: schema.auditLog.hash }).from(schema.auditLog).orderBy(desc(schema.auditLog.seq)).limit(1));
    },
    async insertAuditEntry(tx, entry) {
      await tx.insert(schema.auditLog).values(entry);
    },
    async lockRow() {},
    lockedRow(tx, table, id) {
      // Its transactions are one at a time already: the read alone.
      return first(tx.select().from(table).where(eq(primaryKeyOf(table), id)));
    },
    async snapshot(leaveOut) {
      const tables = reader
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
        .all() as { name: string }[];
      return Object.fromEntries(
        tables.filter(({ name }) => !leaveOut.has(name)).map(({ name }) => [name, reader.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
      );
    },
    async close() {
      await queue;
      reader.close();
      writer?.close();
    },
  };
  registerHandle(db, engine, "db");
  if (tx) registerHandle(tx, engine, "tx");
  return db as unknown as Db;
}

/**
 * drizzle prepares a statement for every query it runs; preparing is a good part of a small query's cost, so each
 * connection keeps its statements by SQL text (the most recent `max`). A kept statement is handed back in its default
 * (object) mode: drizzle switches a statement to raw mode when it wants arrays.
 */
function reuseStatements(sqlite: Database.Database, max = 1000): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const statement = kept.get(source);
    if (statement) {
      if (statement.reader) statement.raw(false);
      return statement;
    }
    const fresh = prepare(source);
    if (kept.size >= max) kept.delete(kept.keys().next().value!);
    kept.set(source, fresh);
    return fresh;
  }) as typeof sqlite.prepare;
}

/** The database file and its WAL and shared-memory files, owner-only (0600): they hold personal data and secrets. */
export function lockDownDatabaseFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}

/** The error SQLite itself gives a write on a read-only database (code SQLITE_READONLY), for a handle opened read-only. */
function readOnly(file: string): Error {
  return Object.assign(new Error(`attempt to write a readonly database (${file} is open read-only)`), { code: "SQLITE_READONLY" });
}
