// PostgreSQL only: statements started together in a transaction (pipelined) reach its connection in the order they
// were started, whether built or prepared, so that a read started after a lock is read once the lock is granted.
import { eq, sql } from "drizzle-orm";
import { afterEach, expect, it } from "vitest";
import { lockedRow, pipelined, preparedRead, transaction } from "./client";
import { openTestDatabase } from "./open";
import { budgets, users } from "./schema";
import { recordSentStatements } from "./sent-statements.fixture";

let recording: ReturnType<typeof recordSentStatements> | undefined;
afterEach(() => recording?.stop());

const userById = preparedRead("pipelined_test_user_by_id", (db) => db.select().from(users).where(eq(users.id, sql.placeholder("id"))));

it("sends pipelined statements in the order they were started, prepared reads included", async () => {
  const db = await openTestDatabase();
  recording = recordSentStatements();
  const { sent } = recording;
  await transaction(db, async (tx) => {
    await pipelined(
      () => lockedRow(tx, budgets, "no-such-dataset"),
      () => userById(tx, { id: "no-such-user" }),
      () => tx.select().from(budgets).where(eq(budgets.datasetId, "no-such-dataset")),
    );
  });
  const statements = sent.filter((text) => !/^(BEGIN|COMMIT)$/.test(text));
  expect(statements).toHaveLength(3);
  expect(statements[0]).toMatch(/FOR UPDATE$/);
  expect(statements[1]).toMatch(/from "users"/);
  expect(statements[2]).toMatch(/from "budgets"/);
});
