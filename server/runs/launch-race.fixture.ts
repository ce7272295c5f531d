// Test fixture for launch-race.test.ts: one process that launches one run against a shared database file at an
// agreed moment, and prints "launched" or "refused: <reason>".
import { openDatabase } from "../../db/open";
import { activeSessionUser } from "../context";
import { actorOf } from "../actor";
import { AppError } from "../errors";
import { runRequestInput } from "./run-request";
import { launchRun } from "./service";

const [file, userId, requestJson, startAt] = process.argv.slice(2);
const db = openDatabase({ kind: "sqlite", file: file! });
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
