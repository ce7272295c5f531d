// The audit log as people read it: each entry with its actor and entity named (and linked) by one batched resolver.
import type { Executor } from "../../db/client";
import type { AuditEntry } from "../../db/schema";
import { entityNames, nameOf, type EntityName } from "./entity-names";
import { listAudit, type AuditFilter } from "./service";

export interface NamedAuditEntry extends AuditEntry {
  /** The acting user's name (null for the system); the stored actorEmail stays the record. */
  actor: EntityName | null;
  entity: EntityName;
}

/** Names a batch of entries: one query per entity type, whatever the batch's size. */
export async function nameEntries(db: Executor, entries: AuditEntry[]): Promise<NamedAuditEntry[]> {
  const actorRef = (e: AuditEntry) => (e.actorId === null ? null : { entityType: "user", entityId: e.actorId });
  const names = await entityNames(db, entries.flatMap((e) => [e, actorRef(e) ?? []].flat()));
  return entries.map((e) => {
    const actor = actorRef(e);
    return { ...e, actor: actor && nameOf(names, actor), entity: nameOf(names, e) };
  });
}

export async function listNamedAudit(db: Executor, filter: AuditFilter, page: number, pageSize: number) {
  const list = await listAudit(db, filter, page, pageSize);
  return { ...list, entries: await nameEntries(db, list.entries) };
}
