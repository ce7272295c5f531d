// The PostgreSQL schema, made from the one schema in db/schema: each SQLite table becomes the PostgreSQL table that
// stores the same values the same way, so the services' queries over db/schema run unchanged on both engines.
import { is, SQL, sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
} from "drizzle-orm/pg-core";
import { getTableConfig, SQLiteTable, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";

/** The one SQL default db/schema uses (an ISO 8601 UTC timestamp with milliseconds), as PostgreSQL writes it. */
const NOW_ISO = sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function pgColumn(column: AnySQLiteColumn): PgColumnBuilderBase {
  const base = (() => {
    switch (column.columnType) {
      case "SQLiteText":
        return text(column.name);
      case "SQLiteBoolean":
        return boolean(column.name);
      case "SQLiteReal":
        return doublePrecision(column.name);
      case "SQLiteInteger":
      case "SQLiteTimestamp":
        return bigint(column.name, { mode: "number" });
      default:
        throw new Error(`${column.name}: no PostgreSQL type for ${column.columnType}`);
    }
  })();
  let built: PgColumnBuilderBase = base;
  const b = base as unknown as {
    notNull(): unknown;
    primaryKey(): unknown;
    default(v: unknown): unknown;
    unique(name?: string): unknown;
    generatedByDefaultAsIdentity(): unknown;
  };
  if (column.primary && column.columnType === "SQLiteInteger" && (column as unknown as { autoIncrement?: boolean }).autoIncrement) {
    built = (base as ReturnType<typeof bigint>).generatedByDefaultAsIdentity() as unknown as PgColumnBuilderBase;
  }
  if (column.primary) b.primaryKey();
  if (column.notNull && !column.primary) b.notNull();
  if (column.hasDefault && column.default !== undefined) {
    if (is(column.default, SQL)) {
      const text = (column.default as SQL).queryChunks.map((c) => (c as { value?: string[] }).value?.join("") ?? "").join("");
      if (!text.includes("strftime('%Y-%m-%dT%H:%M:%fZ','now')")) throw new Error(`${column.name}: no PostgreSQL form of the default ${text}`);
      b.default(NOW_ISO);
    } else {
      b.default(column.default);
    }
  }
  if (column.isUnique) b.unique(column.uniqueName);
  return built;
}

const pgBySqlite = new Map<SQLiteTable, PgTableWithColumns<never>>();

function pgTableOf(table: SQLiteTable): PgTableWithColumns<never> {
  const known = pgBySqlite.get(table);
  if (known) return known;
  const config = getTableConfig(table);
  const keyOf = new Map(Object.entries(table).filter(([, c]) => config.columns.includes(c as AnySQLiteColumn)).map(([k, c]) => [c as AnySQLiteColumn, k]));
  const columns = Object.fromEntries(config.columns.map((c) => [keyOf.get(c)!, pgColumn(c)]));
  const pg = pgTable(config.name, columns, (t) => {
    const col = (c: AnySQLiteColumn) => (t as Record<string, never>)[keyOf.get(c)!]!;
    return [
      ...config.indexes.map((i) => {
        const cols = i.config.columns.map((c) => col(c as AnySQLiteColumn));
        return (i.config.unique ? uniqueIndex(i.config.name) : index(i.config.name)).on(cols[0]!, ...cols.slice(1));
      }),
      ...config.primaryKeys.map((p) => primaryKey({ name: p.getName(), columns: p.columns.map((c) => col(c)) as [never, ...never[]] })),
      ...config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        const target = pgTableOf(ref.foreignTable);
        const targetKeys = new Map(Object.entries(ref.foreignTable).map(([k, c]) => [c, k]));
        const built = foreignKey({
          name: fk.getName(),
          columns: ref.columns.map((c) => col(c)) as [never, ...never[]],
          foreignColumns: ref.foreignColumns.map((c) => (target as unknown as Record<string, never>)[targetKeys.get(c)!]!) as [never, ...never[]],
        });
        if (fk.onDelete) built.onDelete(fk.onDelete);
        if (fk.onUpdate) built.onUpdate(fk.onUpdate);
        return built;
      }),
    ];
  }) as unknown as PgTableWithColumns<never>;
  pgBySqlite.set(table, pg);
  return pg;
}

/** Every table of db/schema, as a PostgreSQL table under the same export name (what drizzle-kit reads). */
export const pgSchema: Record<string, PgTableWithColumns<never>> = Object.fromEntries(
  Object.entries(schema)
    .filter(([, value]) => is(value, SQLiteTable))
    .map(([name, table]) => [name, pgTableOf(table as SQLiteTable)]),
);
