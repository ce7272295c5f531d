// The server engine: PostgreSQL through node-postgres, with the same drizzle schema and queries as the embedded one.
import path from "node:path";
import { is, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { mapTableRow, primaryKeyOf, registerHandle, type Db, type Engine, type Tx } from "./client";
import { migrationProblem } from "./migration-state";
import * as schema from "./schema";

export const POSTGRES_MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations-pg");

/** SQLSTATEs after which a transaction is retried from the start: serialization failure and deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 5;

/**
 * bigint (int8) columns hold counts, steps and sequence numbers far below 2^53: read them as numbers. (Set on pg's
 * global parsers, which drizzle's node-postgres session reads on every query.)
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * Connections a process keeps open at most (DATABASE_POOL_MAX). More connections than the database server has cores
 * to run them on only make each statement slower (BENCHMARKS.md, "load-postgres").
 */
export const DEFAULT_POOL_MAX = 15;

/**
 * How a process's connections are shared: a third (at least one) are for transactions, in a pool of their own, so that
 * a transaction (which may hold a budget's, a lineage's or the audit chain's lock) never waits behind reads for its
 * connection; the rest (at least one) are for reads outside transactions.
 */
export function poolSizes(max: number): { reads: number; transactions: number } {
  const transactions = Math.max(1, Math.round(max / 3));
  return { reads: Math.max(1, max - transactions), transactions };
}

export interface PostgresOptions {
  /** Connections in the pools together (default DEFAULT_POOL_MAX; see poolSizes). */
  max?: number;
  /** Milliseconds an idle connection stays open (default 10 s). */
  idleTimeoutMillis?: number;
}

/**
 * Opens the pools on `url` (poolSizes). Transactions are READ COMMITTED, made serial where the rules need it by
 * explicit locks: a row lock (`lockRow`) before a read-then-reserve budget check and an advisory lock before an audit
 * append; a transaction that fails on a serialization failure or a deadlock is run again from the start.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const sizes = poolSizes(options.max ?? DEFAULT_POOL_MAX);
  const pool = new pg.Pool({ connectionString: url, max: sizes.reads, idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000 });
  const txPool = new pg.Pool({ connectionString: url, max: sizes.transactions, idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000 });
  // An idle connection that the server drops must not crash the process; the next query opens a new one.
  for (const p of [pool, txPool]) p.on("error", () => undefined);
  const db = drizzle(pool, { schema });

  const engine: Engine = {
    kind: "postgres",
    url,
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await inTransaction(fn);
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? "")) throw error;
        }
      }
    },
    async check({ allowNewer = false } = {}) {
      const where = `the database ${redactUrl(url)}`;
      const cannotRead = `${where}: this role may not read drizzle.__drizzle_migrations (USAGE on schema drizzle, SELECT on the table; npm run db:worker-role grants them to workers)`;
      let newest: number | null = null;
      try {
        const { rows } = await pool.query<{ present: boolean; usable: boolean }>(
          "SELECT to_regnamespace('drizzle') IS NOT NULL AS present, CASE WHEN to_regnamespace('drizzle') IS NULL THEN false ELSE has_schema_privilege('drizzle', 'USAGE') END AS usable",
        );
        if (rows[0]?.present && !rows[0].usable) throw new Error(cannotRead);
        if (rows[0]?.present) {
          const applied = await pool.query<{ newest: string | null }>("SELECT max(created_at)::text AS newest FROM drizzle.__drizzle_migrations");
          newest = applied.rows[0]?.newest == null ? null : Number(applied.rows[0].newest);
        }
      } catch (error) {
        if ((error as Error).message === cannotRead || sqlState(error) === "42501") throw new Error(cannotRead);
        if (sqlState(error) !== "42P01") {
          const cause = error instanceof AggregateError ? error.errors[0] : error;
          throw new Error(`${where} does not answer: ${(cause as Error).message || String(cause)}`);
        }
      }
      const problem = migrationProblem(newest, POSTGRES_MIGRATIONS_FOLDER, where, allowNewer);
      if (problem) throw new Error(problem);
    },
    async migrate() {
      await migrate(db, { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
    },
    async lockedAuditHead(tx) {
      const { rows } = await (tx as unknown as { execute(query: SQL): Promise<{ rows: { head_seq: number; head_hash: string }[] }> }).execute(
        sql`SELECT head_seq, head_hash FROM ledger_audit_head()`,
      );
      return rows[0] && { seq: Number(rows[0].head_seq), hash: rows[0].head_hash };
    },
    async insertAuditEntry(tx, e) {
      await (tx as unknown as { execute(query: SQL): Promise<unknown> }).execute(
        sql`SELECT ledger_append_audit(${e.seq}, ${e.at}, ${e.actorId}, ${e.actorEmail}, ${e.actorRole}, ${e.action}, ${e.entityType}, ${e.entityId}, ${e.inputDigest}, ${e.prevHash}, ${e.hash})`,
      );
    },
    async lockRow(tx, table, id) {
      await execute(tx, `SELECT 1 FROM ${pg.escapeIdentifier(table)} WHERE ${primaryKeyColumn(table)} = ${pg.escapeLiteral(id)} FOR UPDATE`);
    },
    async lockedRow(tx, table, id) {
      // FOR UPDATE waits for the lock, then reads the row as the transaction that held it left it.
      const { rows } = await (tx as unknown as { execute(query: SQL): Promise<{ rows: Record<string, unknown>[] }> }).execute(
        sql`SELECT * FROM ${table} WHERE ${primaryKeyOf(table)} = ${id} FOR UPDATE`,
      );
      return rows[0] && mapTableRow(table, rows[0]);
    },
    async snapshot(leaveOut) {
      const { rows } = await pool.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      const out: Record<string, unknown[]> = {};
      for (const { table_name: name } of rows) {
        if (leaveOut.has(name)) continue;
        const t = pg.escapeIdentifier(name);
        out[name] = (await pool.query(`SELECT * FROM ${t} ORDER BY ${t}::text`)).rows;
      }
      return out;
    },
    async close() {
      await Promise.all([pool.end(), txPool.end()]);
    },
  };
  registerHandle(db, engine, "db");

  /** Per pooled connection (the pool keeps and reuses them), a drizzle handle on it: a transaction's handle. */
  const handles = new WeakMap<pg.PoolClient, Tx>();
  const handleOn = (client: pg.PoolClient): Tx => {
    let handle = handles.get(client);
    if (!handle) {
      handle = drizzle(client, { schema }) as unknown as Tx;
      registerHandle(handle, engine, "tx");
      handles.set(client, handle);
    }
    return handle;
  };

  /**
   * `fn` in one transaction on a connection of the transactions' pool. BEGIN goes out with the first statement instead
   * of a round trip before it: the connection sends its statements in order, and if BEGIN fails they fail too.
   */
  async function inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await txPool.connect();
    let broken: Error | undefined;
    try {
      const begun = client.query("BEGIN");
      begun.catch(() => undefined); // its failure is the first statement's, or surfaces below
      try {
        const result = await fn(handleOn(client));
        await begun;
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw error;
      }
    } finally {
      client.release(broken); // a connection whose rollback failed is closed, not reused
    }
  }
  return db as unknown as Db;
}

/** Runs raw SQL on a drizzle handle's connection (the transaction's own inside a transaction). */
function execute(tx: Tx, statement: string): Promise<unknown> {
  return (tx as unknown as { execute(query: SQL): Promise<unknown> }).execute(sql.raw(statement));
}

/** The tables of db/schema by name: what `lockRow` is given. */
const tablesByName = new Map<string, SQLiteTable>();
for (const t of Object.values(schema) as unknown[]) if (is(t, SQLiteTable)) tablesByName.set(getTableConfig(t).name, t);

/** The primary-key column of a table of db/schema that `lockRow` may lock (one keyed by a single column). */
function primaryKeyColumn(table: string): string {
  const t = tablesByName.get(table);
  if (!t) throw new Error(`lockRow: ${table} is not a table of the schema`);
  return pg.escapeIdentifier(primaryKeyOf(t).name);
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
}

/** The SQLSTATE of a PostgreSQL error, wherever drizzle wrapped it. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
