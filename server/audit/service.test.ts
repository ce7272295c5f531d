// The audit log: entries chain by SHA-256, the database refuses edits, and verification finds the first broken link.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openMigratedMemoryDatabase } from "../../db/client";
import { AppError } from "../errors";
import { canonicalJson } from "./canonical";
import { GENESIS_HASH, SYSTEM_ACTOR, audited, entryHash, inputDigest, listAudit, verifyChain } from "./service";

function logWith(n: number) {
  const db = openMigratedMemoryDatabase();
  for (let i = 0; i < n; i++) {
    audited(db, { actor: SYSTEM_ACTOR, action: `test.step${i % 3}`, entityType: "thing", entityId: `t${i}`, input: { i } }, () => i);
  }
  return db;
}

describe("audit chain", () => {
  it("links each entry to the previous one's hash, starting from the genesis hash", () => {
    const db = logWith(3);
    const rows = db.$client.prepare("SELECT * FROM audit_log ORDER BY seq").all() as { prev_hash: string; hash: string }[];
    expect(rows.map((r) => r.prev_hash)).toEqual([GENESIS_HASH, rows[0]!.hash, rows[1]!.hash]);
    expect(verifyChain(db)).toEqual({ ok: true, entries: 3, head: rows[2]!.hash });
  });

  it("verifies an empty log and one longer than a verification batch", () => {
    expect(verifyChain(openMigratedMemoryDatabase())).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
    expect(verifyChain(logWith(25), 10)).toMatchObject({ ok: true, entries: 25 });
  });

  it("is append-only: the database refuses updates and deletes", () => {
    const db = logWith(2);
    expect(() => db.$client.prepare("UPDATE audit_log SET action = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.$client.prepare("DELETE FROM audit_log WHERE seq = 1").run()).toThrow(/append-only/);
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 2 });
  });

  it("detects a tampered row (with the triggers dropped) and names the first broken link", () => {
    const db = logWith(5);
    db.$client.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    db.$client.prepare("UPDATE audit_log SET actor_email = 'mallory@example.com' WHERE seq = 3").run();
    expect(verifyChain(db)).toEqual({ ok: false, entries: 2, brokenAt: 3, reason: "its contents do not match its hash" });
  });

  it("detects a row whose hash was recomputed to hide an edit, at the next link", () => {
    const db = logWith(5);
    db.$client.exec("DROP TRIGGER audit_log_no_update;");
    const row = db.$client.prepare("SELECT * FROM audit_log WHERE seq = 2").get() as Record<string, unknown>;
    const forged = entryHash({
      seq: 2,
      at: row.at as string,
      actorId: null,
      actorEmail: "mallory@example.com",
      actorRole: "system",
      action: row.action as string,
      entityType: row.entity_type as string,
      entityId: row.entity_id as string,
      inputDigest: row.input_digest as string,
      prevHash: row.prev_hash as string,
    });
    db.$client.prepare("UPDATE audit_log SET actor_email = 'mallory@example.com', hash = ? WHERE seq = 2").run(forged);
    expect(verifyChain(db)).toMatchObject({ ok: false, brokenAt: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  it("detects a deleted row", () => {
    const db = logWith(4);
    db.$client.exec("DROP TRIGGER audit_log_no_delete;");
    db.$client.prepare("DELETE FROM audit_log WHERE seq = 2").run();
    expect(verifyChain(db)).toMatchObject({ ok: false, entries: 1, brokenAt: 3, reason: "entry #2 is missing (next entry is #3)" });
  });
});

describe("audited changes", () => {
  it("write nothing, neither change nor entry, when the change fails", () => {
    const db = logWith(1);
    db.$client.exec("CREATE TABLE things (id TEXT)");
    expect(() =>
      audited(db, { actor: SYSTEM_ACTOR, action: "thing.create", entityType: "thing", entityId: "x", input: {} }, (tx) => {
        tx.run(sql`INSERT INTO things (id) VALUES ('x')`);
        expect(tx.all(sql`SELECT id FROM things`)).toHaveLength(1);
        throw new AppError("CONFLICT", "no");
      }),
    ).toThrow("no");
    expect(db.$client.prepare("SELECT count(*) AS n FROM things").get()).toEqual({ n: 0 });
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 1 });
  });

  it("digest the input with secrets redacted, independent of key order", () => {
    expect(inputDigest({ a: 1, b: { c: 2 } })).toBe(inputDigest({ b: { c: 2 }, a: 1 }));
    expect(inputDigest({ email: "x", password: "one" })).toBe(inputDigest({ email: "x", password: "two" }));
    expect(inputDigest({ email: "x" })).not.toBe(inputDigest({ email: "y" }));
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});

describe("listing", () => {
  it("pages newest first and filters by action prefix, actor and entity", () => {
    const db = logWith(7);
    const first = listAudit(db, {}, 1, 3);
    expect(first.total).toBe(7);
    expect(first.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    expect(listAudit(db, {}, 3, 3).entries.map((e) => e.seq)).toEqual([1]);
    expect(listAudit(db, { action: "test.step1" }, 1, 10).entries.map((e) => e.seq)).toEqual([5, 2]);
    expect(listAudit(db, { entityType: "thing", entityId: "t4" }, 1, 10).entries.map((e) => e.seq)).toEqual([5]);
    expect(listAudit(db, { actorEmail: "nobody@example.com" }, 1, 10).total).toBe(0);
  });
});
