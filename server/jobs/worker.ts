// `npm run worker`: the job runner's process, beside the web server (several may share one database: each holds a
// lease): it starts queued runs in trainer subprocesses and records what they report. On SIGTERM it stops the
// trainers at a step boundary (checkpointed), gives its lease up and exits.
import path from "node:path";
import { databaseTarget, openDatabase } from "../../db/open";
import { TRAINER_COMMAND } from "./trainer-process";
import { env } from "../env";
import { Runner } from "./runner";

const e = env();
const runner = new Runner({
  // Opening a SQLite file makes it and its WAL and shared-memory files owner-only (db/sqlite.ts).
  db: openDatabase(databaseTarget(e)),
  dataDir: path.resolve(e.DATA_DIR),
  concurrency: e.RUNNER_CONCURRENCY,
  trainerCommand: TRAINER_COMMAND,
  pollMs: 500,
  leaseMs: e.RUNNER_LEASE_SECONDS * 1000,
  log: (line) => console.log(`[runner] ${line}`),
});
await runner.start();
console.log(`[runner] watching for queued runs (${e.RUNNER_CONCURRENCY} at a time)`);

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
