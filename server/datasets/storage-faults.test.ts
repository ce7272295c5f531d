// Storage faults during an upload: a full disk (a process file-size limit hit mid-write) or a read-only database
// gives a clear 503 and leaves no half-written dataset: no file, no row.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDatabase, migrateDatabase, type Db } from "../../db/client";
import { snapshot } from "../../db/snapshot";
import { openSqlite } from "../../db/sqlite";
import { SYSTEM_ACTOR } from "../audit/service";
import { activeSessionUser } from "../context";
import { createUser } from "../users/service";
import { handleUpload } from "./upload";

const run = promisify(execFile);
let dir: string;
let file: string;
let db: Db;
let engineerId: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "ledger-faults-"));
  file = path.join(dir, "ledger.db");
  db = openSqlite(file);
  await migrateDatabase(db);
  engineerId = (await createUser(db, SYSTEM_ACTOR, { email: "e@faults.example", name: "E", role: "engineer", password: "a long enough secret" })).id;
  // Closing the last connections checkpoints the WAL into the database file and removes it; then reopen.
  await closeDatabase(db);
  db = openSqlite(file);
});
afterEach(async () => {
  await closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const stored = () => readdirSync(path.join(dir, "data"), { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name);

it("answers a full disk with 503 and keeps nothing", async () => {
  const before = await snapshot(db);
  const fixture = path.join(import.meta.dirname, "upload-fault.fixture.ts");
  // 1 MiB of file size for this process: the database fits, the 2 MB upload does not.
  const { stdout } = await run("bash", ["-c", 'ulimit -f 1024 && exec "$0" --import tsx "$@"', process.execPath, fixture, file, path.join(dir, "data"), engineerId]);
  const { status, body } = JSON.parse(stdout) as { status: number; body: { error: { code: string; message: string } } };
  expect(status).toBe(503);
  expect(body.error).toEqual({ code: "SERVICE_UNAVAILABLE", message: "The server's storage is full; nothing was saved. Try again once space is freed." });
  expect(stored()).toEqual([]);
  expect(await snapshot(db)).toEqual(before);
}, 60_000);

it("answers a read-only database with 503 and removes the file it had written", async () => {
  const before = await snapshot(db);
  const readOnly = openSqlite(file, { readonly: true });
  const res = await handleUpload(
    new Request("http://localhost/api/datasets/upload?name=notes&format=jsonl&textField=text", {
      method: "POST",
      headers: { "x-epsilon-upload": "1" },
      body: '{"text": "one"}\n{"text": "two"}\n',
    }),
    { db: readOnly, user: await activeSessionUser(readOnly, engineerId) },
    { dataDir: path.join(dir, "data"), maxBytes: 1e6, publicUrl: "http://localhost" },
  );
  await closeDatabase(readOnly);
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: { message: string } }).error.message).toBe("The server's storage is read-only; nothing was saved.");
  expect(stored()).toEqual([]);
  expect(await snapshot(db)).toEqual(before);
});
