// The API load benchmark (`npm run bench -- load`): the built dashboard served by `npm run serve` on a fresh database,
// driven from this process over HTTP by many signed-in clients that read dashboards and launch and cancel runs
// against one budget; afterwards the database is checked: the budget was never overspent and the audit chain
// verifies. The job runner is not started, so launched runs stay queued and keep their reservations until cancelled.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { closeDatabase, first, migrateDatabase, type Db } from "../db/client";
import { openDatabase } from "../db/open";
import { ROLES, auditLog, modelVersions } from "../db/schema";
import { SYSTEM_ACTOR, verifyChain } from "../server/audit/service";
import { lineageRuns, lineageSpend, spendOf, type RunItem } from "../server/budgets/ledger";
import { existingBudget, setBudget } from "../server/budgets/service";
import { grantAccess } from "../server/datasets/service";
import type { RunRequest } from "../server/runs/run-request";
import { TINY_BASE_MODEL_FLAGS, seedBaseModel } from "../server/seed/demo";
import { createUser } from "../server/users/service";
import { seededUniform } from "../trainer/contract/seeded-random";
import { startEmbeddedPostgres } from "./embedded-postgres.mjs";
import { ApiClient } from "./load-client";
import { ensureBuilt, startServers } from "./load-server";
import { drive, roleOf, timed, type LoadClient } from "./load-mix";
import { summarise, summariseByOperation, type OperationSummary, type Outcome, type Sample } from "./load-stats";

export interface LoadSettings {
  /** Signed-in clients, each with an account and a cookie jar of its own; an eighth officers, an eighth auditors. */
  clients: number;
  /** How long the clients keep sending requests. */
  seconds: number;
  /** Seeds each client's choice of operations. */
  seed: number;
  /** How many of the benchmark's (identical) runs the budget holds at once. */
  runsThatFit: number;
  /** The database the server uses: a fresh SQLite file, or a throwaway PostgreSQL server (scripts/embedded-postgres.mjs). */
  engine: "sqlite" | "postgres";
  /** Dashboard instances (`npm run serve` processes) on that database; client i talks to instance i mod N. */
  instances: number;
  /**
   * How the server reaches PostgreSQL, which runs on the same machine: through its Unix socket, as a process on the
   * database's own host should (docs/deploy.md), or over TCP on 127.0.0.1.
   */
  pgOver: "socket" | "tcp";
  /**
   * How long the same load runs before the measured seconds, left out of the figures: a server just started answers
   * its first seconds slower (code not yet optimised, connections and prepared statements not yet made).
   */
  warmupSeconds: number;
}

export const LOAD_SETTINGS: LoadSettings = { clients: 32, seconds: 20, seed: 1, runsThatFit: 4, engine: "sqlite", instances: 1, pgOver: "socket", warmupSeconds: 3 };

/** Every launch asks for the same run: record-level, sampling rate 0.05, noise multiplier 1, 100 steps. */
const RUN = { samplingRate: 0.05, noiseMultiplier: 1, steps: 100 };
const DELTA = 1e-5;
const DATASET_RECORDS = 200;
const PASSWORD = "load-benchmark-password";

/**
 * The whole load's figures (requests, throughput_rps, p50_ms, p99_ms, refused: launches the budget could not hold,
 * errors: 5xx, network errors, timeouts and any other unexpected answer), as for each operation, and the rest.
 */
export interface LoadBenchmark extends Omit<OperationSummary, "op"> {
  clients: number;
  roles: Record<string, number>;
  /** How long the clients kept sending requests, after the warm-up. */
  sending_s: number;
  /** The warm-up before (LoadSettings.warmupSeconds; its requests are in no other figure but the checks below). */
  warmup_s: number;
  warmup: OperationSummary;
  /** Until the last answer came: what throughput is measured over. */
  duration_s: number;
  seed: number;
  engine: LoadSettings["engine"];
  /** Dashboard instances the clients were spread over. */
  instances: number;
  /** On PostgreSQL, how the server reached it (LoadSettings.pgOver); null on SQLite. */
  pg_over: LoadSettings["pgOver"] | null;
  job_runner: false;
  operations: OperationSummary[];
  /** The clients' sign-ins before the load (argon2id checks), not part of the figures above. */
  sign_in: OperationSummary;
  launches_accepted: number;
  launches_refused: number;
  cancels: number;
  budget_epsilon: number;
  budget_delta: number;
  runs_that_fit: number;
  /** The most the lineage ever had reserved, replaying launches and cancels in the audit log's (commit) order. */
  peak_reserved_epsilon: number;
  peak_active_runs: number;
  /** The ledger after the load: composed epsilon of every run, charged plus reserved. */
  final_epsilon: number;
  runs_recorded: number;
  /** Every accepted launch and cancel is in the database, and nothing else. */
  launches_accounted: boolean;
  overspent: boolean;
  audit_chain_ok: boolean;
  audit_entries: number;
  /** The most frequent unexpected answers, "<operation>: <what> (×count)". */
  error_messages: string[];
}

