// The Node.js server's start (instrumentation.ts): stamps each request with its socket's address (the sign-in
// throttle's source of truth), validates the environment, and stops the server on a bad variable.
import { stampRemoteAddresses } from "./server/auth/client-address";
import { env, EnvError } from "./server/env";

export function registerNode(): void {
  stampRemoteAddresses();
  try {
    env();
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
