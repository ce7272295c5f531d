// `npm run serve` (what `npm start` and the dashboard's container run): the built dashboard, tRPC served beside Next
// (http/dashboard-server.ts), on -p or PORT (default 3000), at -H (default every interface; not HOSTNAME, which
// container runtimes set to the container's name). `--dev` serves the sources through Next's development server
// instead. Before anything is served it checks its variables and its database, and stops naming the problem.
import path from "node:path";
import { parseArgs } from "node:util";
import { stampRemoteAddresses } from "./auth/client-address";
import { contextOfRequest } from "./context";
import { serverDb } from "./db";
import { env, EnvError } from "./env";
import { startLedgerThread } from "./runs/ledger-thread";
import { dashboardServer } from "./http/dashboard-server";
import { databaseProblem } from "./http/health";
import type { TrpcEndpointSettings } from "./http/trpc-endpoint";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" }, dev: { type: "boolean", default: false } },
});
// As `next start` and `next dev` set it, before the variables are read and Next and React are loaded.
Object.assign(process.env, { NODE_ENV: values.dev ? "development" : "production" });

function cannotStart(problem: string): never {
  console.error(`Epsilon Ledger cannot start: ${problem}`);
  process.exit(1);
}

const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) cannotStart(`the port must be a whole number from 0 to 65535, not "${values.port ?? process.env.PORT}".`);

/** The endpoint's settings from the environment, validated once (a bad variable stops the start here). */
function endpointSettings(): TrpcEndpointSettings {
  try {
    const e = env();
    return { publicUrl: e.NEXTAUTH_URL, maxBodyBytes: e.MAX_API_BODY_BYTES, createContext: contextOfRequest };
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
const settings = endpointSettings();
const problem = await databaseProblem(serverDb());
if (problem) cannotStart(problem);
// On PostgreSQL, launch admissions, cancels and resumes run on a thread of their own (on a third of its connections).
startLedgerThread(serverDb(), env().DATABASE_POOL_MAX);
// Every request's socket address, stamped before any handler reads it (the sign-in throttle's source of truth).
stampRemoteAddresses();

const { default: next } = await import("next");
const app = next({ dev: values.dev, dir: path.resolve(import.meta.dirname, ".."), hostname: values.hostname ?? "localhost", port });
await app.prepare();
const server = dashboardServer(settings, app.getRequestHandler(), { readsAtOnce: env().API_READS_AT_ONCE });
if (values.dev) server.on("upgrade", app.getUpgradeHandler()); // Next's development server live-reloads over a WebSocket
server.listen(port, values.hostname, () => console.log(`Epsilon Ledger's dashboard serves on http://${values.hostname ?? "localhost"}:${port}`));

// Stops taking connections, lets the requests under way finish (10 s at most), then exits.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
