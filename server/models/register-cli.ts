// `npm run models -- register …` (register-command.ts) on the configured database (DATABASE_URL, else DATABASE_PATH)
// and data directory (DATA_DIR).
import path from "node:path";
import { closeDatabase } from "../../db/client";
import { databaseTarget, openDatabase } from "../../db/open";
import { DEFAULT_DATA_DIR } from "../env";
import { registerCommand } from "./register-command";

const db = openDatabase(databaseTarget());
let code: number;
try {
  code = await registerCommand(process.argv.slice(2), db, path.resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR), (line) => console.log(line), (line) => console.error(line));
} finally {
  await closeDatabase(db);
}
process.exit(code);
