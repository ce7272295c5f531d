// `npm start`: installs, migrates and seeds the embedded database (demo users, the shipped base model), builds when
// the sources changed since the last build, and serves the dashboard on port 3000 with the job runner beside it. Each
// step skips work already done, so a restart takes seconds. Ctrl-C stops both (runs stop at a step boundary).
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuilt } from "./build-stamp.mjs";
import { serverNodeOptions } from "./server-options.mjs";
import { authSecret, ensureInstalled, root, run } from "./setup.mjs";

const port = process.env.PORT ?? "3000";
const env = {
  NEXTAUTH_SECRET: authSecret(),
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
};

// Commands are started directly (not through npm or npx): quicker, and a signal to this script reaches them.
const bin = (name) => path.join(root, "node_modules", ".bin", name);

ensureInstalled();
run(bin("tsx"), ["server/seed/cli.ts"], env); // npm run db:seed (which migrates first)
// npm run build, without its type check (next.config.ts): serving needs none, tests and typecheck do it.
ensureBuilt(root, { ...process.env, ...env }, () => run(bin("next"), ["build"], { ...env, SKIP_BUILD_TYPECHECK: "1" }));
console.log(`\nEpsilon Ledger is starting on ${env.NEXTAUTH_URL} — sign in there with one of the accounts above.\n`);

const children = [
  spawn(bin("tsx"), ["server/serve-cli.ts", "-p", port], { cwd: root, stdio: "inherit", env: { ...process.env, ...env, NODE_OPTIONS: serverNodeOptions() } }),
  // RUNNER_CONCURRENCY=0: a dashboard only; workers on other hosts train (docs/deploy.md).
  ...(Number(process.env.RUNNER_CONCURRENCY) === 0 && process.env.RUNNER_CONCURRENCY?.trim() ? [] : [spawn(bin("tsx"), ["server/jobs/worker.ts"], { cwd: root, stdio: "inherit", env: { ...process.env, ...env } })]),
];
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => children.forEach((c) => c.kill(signal)));
let exited = 0;
for (const child of children) {
  child.on("exit", (code) => {
    exited += 1;
    if (exited === 1) children.forEach((c) => c.kill("SIGTERM")); // one gone: stop the other too
    if (exited === children.length) process.exit(code ?? 0);
  });
}
