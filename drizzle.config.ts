// drizzle-kit configuration: generates SQL migrations in db/migrations from db/schema.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
});
