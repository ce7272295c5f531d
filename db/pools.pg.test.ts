// PostgreSQL only: a process's connections are split between reads and transactions, so that a transaction gets its
// connection while every read connection is busy.
import { sql, type SQL } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { closeDatabase, transaction, type Db } from "./client";
import { createTestDatabase } from "./open";
import { openPostgres, poolSizes } from "./postgres";
import { auditLog } from "./schema";

let db: Db | undefined;
afterAll(async () => db && closeDatabase(db));

it("gives a third of the connections (at least one) to transactions and the rest (at least one) to reads", () => {
  expect(poolSizes(15)).toEqual({ reads: 10, transactions: 5 });
  expect(poolSizes(3)).toEqual({ reads: 2, transactions: 1 });
  expect(poolSizes(1)).toEqual({ reads: 1, transactions: 1 });
});

it("runs a transaction while all the read connections are busy", async () => {
  const { target } = await createTestDatabase();
  if (target.kind !== "postgres") throw new Error("PostgreSQL only");
  db = openPostgres(target.url, { max: 3 }); // two for reads, one for transactions
  const order: string[] = [];
  // Three slow reads: as many connections as the process has, more than its read pool.
  const execute = (db as unknown as { execute(query: SQL): Promise<unknown> }).execute.bind(db);
  const slowReads = [1, 2, 3].map(() => execute(sql`SELECT pg_sleep(1)`).then(() => order.push("read")));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await transaction(db, async (tx) => void (await tx.select().from(auditLog).limit(1))).then(() => order.push("transaction"));
  await Promise.all(slowReads);
  expect(order).toEqual(["transaction", "read", "read", "read"]);
});
