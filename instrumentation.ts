// Runs once when the Next server starts: stamps each request with its socket's address (the sign-in throttle's
// source of truth), validates the environment, and stops the server on a bad variable.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { stampRemoteAddresses } = await import("./server/auth/client-address");
  stampRemoteAddresses();
  const { env, EnvError } = await import("./server/env");
  try {
    env();
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
