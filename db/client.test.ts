// The database on disk is owner-only: the file, its WAL and shared-memory files are 0600 from creation whatever the
// umask, and an existing world-readable database is made so when it is opened.
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDatabase, migrateDatabase } from "./client";
import { openSqlite } from "./sqlite";

let dir: string;
let umask: number;
const modeOf = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  umask = process.umask(0);
  dir = mkdtempSync(path.join(tmpdir(), "ledger-db-"));
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

it("creates the database, its WAL and shared-memory files and its folder owner-only", async () => {
  const file = path.join(dir, "data", "ledger.db");
  const db = openSqlite(file);
  await migrateDatabase(db);
  expect(modeOf(path.join(dir, "data"))).toBe(0o700);
  expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  await closeDatabase(db);
});

it("makes an existing world-readable database owner-only when it is opened", async () => {
  const file = path.join(dir, "ledger.db");
  await closeDatabase(openSqlite(file));
  chmodSync(file, 0o644);
  const db = openSqlite(file);
  expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  await closeDatabase(db);
});
