// `npm run audit:verify [-- --json]`: recomputes the audit chain of the configured database and reports the first broken link, and every lineage's composed curves from its events, reporting each lineage whose stored curves differ (server/ledger-verify.ts); exit 1 on either.
import { closeDatabase } from "../../db/client";
import { databaseTarget, openDatabase } from "../../db/open";
import { ledgerOk, ledgerReportJson, ledgerReportLines, verifyLedger } from "../ledger-verify";

const db = openDatabase(databaseTarget());
const report = await verifyLedger(db);
await closeDatabase(db);
if (process.argv.includes("--json")) console.log(ledgerReportJson(report));
else for (const line of ledgerReportLines(report)) console.log(line);
process.exit(ledgerOk(report) ? 0 : 1);
