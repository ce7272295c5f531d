// The audit log: entries chain by SHA-256, the database refuses edits, and verification finds the first broken link.
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { first, transaction, type Db } from "../../db/client";
import { openTestDatabase } from "../../db/open";
import { auditLog, users, type AuditEntry } from "../../db/schema";
import { AppError } from "../errors";
import { canonicalJson } from "./canonical";
import type { EntryBody } from "./chain";
import { GENESIS_HASH, SYSTEM_ACTOR, appendAudits, audited, entryHash, inputDigest, listAudit, verifyChain } from "./service";

async function append(db: Db, from: number, to: number) {
  for (let i = from; i < to; i++) {
    await audited(db, { actor: SYSTEM_ACTOR, action: `test.step${i % 3}`, entityType: "thing", entityId: `t${i}`, input: { i } }, async () => i);
  }
}

async function logWith(n: number) {
  const db = await openTestDatabase();
  await append(db, 0, n);
  return db;
}

const rowsOf = (db: Db) => db.select().from(auditLog).orderBy(asc(auditLog.seq));
const lastRow = async (db: Db) => (await rowsOf(db)).at(-1)!;

/** The entry that would follow `prev`, hashed as appendAudit hashes it, with `edit` applied to its body first. */
function nextEntry(prev: Pick<AuditEntry, "seq" | "hash">, edit: Partial<EntryBody> = {}): AuditEntry {
  const body: EntryBody = {
    seq: prev.seq + 1,
    at: "2030-01-01T00:00:00.000Z",
    actorId: null,
    actorEmail: "system",
    actorRole: "system",
    action: "test.forged",
    entityType: "thing",
    entityId: `t${prev.seq + 1}`,
    inputDigest: inputDigest({}),
    prevHash: prev.hash,
    ...edit,
  };
  return { ...body, hash: entryHash(body) };
}

/**
 * Writes rows straight into the log, as someone with write access to the database could (inserts pass the
 * append-only triggers): how the tests below plant edited, re-hashed and missing entries.
 */
function forge(db: Db, ...rows: AuditEntry[]) {
  return transaction(db, async (tx) => {
    for (const row of rows) await tx.insert(auditLog).values(row);
  });
}

/** Why the database refused a statement (PostgreSQL's message comes as the cause of drizzle's query error); "" if it did not. */
const refusal = (attempt: Promise<unknown>) =>
  attempt.then(
    () => "",
    (err: Error) => `${err.message} ${err.cause instanceof Error ? err.cause.message : ""}`,
  );

