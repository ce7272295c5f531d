// Datasets through the real upload handler and routers: a good upload becomes a version with digests, counts and a
// PII report; a malformed or refused one leaves nothing; minimising makes a linked version; access rules hold.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activeSessionUser, type SessionUser } from "../context";
import { verifyChain } from "../audit/service";
import { callerAs, ingestedVersion, snapshot, testWorld, type TestWorld } from "../testing";
import { minimiseVersion, registerUpload } from "./service";
import { actorOf } from "../actor";
import { handleUpload } from "./upload";

const ORIGIN = "http://localhost:3000";
let world: TestWorld;
let dataDir: string;

beforeEach(async () => {
  world = await testWorld();
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-datasets-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function upload(user: SessionUser | null, query: Record<string, string>, body: string, headers: Record<string, string> = {}) {
  const req = new Request(`${ORIGIN}/api/datasets/upload?${new URLSearchParams(query)}`, {
    method: "POST",
    headers: { "x-epsilon-upload": "1", origin: ORIGIN, ...headers },
    body,
  });
  const ctx = { db: world.db, user: user && (await activeSessionUser(world.db, user.id)) };
  return handleUpload(req, ctx, { dataDir, maxBytes: 10_000, publicUrl: ORIGIN });
}

const MAIL = [
  { text: "Hi, I am Alice Smith, mail me at alice@example.com", patient: "p1", ward: "A" },
  { text: "Call 555-867-5309 about the invoice", patient: "p1", ward: "B" },
  { text: "Nothing personal here", patient: "p2", ward: "A" },
]
  .map((r) => JSON.stringify(r))
  .join("\n");

const files = () => readdirSync(path.join(dataDir, "datasets"), { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name);

describe("dataset upload", () => {
  it("stores a version with digests, counts and a PII report, and grants the uploader access", async () => {
    const res = await upload(world.users.engineer, { name: "support", format: "jsonl", textField: "text", subjectField: "patient" }, MAIL);
    expect(res.status).toBe(201);
    const { datasetId } = (await res.json()) as { datasetId: string };
    const detail = await callerAs(world.db, world.users.engineer).datasets.get({ datasetId });
    const [v] = detail.versions;
    expect(v).toMatchObject({ version: 1, recordCount: 3, subjectCount: 2, maxRecordsPerSubject: 2, fields: ["ward"], parentVersionId: null });
    expect(v!.contentDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(v!.piiReport.byType.email?.count).toBe(1);
    expect(JSON.stringify(v!.piiReport)).not.toContain("alice@example.com");
    expect(detail.canTrain).toBe(true);
    expect(files()).toHaveLength(1);
  });

  it("stores the version's file owner-only (0600 in a 0700 folder), whatever the umask", async () => {
    const umask = process.umask(0);
    try {
      const res = await upload(world.users.engineer, { name: "support", format: "jsonl", textField: "text" }, MAIL);
      expect(res.status).toBe(201);
    } finally {
      process.umask(umask);
    }
    const [name] = files();
    expect(statSync(path.join(dataDir, "datasets")).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, "datasets", name!)).mode & 0o777).toBe(0o600);
  });

  it("refuses a malformed file with line numbers and reasons, and keeps nothing", async () => {
    await upload(world.users.engineer, { name: "first", format: "jsonl", textField: "text" }, MAIL);
    const before = await snapshot(world.db);
    const bad = `${MAIL}\n{"text": 1}\nnot json\n{"other": "x"}`;
    const res = await upload(world.users.engineer, { name: "bad", format: "jsonl", textField: "text" }, bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; errors: { line: number; reason: string }[] } };
    expect(body.error.message).toBe("The file was refused; nothing of it was kept.");
    expect(body.error.errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(await snapshot(world.db)).toEqual(before);
    expect(files()).toHaveLength(1);
  });

  it("refuses an upload over the size limit with 413, and keeps nothing", async () => {
    const big = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `record number ${i}` })).join("\n");
    const before = await snapshot(world.db);
    const res = await upload(world.users.engineer, { name: "big", format: "jsonl", textField: "text" }, big);
    expect(res.status).toBe(413);
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("refuses anonymous callers, other roles, cross-site posts and bad parameters before reading the body", async () => {
    const before = await snapshot(world.db);
    const q = { name: "x", format: "jsonl", textField: "text" };
    expect((await upload(null, q, MAIL)).status).toBe(401);
    for (const role of ["admin", "privacy_officer", "auditor"] as const) expect((await upload(world.users[role], q, MAIL)).status).toBe(403);
    expect((await upload(world.users.engineer, q, MAIL, { origin: "https://evil.example" })).status).toBe(403);
    expect((await upload(world.users.engineer, q, MAIL, { "x-epsilon-upload": "0" })).status).toBe(403);
    expect((await upload(world.users.engineer, { ...q, format: "xml" }, MAIL)).status).toBe(400);
    expect((await upload(world.users.engineer, { format: "jsonl", textField: "text" }, MAIL)).status).toBe(400);
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("names the file's fields when its records lack the text field, and groups the errors by kind with a count", async () => {
    const before = await snapshot(world.db);
    const notes = MAIL.replaceAll('"text":', '"note":');
    const res = await upload(world.users.engineer, { name: "wrong", format: "jsonl", textField: "body" }, notes);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; kinds: unknown[]; fields: string[]; errors: unknown[] } };
    expect(error.message).toBe('The file was refused; nothing of it was kept. No record has the text field "body". The file\'s fields are: note, patient, ward.');
    expect(error.kinds).toEqual([{ reason: 'the text field "body" is missing', count: 3, lines: [1, 2, 3] }]);
    expect(error.fields).toEqual(["note", "patient", "ward"]);
    expect(error.errors).toHaveLength(3);
    expect(await snapshot(world.db)).toEqual(before);
    const csv = await upload(world.users.engineer, { name: "wrong", format: "csv", textField: "body" }, "text,who\nhi,u1\n");
    expect(((await csv.json()) as { error: { message: string } }).error.message).toBe(
      'The file was refused; nothing of it was kept. No record has the text field "body". The file\'s fields are: text, who.',
    );
  });

  it("refuses a duplicate name with 409 and removes the stored file", async () => {
    await upload(world.users.engineer, { name: "dup", format: "jsonl", textField: "text" }, MAIL);
    const res = await upload(world.users.engineer, { name: "dup", format: "jsonl", textField: "text" }, MAIL);
    expect(res.status).toBe(409);
    expect(files()).toHaveLength(1);
  });
});

describe("minimisation and access", () => {
  it("makes a new version linked to its parent, with the plan and a fresh PII report", async () => {
    const res = await upload(world.users.engineer, { name: "mail", format: "csv", textField: "body", subjectField: "who" }, 'body,who,phone\n"Write to bob@example.org, Bob",u1,555-123-4567\nplain text,u2,\n');
    const { datasetId, versionId } = (await res.json()) as { datasetId: string; versionId: string };
    const engineer = world.users.engineer;
    const v2 = await minimiseVersion(world.db, engineer, actorOf(engineer), { versionId, plan: { entities: { email: "redact" }, fields: { phone: "drop" }, subject: "keep" } }, dataDir);
    expect(v2).toMatchObject({ parentVersionId: versionId, version: 2, recordCount: 2 });
    const detail = await callerAs(world.db, engineer).datasets.get({ datasetId });
    const minimised = detail.versions.find((v) => v.id === v2.id)!;
    expect(minimised.piiReport.byType.email?.count ?? 0).toBe(0);
    expect(minimised.fields).toEqual([]);
    expect(minimised.minimisation).toMatchObject({ entities: { email: "redact" }, fields: { phone: "drop" } });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("lets privacy officers minimise any dataset, not only engineers with access; auditors and admins may not", async () => {
    const res = await upload(world.users.engineer, { name: "ward", format: "jsonl", textField: "text", subjectField: "patient" }, MAIL);
    const { datasetId, versionId } = (await res.json()) as { datasetId: string; versionId: string };
    const officer = world.users.privacy_officer;
    expect((await callerAs(world.db, officer).datasets.get({ datasetId })).canMinimise).toBe(true);
    const v2 = await minimiseVersion(world.db, officer, actorOf(officer), { versionId, plan: { entities: { email: "redact" }, fields: {}, subject: "keep" } }, dataDir);
    expect(v2).toMatchObject({ parentVersionId: versionId, version: 2 });
    const [entry] = await callerAs(world.db, world.users.auditor).audit.list({ action: "dataset.minimise" }).then((l) => l.entries);
    expect(entry).toMatchObject({ actorEmail: officer.email, entityId: v2.id });
    const before = await snapshot(world.db);
    for (const role of ["auditor", "admin"] as const) {
      expect((await callerAs(world.db, world.users[role]).datasets.get({ datasetId })).canMinimise).toBe(false);
      const refused = await callerAs(world.db, world.users[role])
        .datasets.minimise({ versionId, plan: { entities: {}, fields: {}, subject: "keep" } })
        .catch((e: TRPCError) => e.code);
      expect(refused).toBe("FORBIDDEN");
    }
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("refuses a plan naming a field or entity type the version lacks as a bad request, writing nothing", async () => {
    const res = await upload(world.users.engineer, { name: "mail", format: "jsonl", textField: "text", subjectField: "patient" }, MAIL);
    const { versionId } = (await res.json()) as { versionId: string };
    const engineer = world.users.engineer;
    const [before, filesBefore] = [await snapshot(world.db), files()];
    for (const [plan, named] of [
      [{ entities: {}, fields: { postcode: "drop" as const }, subject: "keep" as const }, /The plan was refused: the plan names field "postcode"/],
      [{ entities: { ssn: "redact" as const }, fields: {}, subject: "keep" as const }, /The plan was refused: the plan names entity type "ssn"/],
    ] as const) {
      const err = await minimiseVersion(world.db, engineer, actorOf(engineer), { versionId, plan }, dataDir).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(named) });
    }
    expect(await snapshot(world.db)).toEqual(before);
    expect(files()).toEqual(filesBefore);
  });

  it("hides a dataset from engineers without access and lets officers grant it", async () => {
    const res = await upload(world.users.engineer, { name: "private", format: "jsonl", textField: "text" }, MAIL);
    const { datasetId } = (await res.json()) as { datasetId: string };
    const other = await callerAs(world.db, world.users.admin).users.create({ email: "e2@test.example", name: "E2", role: "engineer", password: "a long enough secret" });
    const asOther = callerAs(world.db, { ...world.users.engineer, id: other.id, email: other.email });
    expect(await asOther.datasets.list()).toEqual([]);
    await expect(asOther.datasets.get({ datasetId })).rejects.toThrow(TRPCError);
    const grant = await callerAs(world.db, world.users.auditor).datasets.grantAccess({ datasetId, userId: other.id }).catch((e: TRPCError) => e.code);
    expect(grant).toBe("FORBIDDEN");
    await callerAs(world.db, world.users.privacy_officer).datasets.grantAccess({ datasetId, userId: other.id });
    expect((await asOther.datasets.list()).map((d) => d.name)).toEqual(["private"]);
    expect((await callerAs(world.db, world.users.auditor).datasets.list()).map((d) => d.canTrain)).toEqual([false]);
  });

  it("lists the datasets the user may see, each with its latest version", async () => {
    const { engineer, auditor } = world.users;
    const a = await registerUpload(world.db, engineer, actorOf(engineer), { name: "a" }, ingestedVersion({ recordCount: 10 }));
    await registerUpload(world.db, engineer, actorOf(engineer), { datasetId: a.datasetId }, ingestedVersion({ recordCount: 30 }));
    await registerUpload(world.db, engineer, actorOf(engineer), { datasetId: a.datasetId }, ingestedVersion({ recordCount: 20 }));
    const b = await registerUpload(world.db, engineer, actorOf(engineer), { name: "b" }, ingestedVersion({ recordCount: 5 }));
    const other = await callerAs(world.db, world.users.admin).users.create({ email: "e3@test.example", name: "E3", role: "engineer", password: "a long enough secret" });
    const asOther = callerAs(world.db, { ...engineer, id: other.id, email: other.email });
    await callerAs(world.db, world.users.privacy_officer).datasets.grantAccess({ datasetId: b.datasetId, userId: other.id });
    const latest = (list: { name: string; latest: { version: number; recordCount: number } | null }[]) => list.map((d) => [d.name, d.latest?.version, d.latest?.recordCount]);
    expect(latest(await callerAs(world.db, auditor).datasets.list())).toEqual([["a", 3, 20], ["b", 1, 5]]);
    expect(latest(await asOther.datasets.list())).toEqual([["b", 1, 5]]);
  });
});
