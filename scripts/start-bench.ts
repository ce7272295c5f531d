// `npm run bench -- start` (opt-in, minutes): how long `npm start` takes to its first page. Clones this checkout's
// committed HEAD into a temporary directory, times `npm ci` there (npm's cache reused), then `npm start` on a free port
// in a process group of its own until /sign-in answers 200, stops the group and starts again: a first start, two
// restarts, and a restart after a one-line change to a page (which must rebuild). The load average goes beside each.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const CHANGED_PAGE = path.join("app", "sign-in", "page.tsx");

export interface StartMeasurement {
  start: string;
  seconds: number;
  built: boolean;
  load: number;
}
export interface StartFigures {
  commit: string;
  npm_ci_seconds: number;
  starts: StartMeasurement[];
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

function timed(command: string, args: string[], cwd: string): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  return (performance.now() - started) / 1000;
}

/** The status of GET `pathname` on the port, or null when nothing answers. */
const statusOf = (port: number, pathname: string): Promise<number | null> =>
  fetch(`http://localhost:${port}${pathname}`).then(
    async (r) => (await r.body?.cancel(), r.status),
    () => null,
  );

/** `npm start` in `dir` until /sign-in answers 200; then SIGTERM to its process group, and wait until it is gone. */
async function startOnce(dir: string, port: number, label: string): Promise<StartMeasurement> {
  if ((await statusOf(port, "/")) !== null) throw new Error(`something already answers on port ${port}`);
  const started = performance.now();
  const child = spawn("npm", ["start"], { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PORT: String(port), NEXTAUTH_URL: undefined } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    for (;;) {
      if (exited) throw new Error(`npm start exited before its first page:\n${output.slice(-2000)}`);
      if ((await statusOf(port, "/sign-in")) === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    return { start: label, seconds, built: /Compiled successfully/.test(output), load: os.loadavg()[0] ?? 0 };
  } finally {
    stop();
    // npm exits first; the group is gone only when next-server and the job runner have exited too.
    for (let i = 0; i < 200 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(child.pid!)) process.kill(-child.pid!, "SIGKILL");
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function benchmarkStart(log: (line: string) => void = console.log): Promise<StartFigures> {
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-start-"));
  const clone = path.join(work, "clone");
  try {
    timed("git", ["clone", "--quiet", ROOT, clone], work);
    const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: clone, encoding: "utf8" }).stdout.trim();
    log(`start: cloned ${commit}; npm ci…`);
    const npmCi = timed("npm", ["ci", "--no-audit", "--no-fund"], clone);
    const port = await freePort();
    const starts: StartMeasurement[] = [];
    for (const label of ["first start of the fresh clone", "restart", "restart"]) {
      starts.push(await startOnce(clone, port, label));
      log(`start: ${label} ${starts.at(-1)!.seconds.toFixed(1)} s`);
    }
    appendFileSync(path.join(clone, CHANGED_PAGE), "// a one-line change\n");
    starts.push(await startOnce(clone, port, `restart after a one-line change to ${CHANGED_PAGE}`));
    return { commit, npm_ci_seconds: npmCi, starts };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
