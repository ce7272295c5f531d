// Every row of every table: tests compare two snapshots to show that a refused call changed nothing. Job runners'
// leases are left out: a running job runner renews its lease by heartbeat whatever the calls do.
import type { Db } from "./client";

const LIVENESS_TABLES = new Set(["runner_leases"]);

export function snapshot(db: Db): Record<string, unknown[]> {
  const tables = db.$client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.filter(({ name }) => !LIVENESS_TABLES.has(name)).map(({ name }) => [name, db.$client.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
  );
}
