// Starts the built dashboard and the job runner on a fresh database and data directory (with a tiny base model) for
// the end-to-end run, each in its own process group, and stops them after.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { closeDatabase, migrateDatabase } from "../db/client";
import { openDatabase } from "../db/open";
import { verifyChain } from "../server/audit/service";
import { seedBaseModel, TINY_BASE_MODEL_FLAGS } from "../server/seed/demo";
import { E2E_DATABASE, E2E_DATA_DIR, E2E_ENV, E2E_URL } from "./env";

async function waitForServer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The e2e server did not answer at ${url}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

export default async function globalSetup() {
  if (await answers(E2E_URL)) {
    throw new Error(`Something already listens at ${E2E_URL} (a stray next-server?); stop it rather than test against it.`);
  }
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(E2E_DATABASE + suffix, { force: true });
  fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    await migrateDatabase(db);
    await seedBaseModel(db, E2E_DATA_DIR, TINY_BASE_MODEL_FLAGS);
  } finally {
    await closeDatabase(db);
  }

  const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);
  // The servers use the SQLite file the specs seed, whatever DATABASE_URL this shell has.
  const { DATABASE_URL: _elsewhere, ...inherited } = process.env;
  const env = { ...inherited, ...E2E_ENV };
  // detached: each gets a process group of its own (setsid), so that stopping the group stops the dashboard
  // (tsx and its node) and the trainers too.
  const pids = [
    spawn(bin("tsx"), ["server/serve-cli.ts", "-p", new URL(E2E_URL).port], { detached: true, stdio: ["ignore", "inherit", "inherit"], env }),
    spawn(bin("tsx"), ["server/jobs/worker.ts"], { detached: true, stdio: ["ignore", "inherit", "inherit"], env }),
  ].map((child) => child.pid);
  const stop = () => {
    for (const pid of pids) {
      try {
        if (pid) process.kill(-pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", stop);
  await waitForServer(`${E2E_URL}/sign-in`, Date.now() + 60_000).catch((err) => {
    stop();
    throw err;
  });
  // After every spec: the servers stopped, the audit log's hash chain must still verify.
  return async () => {
    stop();
    const after = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
    let report: Awaited<ReturnType<typeof verifyChain>>;
    try {
      report = await verifyChain(after);
    } finally {
      await closeDatabase(after);
    }
    if (!report.ok) throw new Error(`the audit chain is broken at entry #${report.brokenAt}: ${report.reason}`);
    console.log(`audit chain verified after the end-to-end run: ${report.entries} entries`);
  };
}
