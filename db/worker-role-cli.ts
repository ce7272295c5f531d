// `npm run db:worker-role -- --role <login role>`: run as the database's owner (DATABASE_URL) after db:migrate, it
// creates the group role ledger_worker if needed, grants it what workers need (db/worker-role.ts) and grants it to
// the worker hosts' login role, which must exist (CREATE ROLE … LOGIN PASSWORD …).
import { parseArgs } from "node:util";
import pg from "pg";
import { databaseTarget, redactUrl } from "./open";
import { WORKER_GROUP_ROLE, workerRoleStatements } from "./worker-role";

const { values } = parseArgs({ options: { role: { type: "string" }, "queue-schema": { type: "string", default: "pgboss" } } });
const target = databaseTarget();
if (target.kind !== "postgres") {
  console.error("db:worker-role: DATABASE_URL must name the PostgreSQL database (the SQLite engine has no roles)");
  process.exit(2);
}
if (!values.role) {
  console.error("db:worker-role: --role <login role> is required (the role worker hosts connect as)");
  process.exit(2);
}
const client = new pg.Client({ connectionString: target.url });
try {
  await client.connect();
  for (const statement of workerRoleStatements(values.role, values["queue-schema"]!)) await client.query(statement);
  console.log(`granted ${WORKER_GROUP_ROLE} to ${values.role} on ${redactUrl(target.url)}`);
} catch (error) {
  console.error(`db:worker-role: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await client.end();
}
