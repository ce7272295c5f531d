// Runs once when the Next server starts: validates the environment so that a bad variable stops it at once.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env } = await import("./server/env");
    env();
  }
}
