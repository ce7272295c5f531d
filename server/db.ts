// The server's one database handle, opened lazily from DATABASE_URL or DATABASE_PATH (migrations are applied by
// `npm run db:migrate`).
import type { Db } from "../db/client";
import { databaseTarget, openDatabase } from "../db/open";
import { env } from "./env";

let db: Db | undefined;

export function serverDb(): Db {
  db ??= openDatabase(databaseTarget(env()));
  return db;
}
