// `npm run audit:verify [-- --json]`: recomputes the audit chain of the configured database and reports the first broken link.
import { closeDatabase } from "../../db/client";
import { databaseTarget, openDatabase } from "../../db/open";
import { verifyChain } from "./service";

const db = openDatabase(databaseTarget());
const report = await verifyChain(db);
await closeDatabase(db);
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(report));
} else if (report.ok) {
  console.log(`audit log OK: ${report.entries} entries, head ${report.head}`);
} else {
  console.log(`audit log BROKEN at entry #${report.brokenAt}: ${report.reason} (${report.entries} entries before it verify)`);
}
process.exit(report.ok ? 0 : 1);
