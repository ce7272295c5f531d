// The server's one database handle, opened lazily from DATABASE_PATH (migrations are applied by `npm run db:migrate`).
import fs from "node:fs";
import path from "node:path";
import { openDatabase, type Db } from "../db/client";
import { env } from "./env";

let db: Db | undefined;

export function serverDb(): Db {
  if (!db) {
    const file = env().DATABASE_PATH;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = openDatabase(file);
  }
  return db;
}
