// The workers' PostgreSQL role: what a trainer host may do in the governance database. It reads the ledger and
// writes runs, their steps, leases, model versions, leakage reports, red-team exercises, synthetic versions and
// federated rounds; it may not write budgets, users, access grants or the audit log, whose entries it appends only
// through the ledger's function ledger_append_audit.
import pg from "pg";

/** The group role granted to each worker host's login role. */
export const WORKER_GROUP_ROLE = "ledger_worker";

/** Tables a worker writes (INSERT, UPDATE; DELETE only on its leases and finished overlaps' mail); every other table it only reads. */
export const WORKER_WRITES = [
  "runs",
  "run_steps",
  "run_evaluations",
  "run_canaries",
  "runner_leases",
  "model_families",
  "model_versions",
  "leakage_reports",
  "red_team_exercises",
  "synthetic_jobs",
  // Overlaps of subjects that never finished are abandoned, and their mail deleted, by the runner's tick.
  "federation_overlaps",
  "federation_mail",
  // A federated run's rounds are coordinated by the runner that claimed it (server/federation/federated-run.ts); of a
  // party it may change only the last round it took part in (a column grant, below).
  "federation_rounds",
  "incidents",
  "incident_links",
  "incident_notes",
  "notifications",
  "dataset_versions",
  // A step's charge updates its lineage's composed curve in the same transaction (server/budgets/lineage-curve.ts).
  "lineage_curves",
  "ledger_run_contributions",
  // A lineage's hold-out key is made the first time a run's files are written (server/datasets/holdout-key.ts).
  "lineage_secrets",
] as const;

/** Tables with something every read of the ledger needs but which a worker must never change. */
export const WORKER_READ_ONLY = ["budgets", "budget_requests", "users", "audit_log", "dataset_access", "count_releases", "datasets"] as const;

/** The statements that create the group role (once) and grant it to `loginRole`: idempotent. */
export function workerRoleStatements(loginRole: string, queueSchema: string): string[] {
  const group = pg.escapeIdentifier(WORKER_GROUP_ROLE);
  const login = pg.escapeIdentifier(loginRole);
  const queue = pg.escapeIdentifier(queueSchema);
  const writes = WORKER_WRITES.map((t) => pg.escapeIdentifier(t)).join(", ");
  return [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${pg.escapeLiteral(WORKER_GROUP_ROLE)}) THEN CREATE ROLE ${group} NOLOGIN; END IF; END $$`,
    `GRANT USAGE ON SCHEMA public TO ${group}`,
    // The migrations drizzle recorded: a worker checks at start that the schema is its release's.
    `GRANT USAGE ON SCHEMA drizzle TO ${group}`,
    `GRANT SELECT ON drizzle.__drizzle_migrations TO ${group}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${group}`,
    `GRANT INSERT, UPDATE ON ${writes} TO ${group}`,
    `GRANT DELETE ON "runner_leases", "federation_mail" TO ${group}`,
    `GRANT UPDATE ("last_round_id") ON "federation_parties" TO ${group}`,
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${group}`,
    `GRANT EXECUTE ON FUNCTION ledger_append_audit(bigint, text, text, text, text, text, text, text, text, text, text) TO ${group}`,
    `GRANT USAGE ON SCHEMA ${queue} TO ${group}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${queue} TO ${group}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${queue} TO ${group}`,
    `GRANT ${group} TO ${login}`,
  ];
}

/**
 * What a worker's role must be able to do, each as [a privilege check, what is missing when it fails]: the worker
 * checks these at start and stops naming the first grant it lacks.
 */
export function workerPrivilegeChecks(queueSchema: string): [string, string][] {
  return [
    ...WORKER_WRITES.map((t): [string, string] => [`SELECT has_table_privilege(${pg.escapeLiteral(t)}, 'SELECT, INSERT, UPDATE')`, `INSERT and UPDATE on ${t}`]),
    [`SELECT has_table_privilege('budgets', 'SELECT')`, "SELECT on budgets"],
    [`SELECT has_table_privilege('audit_log', 'SELECT')`, "SELECT on audit_log"],
    [
      `SELECT has_function_privilege('ledger_append_audit(bigint, text, text, text, text, text, text, text, text, text, text)', 'EXECUTE')`,
      "EXECUTE on ledger_append_audit",
    ],
    [`SELECT has_schema_privilege(${pg.escapeLiteral(queueSchema)}, 'USAGE')`, `USAGE on the job queue's schema ${queueSchema}`],
  ];
}
