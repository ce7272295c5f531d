// The Node.js server's start (instrumentation.ts): stamps each request with its socket's address (the sign-in
// throttle's source of truth), validates the environment and checks that the database answers with this release's
// schema, and stops the server, naming the problem, on a bad variable or database.
import { stampRemoteAddresses } from "./server/auth/client-address";
import { serverDb } from "./server/db";
import { databaseProblem } from "./server/http/health";
import { env, EnvError } from "./server/env";

export async function registerNode(): Promise<void> {
  stampRemoteAddresses();
  try {
    env();
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  const problem = await databaseProblem(serverDb());
  if (problem) {
    console.error(`Epsilon Ledger cannot start: ${problem}`);
    process.exit(1);
  }
}
