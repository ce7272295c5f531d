// The engine behind a handle, on the test engine (SQLite, or PostgreSQL with TEST_ENGINE=postgres): transactions
// commit or roll back whole, nest by joining, run one at a time, and the append-only tables refuse changes.
import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { engineOf, first, lockedRow, pipelined, preparedRead, transaction } from "./client";
import { openTestDatabase } from "./open";
import { auditLog, users } from "./schema";

const user = (id: string) => ({ id, email: `${id}@test.example`, name: id, role: "engineer" as const });

it("commits a transaction's writes together, and rolls them all back when it throws", async () => {
  const db = await openTestDatabase();
  await transaction(db, async (tx) => {
    await tx.insert(users).values(user("a"));
    await tx.insert(users).values(user("b"));
  });
  await expect(
    transaction(db, async (tx) => {
      await tx.insert(users).values(user("c"));
      throw new Error("no");
    }),
  ).rejects.toThrow("no");
  expect((await db.select({ id: users.id }).from(users).orderBy(users.id)).map((u) => u.id)).toEqual(["a", "b"]);
});

it("gives a pipelined failure only once every statement started with it has settled", async () => {
  let laterDone = false;
  const later = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    laterDone = true;
  };
  await expect(pipelined(() => Promise.reject(new Error("first fails")), later)).rejects.toThrow("first fails");
  expect(laterDone).toBe(true);
});

it("joins the caller's transaction when given one, so an inner change rolls back with the outer", async () => {
  const db = await openTestDatabase();
  await expect(
    transaction(db, async (tx) => {
      await transaction(tx, async (inner) => inner.insert(users).values(user("x")));
      expect(await first(tx.select().from(users).where(eq(users.id, "x")))).toBeDefined();
      throw new Error("outer fails");
    }),
  ).rejects.toThrow("outer fails");
  expect(await first(db.select().from(users).where(eq(users.id, "x")))).toBeUndefined();
});

it("runs concurrent read-then-write transactions one after another when they lock the row they read", async () => {
  const db = await openTestDatabase();
  await transaction(db, (tx) => tx.insert(users).values({ ...user("counter"), name: "0" }));
  await Promise.all(
    Array.from({ length: 20 }, () =>
      transaction(db, async (tx) => {
        await engineOf(tx).lockRow(tx, "users", "counter");
        const row = await first(tx.select({ name: users.name }).from(users).where(eq(users.id, "counter")));
        await new Promise((r) => setTimeout(r, 1));
        await tx.update(users).set({ name: String(Number(row!.name) + 1) }).where(eq(users.id, "counter"));
      }),
    ),
  );
  expect((await first(db.select({ name: users.name }).from(users).where(eq(users.id, "counter"))))!.name).toBe("20");
});

it("reads a row it locks as the transaction that held the lock left it, as drizzle reads it", async () => {
  const db = await openTestDatabase();
  await transaction(db, (tx) => tx.insert(users).values({ ...user("locked"), name: "0" }));
  const read = await transaction(db, (tx) => lockedRow(tx, users, "locked"));
  expect(read).toEqual(await first(db.select().from(users).where(eq(users.id, "locked"))));
  expect(read!.disabled).toBe(false); // decoded: a boolean on both engines
  expect(await transaction(db, (tx) => lockedRow(tx, users, "nobody"))).toBeUndefined();
  await Promise.all(
    Array.from({ length: 20 }, () =>
      transaction(db, async (tx) => {
        const row = await lockedRow(tx, users, "locked");
        await new Promise((r) => setTimeout(r, 1));
        await tx.update(users).set({ name: String(Number(row!.name) + 1) }).where(eq(users.id, "locked"));
      }),
    ),
  );
  expect((await first(db.select({ name: users.name }).from(users).where(eq(users.id, "locked"))))!.name).toBe("20");
});

it("runs a prepared read with its placeholders' values, and inside a transaction on the transaction", async () => {
  const db = await openTestDatabase();
  const byName = preparedRead("test_users_by_name", (on) => on.select({ id: users.id }).from(users).where(eq(users.name, sql.placeholder("name"))));
  await transaction(db, async (tx) => {
    await tx.insert(users).values([{ ...user("p"), name: "same" }, { ...user("q"), name: "same" }, { ...user("r"), name: "other" }]);
  });
  for (let i = 0; i < 2; i++) {
    expect((await byName(db, { name: "same" })).map((u) => u.id).sort()).toEqual(["p", "q"]);
    expect(await byName(db, { name: "other" })).toEqual([{ id: "r" }]);
  }
  await transaction(db, async (tx) => {
    await tx.insert(users).values({ ...user("s"), name: "other" });
    expect((await byName(tx, { name: "other" })).map((u) => u.id).sort()).toEqual(["r", "s"]); // its own write
    expect(await byName(db, { name: "other" })).toEqual([{ id: "r" }]); // not yet committed
  });
  expect(await byName(db, { name: "other" })).toHaveLength(2);
});

it("refuses to update or delete audit entries", async () => {
  const db = await openTestDatabase();
  const entry = { seq: 1, at: "t", actorId: null, actorEmail: "system", actorRole: "system", action: "x", entityType: "x", entityId: "x", inputDigest: "d", prevHash: "p", hash: "h" };
  await transaction(db, (tx) => tx.insert(auditLog).values(entry));
  await expect(transaction(db, (tx) => tx.update(auditLog).set({ action: "y" }))).rejects.toThrow();
  await expect(transaction(db, (tx) => tx.delete(auditLog))).rejects.toThrow();
  expect(await db.select().from(auditLog)).toEqual([entry]);
});

it("reads integer columns and aggregates as numbers", async () => {
  const db = await openTestDatabase();
  await transaction(db, (tx) => tx.insert(users).values(user("n")));
  const [row] = await db.select({ v: users.sessionVersion, n: sql<number>`count(*)`.mapWith(Number) }).from(users).groupBy(users.sessionVersion);
  expect(row).toEqual({ v: 0, n: 1 });
});
