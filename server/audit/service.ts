// The audit log: appends hash-chained entries inside the caller's transaction, lists them, and verifies the chain.
import { and, asc, count, desc, eq, gt, like, lte, type SQL } from "drizzle-orm";
import { engineOf, first, pipelined, transaction, type Executor, type Tx } from "../../db/client";
import { auditLog, type AuditEntry, type Role } from "../../db/schema";
import { canonicalJson, redactSecrets, sha256Hex } from "./canonical";
import { GENESIS_HASH, entryHash, type EntryBody } from "./chain";

export { GENESIS_HASH, entryHash };

/** Who did it: a signed-in user, or the system itself (seeding, the job runner). */
export interface Actor {
  id: string | null;
  email: string;
  role: Role | "system";
}

export const SYSTEM_ACTOR: Actor = { id: null, email: "system", role: "system" };

export interface AuditedChange {
  actor: Actor;
  /** Dotted verb, domain first: "user.create", "budget.approve". */
  action: string;
  entityType: string;
  entityId: string;
  /** The procedure input; secrets are redacted before it is digested. */
  input: unknown;
}

export function inputDigest(input: unknown): string {
  return sha256Hex(canonicalJson(redactSecrets(input ?? null)));
}

/** Appends one entry; call it inside the transaction that makes the change. */
export async function appendAudit(tx: Tx, change: AuditedChange): Promise<AuditEntry> {
  return (await appendAudits(tx, [change]))[0]!;
}

/** The audit chain's last entry (seq 0 and the genesis hash for an empty log). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Takes the audit chain's lock until `tx` ends and reads its head, in one call: the head is that of whoever held the
 * lock before. Entries appended after it in `tx` extend it (appendAuditsAfter).
 */
export async function lockAuditChain(tx: Tx): Promise<ChainHead> {
  const head = await engineOf(tx).lockedAuditHead(tx);
  return { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
}

/**
 * Appends entries one after the other on the chain, in their order, under one read of its head; their inserts are
 * pipelined. Call it inside the transaction that makes the changes.
 */
export async function appendAudits(tx: Tx, changes: readonly AuditedChange[]): Promise<AuditEntry[]> {
  if (changes.length === 0) return [];
  return appendAuditsAfter(tx, await lockAuditChain(tx), changes);
}

/** appendAudits after `head`, which lockAuditChain gave earlier in `tx` (the chain is still locked). */
export async function appendAuditsAfter(tx: Tx, head: ChainHead, changes: readonly AuditedChange[]): Promise<AuditEntry[]> {
  let last = head;
  const entries = changes.map((change): AuditEntry => {
    const body: EntryBody = {
      seq: last.seq + 1,
      at: new Date().toISOString(),
      actorId: change.actor.id,
      actorEmail: change.actor.email,
      actorRole: change.actor.role,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      inputDigest: inputDigest(change.input),
      prevHash: last.hash,
    };
    const entry = { ...body, hash: entryHash(body) };
    last = entry;
    return entry;
  });
  await pipelined(...entries.map((entry) => () => engineOf(tx).insertAuditEntry(tx, entry)));
  return entries;
}

/**
 * Runs `change` and appends its audit entry in one transaction (joining the caller's when given one): both happen or
 * neither does. This is the only way services make governance changes.
 */
export function audited<T>(db: Executor, change: AuditedChange, apply: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    const result = await apply(tx);
    await appendAudit(tx, change);
    return result;
  });
}

export interface AuditFilter {
  action?: string | undefined;
  actorEmail?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
}

function auditWhere(filter: AuditFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(like(auditLog.action, `${filter.action}%`));
  if (filter.actorEmail) conditions.push(eq(auditLog.actorEmail, filter.actorEmail));
  if (filter.entityType) conditions.push(eq(auditLog.entityType, filter.entityType));
  if (filter.entityId) conditions.push(eq(auditLog.entityId, filter.entityId));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

export async function listAudit(db: Executor, filter: AuditFilter, page: number, pageSize: number) {
  const where = auditWhere(filter);
  // The count and the page at once (on PostgreSQL, on the pool's connections together). Unfiltered, the count is the
  // last seq: the chain numbers its entries 1, 2, 3, … and none is ever removed.
  const [counted, entries] = await Promise.all([
    where ? first(db.select({ n: count() }).from(auditLog).where(where)) : lastSeq(db).then((n) => ({ n })),
    db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.seq))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
  ]);
  return { entries, total: counted?.n ?? 0, page, pageSize };
}

/**
 * The filter's entries with `afterSeq < seq <= throughSeq`, oldest first, at most `limit`: the pages of an export,
 * found by seq (no offset scan), bounded so that entries appended while it streams are not in it.
 */
export async function auditEntriesAfter(db: Executor, filter: AuditFilter, afterSeq: number, throughSeq: number, limit: number): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(and(gt(auditLog.seq, afterSeq), lte(auditLog.seq, throughSeq), auditWhere(filter)))
    .orderBy(asc(auditLog.seq))
    .limit(limit);
}

export type ChainReport =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** The seq of the newest entry (0 for an empty log). */
export async function lastSeq(db: Executor): Promise<number> {
  return (await first(db.select({ seq: auditLog.seq }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1)))?.seq ?? 0;
}

/** Recomputes the whole chain in order and reports the first broken link. */
export async function verifyChain(db: Executor, batchSize = 1000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(batchSize);
    for (const row of rows) {
      const checked = expectedSeq - 1;
      const broken = (reason: string): ChainReport => ({ ok: false, entries: checked, brokenAt: row.seq, reason });
      if (row.seq !== expectedSeq) return broken(`entry #${expectedSeq} is missing (next entry is #${row.seq})`);
      if (row.prevHash !== prevHash) return broken("its prev_hash does not match the hash of the entry before it");
      const { hash, ...body } = row;
      if (entryHash(body) !== hash) return broken("its contents do not match its hash");
      prevHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < batchSize) return { ok: true, entries: expectedSeq - 1, head: prevHash };
  }
}
