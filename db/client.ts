// One query surface over both engines: the types services write against, transactions, and the engine behind a handle.
import { getTableColumns } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema";
import type { AuditEntry } from "./schema";

/**
 * What services query: drizzle's query builders over the one schema (db/schema), awaited. The same calls run on the
 * embedded SQLite engine and on PostgreSQL, so only the builders both dialects share are used: select, insert,
 * update and delete with returning and on-conflict clauses, and `db.query` — never SQLite's synchronous `.get()`,
 * `.all()`, `.run()` or `.values()`, nor `db.transaction` (use `transaction()` below; scripts/engine-rule.test.ts
 * checks the sources).
 */
export type Db = Omit<BetterSQLite3Database<typeof schema>, "transaction" | "$client" | "run" | "all" | "get" | "values">;
declare const IN_TRANSACTION: unique symbol;
/** The handle inside a transaction: reads see the transaction's own writes; changes commit or roll back together. */
export type Tx = Db & { readonly [IN_TRANSACTION]: true };
/** Either the database or a transaction on it: what read helpers accept. */
export type Executor = Db;

export type EngineKind = "sqlite" | "postgres";

/** What differs between the engines, behind one handle. */
export interface Engine {
  kind: EngineKind;
  /** The connection URL (PostgreSQL): what other clients of the same database, such as the job queue, connect with. */
  url?: string;
  /** Runs `fn` in one serialised transaction (an immediate one on SQLite): it commits if `fn` resolves. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Serialises appends to the audit log's hash chain inside `tx` and reads the chain's head (undefined: no entry yet):
   * on PostgreSQL the function ledger_audit_head, which takes a transaction-scoped advisory lock and then reads the
   * head, in one call; on SQLite the read alone, as its transactions are already one at a time.
   */
  lockedAuditHead(tx: Tx): Promise<{ seq: number; hash: string } | undefined>;
  /**
   * Inserts an audit entry that extends the chain (after `lockedAuditHead`): on PostgreSQL through the ledger's
   * function ledger_append_audit, the only way for roles that may not write audit_log, such as the workers'.
   */
  insertAuditEntry(tx: Tx, entry: AuditEntry): Promise<void>;
  /** Locks the row of `table` with primary key `id` until `tx` ends (PostgreSQL `FOR UPDATE`; SQLite: serialised). */
  lockRow(tx: Tx, table: string, id: string): Promise<void>;
  /** lockRow and a read of the row in one statement: the row as it is once locked, as drizzle reads it (see lockedRow). */
  lockedRow(tx: Tx, table: SQLiteTable, id: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Throws, saying what to do, when the database does not answer or its schema is not this release's: what every
   * process checks before it serves or trains. With `allowNewer`, a newer release's schema passes (what a running
   * instance's health check asks during a rolling upgrade).
   */
  check(options?: { allowNewer?: boolean }): Promise<void>;
  /** Applies the engine's migrations (db/migrations, or db/migrations-pg on PostgreSQL). */
  migrate(): Promise<void>;
  /** Every row of every table but those left out, in primary-key order: for tests that show nothing changed. */
  snapshot(leaveOut: ReadonlySet<string>): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

const engines = new WeakMap<object, Engine>();
const transactionHandles = new WeakSet<object>();

/** Called by an engine when it opens a handle (`db`) or hands out a transaction handle (`tx`). */
export function registerHandle(handle: object, engine: Engine, kind: "db" | "tx"): void {
  engines.set(handle, engine);
  if (kind === "tx") transactionHandles.add(handle);
}

export function engineOf(db: Executor): Engine {
  const engine = engines.get(db);
  if (!engine) throw new Error("this database handle was not opened by db/open");
  return engine;
}

/**
 * Runs `fn` in a transaction on `db`'s engine; called with a transaction handle, `fn` joins that transaction, so that
 * a service that makes its change in a transaction can be called both alone and inside a caller's.
 */
export function transaction<T>(db: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (transactionHandles.has(db)) return fn(db as Tx);
  return engineOf(db).transaction(fn);
}

/** The first row a query returns, or undefined: SQLite's `.get()`, on both engines. */
export async function first<T>(query: PromiseLike<T[]>): Promise<T | undefined> {
  return (await query)[0];
}

/**
 * Locks the row of `table` with primary key `id` until `tx` ends and returns it as it is once locked (undefined when
 * there is none): lockRow followed by a read, in one statement and so one wait for the database.
 */
export async function lockedRow<T extends SQLiteTable>(tx: Tx, table: T, id: string): Promise<T["$inferSelect"] | undefined> {
  return (await engineOf(tx).lockedRow(tx, table, id)) as T["$inferSelect"] | undefined;
}

const primaryKeys = new WeakMap<SQLiteTable, SQLiteColumn>();

/** The column of a table keyed by one column (what lockedRow locks by). */
export function primaryKeyOf(table: SQLiteTable): SQLiteColumn {
  let key = primaryKeys.get(table);
  if (!key) {
    const config = getTableConfig(table);
    const keys = config.columns.filter((c) => c.primary);
    if (keys.length !== 1) throw new Error(`${config.name} is not a table with a one-column primary key`);
    primaryKeys.set(table, (key = keys[0]!));
  }
  return key;
}

/** A row the driver returned for `SELECT *` on `table`, as drizzle maps it: by property name, each value decoded. */
export function mapTableRow(table: SQLiteTable, raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[name] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row;
}

/** What drizzle's select builders give `preparedRead`: the prepared query, run with the placeholders' values. */
export interface Preparable {
  prepare(name?: string): { execute(values?: Record<string, unknown>): PromiseLike<unknown> };
}

const preparedReads = new WeakMap<Executor, Map<string, ReturnType<Preparable["prepare"]>>>();

/**
 * A read built once per database handle and then run with its placeholders' values (drizzle's `sql.placeholder`):
 * it skips building the query on every call, and compiling it on SQLite (on PostgreSQL it is the prepared statement
 * `name`, parsed once per connection). In a transaction it is built and run on the transaction, as any query.
 */
export function preparedRead<R, P extends Record<string, unknown>>(
  name: string,
  build: (db: Executor) => PromiseLike<R[]> & Preparable,
): (db: Executor, values: P) => Promise<R[]> {
  return async (db, values) => {
    if (transactionHandles.has(db)) {
      // A prepared query is sent the moment it runs, a built one a turn later (when first awaited): wait that turn, so
      // that statements started together (pipelined) reach the connection in the order they were started.
      await null;
      return (await build(db).prepare(name).execute(values)) as R[];
    }
    let reads = preparedReads.get(db);
    if (!reads) preparedReads.set(db, (reads = new Map()));
    let prepared = reads.get(name);
    if (!prepared) reads.set(name, (prepared = build(db).prepare(name)));
    return (await prepared.execute(values)) as R[];
  };
}

/**
 * Runs statements of one transaction without waiting between them: each is started, in this order, before any answer
 * is awaited, and the results come back together. On PostgreSQL the transaction's one connection runs them in the
 * order they reach it, so a read after a lock is granted the lock first, and none waits for this process to get round
 * to sending it; on SQLite they simply run in order. If one fails, the transaction fails with its error, once all have
 * settled (those after it fail too and are ignored).
 * Each is started a turn later, as a promise's callback: a drizzle query is sent a turn after it is first awaited, a
 * prepared read a turn after it is run (preparedRead), an engine statement a turn after its call; so every statement
 * is sent the same number of turns after pipelined was called, and they reach the connection in this order.
 */
export async function pipelined<T extends readonly unknown[]>(...statements: { [K in keyof T]: () => PromiseLike<T[K]> }): Promise<T> {
  // Every one is settled before a failure is given: none may still be sending statements when the caller rolls back.
  const settledAll = await Promise.allSettled(statements.map((start) => Promise.resolve().then(start)));
  const failed = settledAll.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settledAll.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Rows in groups of at most `size`: the rows of one multi-row insert, kept under the engines' limits on parameters. */
export function inChunks<T>(rows: readonly T[], size = 500): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** Checks that `db`'s database answers and has this release's schema (see Engine.check). */
export function checkDatabase(db: Executor, options: { allowNewer?: boolean } = {}): Promise<void> {
  return engineOf(db).check(options);
}

/** Applies the migrations to `db`'s database. */
export function migrateDatabase(db: Executor): Promise<void> {
  return engineOf(db).migrate();
}

const closers = new WeakMap<object, (() => Promise<void>)[]>();

/** Registers what must stop before `db` closes: other clients of its database, such as the job queue's. */
export function onClose(db: Executor, stop: () => Promise<void>): void {
  closers.set(db, [...(closers.get(db) ?? []), stop]);
}

/** Stops what was registered with `onClose`, then closes the handle's connections. */
export async function closeDatabase(db: Executor): Promise<void> {
  for (const stop of closers.get(db) ?? []) await stop().catch(() => undefined);
  closers.delete(db);
  await engineOf(db).close();
}
