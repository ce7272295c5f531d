// Test fixture for launch-race.test.ts: one process that launches one run against the shared database its
// environment names (DATABASE_URL or DATABASE_PATH) at an agreed moment, and prints "launched" or "refused: <reason>".
import { databaseTarget, openDatabase } from "../../db/open";
import { activeSessionUser } from "../context";
import { actorOf } from "../actor";
import { AppError } from "../errors";
import { runRequestInput } from "./run-request";
import { launchRun } from "./service";

const [userId, requestJson, startAt] = process.argv.slice(2);
const db = openDatabase(databaseTarget());
const user = (await activeSessionUser(db, userId!))!;
const request = runRequestInput.parse(JSON.parse(requestJson!));
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
try {
  await launchRun(db, user, actorOf(user), request);
  console.log("launched");
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  console.log(`refused: ${err.message}`);
}
process.exit(0); // the job queue's connections (PostgreSQL) would keep the process alive
