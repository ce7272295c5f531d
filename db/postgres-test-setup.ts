// Vitest's global set-up: with TEST_ENGINE=postgres and no TEST_DATABASE_URL, starts a throwaway PostgreSQL server
// for the run (scripts/embedded-postgres.mjs) and stops it at the end; with SQLite it does nothing.
import { startEmbeddedPostgres } from "../scripts/embedded-postgres.mjs";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.TEST_ENGINE !== "postgres" || process.env.TEST_DATABASE_URL) return;
  const server = await startEmbeddedPostgres();
  process.env.TEST_DATABASE_URL = server.url;
  return server.stop;
}
