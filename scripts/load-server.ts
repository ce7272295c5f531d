// The load benchmark's servers: the build (made if missing) served by N dashboard processes (`npm run serve`) on free
// ports, as dashboard instances behind a load balancer would be, each in a process group of its own.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { serverNodeOptions } from "./server-options.mjs";

const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);
const log = (line: string) => process.stderr.write(`load: ${line}\n`);

export function ensureBuilt(): void {
  if (existsSync(path.join(".next", "BUILD_ID"))) return;
  log("no build in .next; running next build…");
  const build = spawnSync(bin("next"), ["build"], { stdio: ["ignore", 2, 2] });
  if (build.status !== 0) throw new Error(`next build failed (exit ${build.status})`);
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** The dashboard server (`npm run serve`) in a process group of its own (so that stopping the group stops everything it started). */
export async function startServer(port: number, env: Record<string, string>, logFile: string): Promise<() => Promise<void>> {
  const out = openSync(logFile, "a");
  // The server uses the benchmark's database (env's DATABASE_URL, else its DATABASE_PATH), whatever this shell has.
  const { DATABASE_URL: _elsewhere, ...inherited } = process.env;
  const child: ChildProcess = spawn(bin("tsx"), ["server/serve-cli.ts", "-p", String(port)], {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...inherited, ...env, NODE_OPTIONS: serverNodeOptions(inherited.NODE_OPTIONS) },
  });
  closeSync(out);
  const exited = once(child, "exit");
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // already gone
    }
  };
  const onExit = () => signal("SIGKILL");
  process.once("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard server exited with ${child.exitCode}:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    try {
      if ((await fetch(`http://localhost:${port}/api/auth/csrf`)).ok) return stop;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the dashboard server did not answer on port ${port} within 60 s (log: ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `instances` servers of the same build on one database: their URLs, and how to stop them all. */
export async function startServers(instances: number, env: Record<string, string>, logFile: (i: number) => string): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  const started: { url: string; stop: () => Promise<void> }[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const url = `http://localhost:${port}`;
      started.push({ url, stop: await startServer(port, { ...env, NEXTAUTH_URL: url }, logFile(i)) });
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return { urls: started.map((s) => s.url), stop: async () => void (await Promise.all(started.map((s) => s.stop()))) };
}
