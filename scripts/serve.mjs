// `npm start`: installs, migrates and seeds the embedded database (demo users, the base model), builds, and serves
// the dashboard on port 3000 with the job runner beside it. Ctrl-C stops both (runs stop at a step boundary).
import { spawn } from "node:child_process";
import path from "node:path";
import { authSecret, ensureInstalled, root, run } from "./setup.mjs";

const port = process.env.PORT ?? "3000";
const env = {
  NEXTAUTH_SECRET: authSecret(),
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
};

ensureInstalled();
run("npm", ["run", "--silent", "db:migrate"], env);
run("npm", ["run", "--silent", "build"], env);
console.log("");
run("npm", ["run", "--silent", "db:seed"], env);
console.log(`\nEpsilon Ledger is starting on ${env.NEXTAUTH_URL} — sign in there with one of the accounts above.\n`);

// Started directly (not through npm or npx), so that a signal to this script reaches them.
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const children = [
  spawn(bin("next"), ["start", "-p", port], { cwd: root, stdio: "inherit", env: { ...process.env, ...env } }),
  spawn(bin("tsx"), ["server/jobs/worker.ts"], { cwd: root, stdio: "inherit", env: { ...process.env, ...env } }),
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
