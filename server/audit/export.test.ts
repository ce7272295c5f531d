// The audit export: only for readers of the audit log, the filter in force, every page of it, exact values, CSV
// quoting by RFC 4180 and one JSON object per line with the documented keys.
import { beforeEach, describe, expect, it } from "vitest";
import { actorOf } from "../actor";
import { activeSessionUser, type SessionUser } from "../context";
import { registerUpload } from "../datasets/service";
import { ABILITIES } from "../auth/access";
import { ingestedVersion, testWorld, type TestWorld } from "../testing";
import { AUDIT_EXPORT_COLUMNS, AUDIT_EXPORT_KEYS, csvField, exportRecord, handleAuditExport, inertName } from "./export";
import { nameEntries } from "./named-entries";
import { listAudit } from "./service";

let world: TestWorld;
let datasetId: string;
const NAME = 'ward "A", night';

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  datasetId = (await registerUpload(world.db, engineer, actorOf(engineer), { name: NAME }, ingestedVersion())).datasetId;
  await registerUpload(world.db, engineer, actorOf(engineer), { datasetId }, ingestedVersion());
  await registerUpload(world.db, engineer, actorOf(engineer), { name: "other" }, ingestedVersion());
});

async function exportAs(user: SessionUser | null, query: string, pageSize?: number) {
  const req = new Request(`http://localhost:3000/api/audit/export?${query}`);
  return handleAuditExport(req, { db: world.db, user: user && (await activeSessionUser(world.db, user.id)) }, ABILITIES["api.audit.export"], pageSize);
}

describe("audit export", () => {
  it("is refused to anonymous callers (401) and to roles that do not read the audit log (403), and checks its parameters", async () => {
    expect((await exportAs(null, "format=csv")).status).toBe(401);
    for (const role of ["engineer", "privacy_officer"] as const) expect((await exportAs(world.users[role], "format=csv")).status).toBe(403);
    expect((await exportAs(world.users.auditor, "format=xml")).status).toBe(400);
    expect((await exportAs(world.users.auditor, "format=csv&page=2")).status).toBe(400);
  });

  it("writes the filtered entries as CSV, oldest first, across pages, quoting names with commas and quotes", async () => {
    const res = await exportAs(world.users.admin, "format=csv&action=dataset.&actorEmail=engineer%40test.example", 2);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{8}T\d{6}Z\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    const lines = (await res.text()).split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe(AUDIT_EXPORT_COLUMNS.join(","));
    expect(lines[0]).toBe("seq,at,actor_id,actor_email,actor_name,actor_role,action,entity_type,entity_id,entity_name,input_digest,prev_hash,hash");
    const expected = (await listAudit(world.db, { action: "dataset." }, 1, 100)).entries.reverse();
    expect(expected).toHaveLength(3);
    expect(lines.slice(1)).toHaveLength(3);
    const first = expected[0]!;
    expect(lines[1]).toBe(
      [first.seq, first.at, first.actorId, first.actorEmail, "engineer", "engineer", "dataset.upload", "dataset_version", first.entityId, '"ward ""A"", night v1"', first.inputDigest, first.prevHash, first.hash].join(","),
    );
    expect(lines[3]).toContain(",other v1,");
  });

  it("writes JSON lines with the documented keys and exact values, null for what has no name", async () => {
    const res = await exportAs(world.users.auditor, "format=jsonl&entityType=user");
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const rows = (await res.text()).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = (await listAudit(world.db, { entityType: "user" }, 1, 100)).entries.reverse();
    expect(rows).toHaveLength(4);
    expect(rows).toEqual((await nameEntries(world.db, expected)).map(exportRecord));
    expect(Object.keys(rows[0]!)).toEqual([...AUDIT_EXPORT_KEYS]);
    // The system created the users: no actor id, no actor name.
    expect(rows[0]).toMatchObject({ actorId: null, actorEmail: "system", actorName: null, actorRole: "system", action: "user.create", entityName: "admin" });
  });

  it("writes only the header when nothing matches", async () => {
    expect(await (await exportAs(world.users.auditor, "format=csv&action=nothing.")).text()).toBe(`${AUDIT_EXPORT_COLUMNS.join(",")}\r\n`);
    expect(await (await exportAs(world.users.auditor, "format=jsonl&action=nothing.")).text()).toBe("");
  });

  it("quotes CSV fields by RFC 4180", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then\r\nleave')).toBe('"say ""hi"", then\r\nleave"');
    expect(csvField(null)).toBe("");
    expect(csvField(7)).toBe("7");
  });

  it("keeps names typed by people from running as spreadsheet formulas in CSV", () => {
    expect(["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "plain", null].map(inertName)).toEqual(["'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain", null]);
  });
});
