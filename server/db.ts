// The server's one database handle, opened lazily from DATABASE_PATH (migrations are applied by `npm run db:migrate`).
import { openDatabase, type Db } from "../db/client";
import { env } from "./env";

let db: Db | undefined;

export function serverDb(): Db {
  db ??= openDatabase(env().DATABASE_PATH);
  return db;
}
