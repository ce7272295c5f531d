// Every row of every table: tests compare two snapshots to show that a refused call changed nothing. Job runners'
// leases are left out: a running job runner renews its lease by heartbeat whatever the calls do.
import { engineOf, type Db } from "./client";

const LIVENESS_TABLES: ReadonlySet<string> = new Set(["runner_leases"]);

export function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  return engineOf(db).snapshot(LIVENESS_TABLES);
}