const meAnswer = z.object({ user: z.object({ email: z.string(), role: z.enum(ROLES) }) });

const log = (line: string) => process.stderr.write(`load: ${line}\n`);

/** The composed epsilon of `n` of the benchmark's runs, all reserved: the ledger's own arithmetic. */
function reservedEpsilon(n: number): number {
  const planned = Array.from({ length: n }, (_, i) => ({
    id: `planned-${i}`,
    status: "queued" as const,
    privacyUnit: "record" as const,
    samplingRate: RUN.samplingRate,
    noiseMultiplier: RUN.noiseMultiplier,
    plannedSteps: RUN.steps,
    chargedSteps: 0,
    resumeFromStep: 0,
    segmentBaseSteps: 0,
    createdAt: String(i),
  }));
  return spendOf(planned, DELTA).epsilon;
}

/**
 * Replays launches and cancels in the audit log's order, which is the order their transactions committed, and
 * returns the most the lineage ever had reserved. No run ever starts (no job runner), so a run reserves its planned
 * steps from its launch to its cancel.
 */
async function peakReservation(db: Db, datasetId: string, delta: number): Promise<{ epsilon: number; runs: number }> {
  const byId = new Map((await lineageRuns(db, datasetId)).map((run) => [run.id, run]));
  const entries = await db
    .select({ action: auditLog.action, entityId: auditLog.entityId })
    .from(auditLog)
    .where(inArray(auditLog.action, ["run.launch", "run.cancel"]))
    .orderBy(asc(auditLog.seq));
  const active = new Map<string, RunItem>();
  const epsilonOf = new Map<string, number>(); // by the active runs' parameters: many states repeat
  const peak = { epsilon: 0, runs: 0 };
  for (const entry of entries) {
    const run = byId.get(entry.entityId);
    if (!run) continue;
    if (entry.action === "run.cancel") {
      active.delete(run.id);
      continue;
    }
    active.set(run.id, { ...run, status: "queued", chargedSteps: 0 });
    const runs = [...active.values()];
    const key = runs.map((r) => `${r.samplingRate}:${r.noiseMultiplier}:${r.plannedSteps}`).sort().join(" ");
    const epsilon = epsilonOf.get(key) ?? spendOf(runs, delta).epsilon;
    epsilonOf.set(key, epsilon);
    peak.epsilon = Math.max(peak.epsilon, epsilon);
    peak.runs = Math.max(peak.runs, runs.length);
  }
  return peak;
}

