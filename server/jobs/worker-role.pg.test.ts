// PostgreSQL only: a worker host's role may write runs, steps and models but not budgets, users or the audit log,
// which it appends to only through ledger_append_audit, and that only with the entry that extends the chain; a job
// runner whose role lacks a grant, whose database does not answer or whose queue schema is another version's stops
// at start saying so, and touches nothing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { closeDatabase, type Db } from "../../db/client";
import { openDatabase } from "../../db/open";
import { auditLog, budgets, users } from "../../db/schema";
import { actorOf } from "../actor";
import { audited, SYSTEM_ACTOR, verifyChain } from "../audit/service";
import { setBudget } from "../budgets/service";
import { createUser } from "../users/service";
import { registerUpload } from "../datasets/service";
import { ingestedVersion, snapshot } from "../testing";
import { sharedTestDatabase } from "../testing-shared-db";
import { missingWorkerGrant } from "./worker-checks";

const execAsync = promisify(execFile);
let owner: Db;
let ownerUrl: string;
let workerUrl: string;
let worker: Db;
let datasetId: string;

beforeAll(async () => {
  const shared = await sharedTestDatabase();
  owner = shared.db;
  ownerUrl = shared.env.DATABASE_URL!;
  workerUrl = shared.workerEnv.DATABASE_URL!;
  worker = openDatabase({ kind: "postgres", url: workerUrl });
  const officer = await createUser(owner, SYSTEM_ACTOR, { email: "o@role.example", name: "O", role: "privacy_officer", password: "a long enough secret" });
  const engineer = await createUser(owner, SYSTEM_ACTOR, { email: "e@role.example", name: "E", role: "engineer", password: "a long enough secret" });
  datasetId = (await registerUpload(owner, { ...engineer, role: "engineer" }, actorOf({ ...engineer, role: "engineer" }), { name: "roles" }, ingestedVersion())).datasetId;
  await setBudget(owner, actorOf({ ...officer, role: "privacy_officer" }), { datasetId, epsilon: 5, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
}, 60_000);
afterAll(async () => closeDatabase(worker));

/** Runs raw SQL as the worker's login role and resolves to its error message (or "ok"). */
async function asWorker(statement: string): Promise<string> {
  const client = new pg.Client({ connectionString: workerUrl });
  await client.connect();
  try {
    await client.query(statement);
    return "ok";
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end();
  }
}

it("has every grant a worker needs, and none to change budgets, users or the audit log directly", async () => {
  expect(await missingWorkerGrant(workerUrl)).toBeNull();
  const before = await snapshot(owner);
  expect(await asWorker(`UPDATE budgets SET epsilon = 1000`)).toMatch(/permission denied for table budgets/);
  expect(await asWorker(`UPDATE users SET role = 'admin'`)).toMatch(/permission denied for table users/);
  expect(await asWorker(`INSERT INTO audit_log (seq, at, actor_email, actor_role, action, entity_type, entity_id, input_digest, prev_hash, hash) VALUES (999, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x')`)).toMatch(/permission denied for table audit_log/);
  expect(await asWorker(`DELETE FROM audit_log`)).toMatch(/permission denied for table audit_log/);
  expect(await asWorker(`INSERT INTO count_releases (id) VALUES ('x')`)).toMatch(/permission denied for table count_releases/);
  // Through the ledger's function, only the entry that extends the chain is accepted.
  expect(await asWorker(`SELECT ledger_append_audit(1, 'x', null, 'x', 'system', 'forged', 'run', 'x', 'd', '${"0".repeat(64)}', 'h')`)).toMatch(/does not extend the chain/);
  expect(await snapshot(owner)).toEqual(before);
  expect((await owner.select({ epsilon: budgets.epsilon }).from(budgets).where(eq(budgets.datasetId, datasetId)))[0]?.epsilon).toBe(5);
});

it("appends audited changes through the ledger's function, on the one chain", async () => {
  await audited(worker, { actor: SYSTEM_ACTOR, action: "runner.test", entityType: "runner", entityId: "w1", input: {} }, async () => undefined);
  const [last] = await owner.select().from(auditLog).where(eq(auditLog.action, "runner.test"));
  expect(last).toMatchObject({ actorEmail: "system", entityId: "w1" });
  expect((await verifyChain(owner)).ok).toBe(true);
  expect(await owner.select({ id: users.id }).from(users)).toHaveLength(2);
});

it("names the first grant a role lacks, and a job runner with that role stops at start", async () => {
  const bare = new URL(ownerUrl);
  bare.username = `bare_${process.pid}`;
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  await admin.query(`CREATE ROLE ${pg.escapeIdentifier(bare.username)} LOGIN`);
  // A role with no grant at all is told it may not even read which migrations were applied.
  const bareOut = await startWorker({ DATABASE_URL: bare.toString() });
  expect(bareOut.code).toBe(1);
  expect(bareOut.stderr).toMatch(/cannot start: the database .* this role may not read drizzle.__drizzle_migrations .*npm run db:worker-role/);
  await admin.query(`GRANT USAGE ON SCHEMA drizzle TO ${pg.escapeIdentifier(bare.username)}; GRANT SELECT ON drizzle.__drizzle_migrations TO ${pg.escapeIdentifier(bare.username)}`);
  await admin.end();
  expect(await missingWorkerGrant(bare.toString())).toBe("INSERT and UPDATE on runs");
  const out = await startWorker({ DATABASE_URL: bare.toString() });
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/cannot start: this role lacks INSERT and UPDATE on runs: run npm run db:worker-role/);
});

it("stops a job runner at start when its database does not answer, naming it without its password", async () => {
  const out = await startWorker({ DATABASE_URL: "postgres://someone:secret@127.0.0.1:1/ledger" });
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/cannot start: the database postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/ledger does not answer: .*ECONNREFUSED/);
  expect(out.stderr).not.toMatch(/secret/);
});

it("stops a job runner at start when the job queue's schema is another pg-boss version's", async () => {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  await admin.query("UPDATE pgboss.version SET version = version + 1");
  try {
    const out = await startWorker({ DATABASE_URL: workerUrl });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/cannot start: the job queue's schema "pgboss" is missing or of another pg-boss version .*npm run db:migrate/);
  } finally {
    await admin.query("UPDATE pgboss.version SET version = version - 1");
    await admin.end();
  }
});

async function startWorker(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    const r = await execAsync(process.execPath, ["--import", "tsx", "server/jobs/worker.ts"], {
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? "" };
  }
}
