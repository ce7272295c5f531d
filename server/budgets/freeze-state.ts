// A budget's freeze state as people need it: frozen or not, and since when and by whom, read from the audit log's
// last freeze or unfreeze of the lineage (an incident's containment).
import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Executor } from "../../db/client";
import { auditLog } from "../../db/schema";

export const FREEZE_ACTIONS = ["incident.freeze_budget", "incident.unfreeze_budget"] as const;

export interface FreezeState {
  frozen: boolean;
  /** When it was last frozen or unfrozen, and by whom (null: never, it was set unfrozen). */
  since: string | null;
  by: string | null;
}

/**
 * The freeze and unfreeze entries of the lineages `which` names (by the audit entry's dataset id), newest first: the
 * first of a lineage's is what freezeState is made from.
 */
export function freezeChangesWhere(db: Executor, which: (datasetId: SQLiteColumn) => SQL | undefined) {
  return db
    .select({ datasetId: auditLog.entityId, at: auditLog.at, by: auditLog.actorEmail, action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, "dataset"), inArray(auditLog.action, [...FREEZE_ACTIONS]), which(auditLog.entityId)))
    .orderBy(desc(auditLog.seq));
}

type FreezeChange = Pick<Awaited<ReturnType<typeof freezeChangesWhere>>[number], "at" | "by" | "action">;

/** The freeze state of a budget that is `frozen` or not, whose lineage's last freeze change was `last`. */
export function freezeState(frozen: boolean, last: FreezeChange | undefined): FreezeState {
  // The audit entry is written with the change, so the last one matches the state; if not, say only the state.
  const matches = last !== undefined && (last.action === "incident.freeze_budget") === frozen;
  return { frozen, since: matches ? last.at : null, by: matches ? last.by : null };
}
