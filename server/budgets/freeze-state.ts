// A budget's freeze state as people need it: frozen or not, and since when and by whom, read from the audit log's
// last freeze or unfreeze of the lineage (an incident's containment).
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { preparedRead, type Executor } from "../../db/client";
import { auditLog } from "../../db/schema";

export const FREEZE_ACTIONS = ["incident.freeze_budget", "incident.unfreeze_budget"] as const;

export interface FreezeState {
  frozen: boolean;
  /** When it was last frozen or unfrozen, and by whom (null: never, it was set unfrozen). */
  since: string | null;
  by: string | null;
}

/** The lineage's last freeze or unfreeze in the audit log: what freezeState is made from. */
export async function lastFreezeChange(db: Executor, datasetId: string) {
  return (await lastFreezeChangeOf(db, { datasetId }))[0];
}

const lastFreezeChangeOf = preparedRead("last_freeze_change_of_dataset", (db) =>
  db
    .select({ at: auditLog.at, by: auditLog.actorEmail, action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "dataset"), eq(auditLog.entityId, sql.placeholder("datasetId")), inArray(auditLog.action, [...FREEZE_ACTIONS])))
    .orderBy(desc(auditLog.seq))
    .limit(1),
);

/** The freeze state of a budget that is `frozen` or not, whose lineage's last freeze change was `last`. */
export function freezeState(frozen: boolean, last: Awaited<ReturnType<typeof lastFreezeChange>>): FreezeState {
  // The audit entry is written with the change, so the last one matches the state; if not, say only the state.
  const matches = last !== undefined && (last.action === "incident.freeze_budget") === frozen;
  return { frozen, since: matches ? last.at : null, by: matches ? last.by : null };
}
