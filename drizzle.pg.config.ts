// drizzle-kit configuration for PostgreSQL: generates db/migrations-pg from the same schema (db/schema-pg.ts makes the
// PostgreSQL tables from db/schema). `npm run db:generate` runs both this and drizzle.config.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/drizzle-kit-pg.cts",
  out: "./db/migrations-pg",
});