describe("audit chain", () => {
  it("links each entry to the previous one's hash, starting from the genesis hash", async () => {
    const db = await logWith(3);
    const rows = await rowsOf(db);
    expect(rows.map((r) => r.prevHash)).toEqual([GENESIS_HASH, rows[0]!.hash, rows[1]!.hash]);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 3, head: rows[2]!.hash });
  });

  it("appends several entries of one transaction in their order, each on the one before, with concurrent writers", async () => {
    const db = await logWith(1);
    const changes = (tag: string) => [1, 2, 3].map((i) => ({ actor: SYSTEM_ACTOR, action: `test.${tag}`, entityType: "thing", entityId: `${tag}${i}`, input: { i } }));
    await Promise.all(["a", "b", "c"].map((tag) => transaction(db, (tx) => appendAudits(tx, changes(tag)))));
    const rows = await rowsOf(db);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Each transaction's three entries are consecutive and in order.
    for (const tag of ["a", "b", "c"]) {
      const at = rows.findIndex((r) => r.entityId === `${tag}1`);
      expect(rows.slice(at, at + 3).map((r) => r.entityId)).toEqual([`${tag}1`, `${tag}2`, `${tag}3`]);
    }
    expect(await verifyChain(db)).toMatchObject({ ok: true, entries: 10 });
  });

  it("verifies an empty log and one longer than a verification batch", async () => {
    expect(await verifyChain(await openTestDatabase())).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
    expect(await verifyChain(await logWith(25), 10)).toMatchObject({ ok: true, entries: 25 });
  });

  it("is append-only: the database refuses updates and deletes", async () => {
    const db = await logWith(2);
    expect(await refusal(transaction(db, async (tx) => void (await tx.update(auditLog).set({ action: "x" }).where(eq(auditLog.seq, 1)))))).toMatch(/append-only/);
    expect(await refusal(transaction(db, async (tx) => void (await tx.delete(auditLog).where(eq(auditLog.seq, 1)))))).toMatch(/append-only/);
    expect(await verifyChain(db)).toMatchObject({ ok: true, entries: 2 });
  });

  it("detects a tampered row (its contents edited, its hash kept) and names the first broken link", async () => {
    const db = await logWith(2);
    const honest = nextEntry(await lastRow(db));
    await forge(db, { ...honest, actorEmail: "mallory@example.com" });
    await append(db, 3, 5);
    expect(await verifyChain(db)).toEqual({ ok: false, entries: 2, brokenAt: 3, reason: "its contents do not match its hash" });
  });

  it("detects a row whose hash was recomputed to hide an edit, at the next link", async () => {
    const db = await logWith(1);
    const row1 = await lastRow(db);
    const honest = nextEntry(row1);
    const forged = nextEntry(row1, { actorEmail: "mallory@example.com" });
    // The entry after it still names the honest entry's hash.
    await forge(db, forged, nextEntry(honest));
    await append(db, 3, 5);
    expect(await verifyChain(db)).toMatchObject({ ok: false, brokenAt: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  it("detects a deleted row", async () => {
    const db = await logWith(1);
    const missing = nextEntry(await lastRow(db));
    await forge(db, nextEntry(missing));
    await append(db, 3, 4);
    expect(await verifyChain(db)).toMatchObject({ ok: false, entries: 1, brokenAt: 3, reason: "entry #2 is missing (next entry is #3)" });
  });
});

describe("audited changes", () => {
  it("write nothing, neither change nor entry, when the change fails", async () => {
    const db = await logWith(1);
    const id = crypto.randomUUID();
    await expect(
      audited(db, { actor: SYSTEM_ACTOR, action: "thing.create", entityType: "thing", entityId: "x", input: {} }, async (tx) => {
        await tx.insert(users).values({ id, email: "x@test.example", name: "x", role: "auditor" });
        expect(await tx.select({ id: users.id }).from(users).where(eq(users.id, id))).toHaveLength(1);
        throw new AppError("CONFLICT", "no");
      }),
    ).rejects.toThrow("no");
    expect(await first(db.select({ id: users.id }).from(users).where(eq(users.id, id)))).toBeUndefined();
    expect(await verifyChain(db)).toMatchObject({ ok: true, entries: 1 });
  });

  it("digest the input with secrets redacted, independent of key order", () => {
    expect(inputDigest({ a: 1, b: { c: 2 } })).toBe(inputDigest({ b: { c: 2 }, a: 1 }));
    expect(inputDigest({ email: "x", password: "one" })).toBe(inputDigest({ email: "x", password: "two" }));
    expect(inputDigest({ email: "x" })).not.toBe(inputDigest({ email: "y" }));
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});

describe("listing", () => {
  it("pages newest first and filters by action prefix, actor and entity", async () => {
    const db = await logWith(7);
    const page = await listAudit(db, {}, 1, 3);
    expect(page.total).toBe(7);
    expect(page.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    expect((await listAudit(db, {}, 3, 3)).entries.map((e) => e.seq)).toEqual([1]);
    expect((await listAudit(db, { action: "test.step1" }, 1, 10)).entries.map((e) => e.seq)).toEqual([5, 2]);
    expect((await listAudit(db, { entityType: "thing", entityId: "t4" }, 1, 10)).entries.map((e) => e.seq)).toEqual([5]);
    expect((await listAudit(db, { actorEmail: "nobody@example.com" }, 1, 10)).total).toBe(0);
    expect((await listAudit(db, { action: "test.step1" }, 1, 1)).total).toBe(2);
    expect((await listAudit(await openTestDatabase(), {}, 1, 10)).total).toBe(0);
  });
});
