// `npm run audit:verify [-- --json]`: recomputes the audit chain of DATABASE_PATH and reports the first broken link.
import { DEFAULT_DATABASE_PATH, openDatabase } from "../../db/client";
import { verifyChain } from "./service";

const file = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const db = openDatabase(file);
const report = verifyChain(db);
db.$client.close();
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(report));
} else if (report.ok) {
  console.log(`audit log OK: ${report.entries} entries, head ${report.head}`);
} else {
  console.log(`audit log BROKEN at entry #${report.brokenAt}: ${report.reason} (${report.entries} entries before it verify)`);
}
process.exit(report.ok ? 0 : 1);