/** Users, base model, clients signed in, a dataset uploaded over HTTP and granted, its budget; then the load. */
export async function benchmarkLoad(settings: LoadSettings = LOAD_SETTINGS): Promise<LoadBenchmark> {
  ensureBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), "epsilon-load-"));
  const databasePath = path.join(dir, "load.db");
  const dataDir = path.join(dir, "data");
  const postgres = settings.engine === "postgres" ? await startEmbeddedPostgres({ maxConnections: 200 }) : null;
  const pgUrl = postgres && (settings.pgOver === "socket" ? postgres.socketUrl : postgres.url);
  const db = openDatabase(pgUrl ? { kind: "postgres", url: pgUrl } : { kind: "sqlite", file: databasePath });
  await migrateDatabase(db);
  log(`fresh database and data directory in ${dir}; seeding ${settings.clients} users and a tiny base model…`);
  const accounts = await Promise.all(
    Array.from({ length: settings.clients }, (_, i) => {
      const role = roleOf(i, settings.clients);
      return createUser(db, SYSTEM_ACTOR, { email: `${role.replace("_", "-")}-${i}@load.example`, name: `Load ${role} ${i}`, role, password: PASSWORD });
    }),
  );
  await seedBaseModel(db, dataDir, TINY_BASE_MODEL_FLAGS);
  const base = await first(db.select().from(modelVersions).where(eq(modelVersions.kind, "base")));
  if (!base) throw new Error("the base model was not registered");

  const env = { NODE_ENV: "production", ...(pgUrl ? { DATABASE_URL: pgUrl } : {}), DATABASE_PATH: databasePath, DATA_DIR: dataDir, NEXTAUTH_SECRET: randomBytes(32).toString("hex") };
  log(`starting ${settings.instances} dashboard instance(s) (no job runner)…`);
  const { urls, stop } = await startServers(settings.instances, env, (i) => path.join(dir, `dashboard-${i}.log`));
  const errors = new Map<string, number>();
  let keep = true;
  try {
    const clients: LoadClient[] = accounts.map((a, i) => ({
      api: new ApiClient(urls[i % urls.length]!),
      userId: a.id,
      email: a.email,
      role: roleOf(i, settings.clients),
      next: seededUniform(settings.seed * 1_000_003 + i),
      queued: [],
    }));
    const signInStart = performance.now();
    const signIns = await Promise.all(clients.map((c) => timed("sign-in", () => c.api.signIn(c.email, PASSWORD).then(() => "ok" as const), errors)));
    const signInSeconds = (performance.now() - signInStart) / 1000;
    if (errors.size > 0) throw new Error(`sign-in failed: ${[...errors.keys()].join("; ")}`);
    for (const client of clients) {
      const me = await client.api.query("session.me");
      if (!me.ok || meAnswer.parse(me.data).user.role !== client.role) throw new Error(`session.me of ${client.email} did not answer its role`);
    }

    const uploader = clients[0] as LoadClient;
    const records = Array.from({ length: DATASET_RECORDS }, (_, i) => JSON.stringify({ text: `Visit ${i}: the patient felt better after rest and fluids.` }));
    const { datasetId, versionId } = await uploader.api.uploadDataset({ name: "load-notes", format: "jsonl", textField: "text" }, records.join("\n"));
    const officer = clients.find((c) => c.role === "privacy_officer");
    if (!officer) throw new Error("no privacy officer among the clients");
    const officerActor = { id: officer.userId, email: officer.email, role: officer.role };
    for (const client of clients) {
      if (client.role === "engineer" && client !== uploader) await grantAccess(db, officerActor, { datasetId, userId: client.userId });
    }
    const budgetEpsilon = (reservedEpsilon(settings.runsThatFit) + reservedEpsilon(settings.runsThatFit + 1)) / 2;
    const renewsOn = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    await setBudget(db, officerActor, { datasetId, epsilon: budgetEpsilon, delta: DELTA, privacyUnit: "record", renewsOn });
    const request: RunRequest = {
      datasetVersionId: versionId,
      baseModelVersionId: base.id,
      privacyUnit: "record",
      privacy: { mode: "noise_multiplier", noiseMultiplier: RUN.noiseMultiplier },
      batch: { by: "sampling_rate", samplingRate: RUN.samplingRate },
      length: { by: "steps", steps: RUN.steps },
      clipNorm: 1,
      learningRate: 1e-3,
      fineTuning: { method: "lora", rank: 4 },
      maxRecordsPerSubject: 8,
    };

    log(`${clients.length} clients signed in; warming up for ${settings.warmupSeconds} s, then driving the API for ${settings.seconds} s…`);
    const warm = await drive(clients, request, settings.warmupSeconds, errors);
    const { samples, elapsed } = await drive(clients, request, settings.seconds, errors);
    await stop();

    const budget = await existingBudget(db, datasetId);
    const peak = await peakReservation(db, datasetId, budget.delta);
    const final = await lineageSpend(db, datasetId, budget.delta);
    const chain = await verifyChain(db);
    // What the database must hold counts the warm-up's launches and cancels too.
    const launches = [...warm.samples, ...samples].filter((s) => s.op === "runs.launch");
    const cancels = [...warm.samples, ...samples].filter((s) => s.op === "runs.cancel");
    const count = (list: Sample[], outcome: Outcome) => list.filter((s) => s.outcome === outcome).length;
    const recorded = final.runs.length;
    const cancelled = final.runs.filter((r) => r.kind === "run" && r.status === "cancelled").length;
    // A launch or cancel that errored (a timeout, say) may still have committed: it may be there, or not.
    const within = (n: number, list: Sample[]) => n >= count(list, "ok") && n <= count(list, "ok") + count(list, "error");
    const { operations, overall } = summariseByOperation(samples, elapsed);
    const { op: _all, ...figures } = overall;
    const result: LoadBenchmark = {
      clients: clients.length,
      roles: Object.fromEntries(["engineer", "privacy_officer", "auditor"].map((role) => [role, clients.filter((c) => c.role === role).length])),
      sending_s: settings.seconds,
      warmup_s: settings.warmupSeconds,
      warmup: summarise("warm-up", warm.samples, warm.elapsed),
      duration_s: Math.round(elapsed * 100) / 100,
      seed: settings.seed,
      engine: settings.engine,
      instances: settings.instances,
      pg_over: postgres ? settings.pgOver : null,
      job_runner: false,
      ...figures,
      operations,
      sign_in: summarise("sign-in", signIns, signInSeconds),
      launches_accepted: count(launches, "ok"),
      launches_refused: count(launches, "refused"),
      cancels: count(cancels, "ok"),
      budget_epsilon: budget.epsilon,
      budget_delta: budget.delta,
      runs_that_fit: settings.runsThatFit,
      peak_reserved_epsilon: peak.epsilon,
      peak_active_runs: peak.runs,
      final_epsilon: final.epsilon,
      runs_recorded: recorded,
      launches_accounted: within(recorded, launches) && within(cancelled, cancels),
      overspent: peak.epsilon > budget.epsilon || final.epsilon > budget.epsilon,
      audit_chain_ok: chain.ok,
      audit_entries: chain.entries,
      error_messages: [...errors].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([what, n]) => `${what} (×${n})`),
    };
    keep = result.errors > 0 || result.overspent || !result.audit_chain_ok || !result.launches_accounted;
    return result;
  } finally {
    await stop();
    await closeDatabase(db);
    await postgres?.stop();
    if (keep) log(`kept ${dir} (database, data and next.log) to look into`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
