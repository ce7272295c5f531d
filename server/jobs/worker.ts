// `npm run worker`: the job runner's process, on the dashboard's host or on any worker host (several may share one
// database: each holds a lease). It checks its configuration, then takes queued runs from the run queue, trains them
// in trainer subprocesses and records what they report. On SIGTERM it stops the trainers at a step boundary
// (checkpointed), gives its lease up and exits. It reads only the job runner's variables (server/env.ts).
import path from "node:path";
import { databaseTarget, openDatabase } from "../../db/open";
import { EnvError, workerEnv } from "../env";
import { Runner } from "./runner";
import { TRAINER_COMMAND } from "./trainer-process";
import { checkRunnerCanStart } from "./worker-checks";

function stop(message: string): never {
  console.error(`[runner] cannot start: ${message}`);
  process.exit(1);
}

let e: ReturnType<typeof workerEnv>;
try {
  e = workerEnv();
} catch (err) {
  stop(err instanceof EnvError ? err.message : String(err));
}
if (e.RUNNER_CONCURRENCY === 0) {
  console.log("[runner] RUNNER_CONCURRENCY=0: this host trains nothing");
  process.exit(0);
}
const target = databaseTarget(e);
// Opening a SQLite file makes it and its WAL and shared-memory files owner-only (db/sqlite.ts).
const db = openDatabase(target);
await checkRunnerCanStart(db, target).catch((err: Error) => stop(err.message));

const runner = new Runner({
  db,
  dataDir: path.resolve(e.DATA_DIR),
  concurrency: e.RUNNER_CONCURRENCY,
  trainerCommand: TRAINER_COMMAND,
  pollMs: 500,
  leaseMs: e.RUNNER_LEASE_SECONDS * 1000,
  log: (line) => console.log(`[runner] ${line}`),
});
await runner.start();
console.log(`[runner] watching for queued runs (${e.RUNNER_CONCURRENCY} at a time, ${target.kind === "postgres" ? "PostgreSQL job queue" : "embedded database"})`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[runner] ${signal}: stopping trainers at a step boundary`);
    void runner.stop().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`[runner] could not stop cleanly: ${err.message}`);
        process.exit(1);
      },
    );
  });
}
