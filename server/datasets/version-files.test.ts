// Retention and deletion of dataset versions' files: officers set a dataset's retention (audited; bad input changes
// nothing); the sweep deletes files past it as the system, leaving the row, digests and audit; an officer deletes a
// version's files (refused while a queued or running run uses it); a version without files cannot be trained on or
// minimised.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { first } from "../../db/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { datasetVersions } from "../../db/schema";
import { actorOf } from "../actor";
import { listAudit, verifyChain } from "../audit/service";
import { callerAs, refusal, runRequest, snapshot, worldWithDataset, type TestWorld } from "../testing";
import { minimiseVersion } from "./service";
import { deleteVersionFiles, RETENTION_DELETER, sweepRetention } from "./version-files";

const DAY_MS = 86_400_000;
let world: TestWorld;
let datasetId: string;
let versionId: string;
let baseId: string;
let dataDir: string;
let file: string;

beforeEach(async () => {
  ({ world, datasetId, versionId, baseId } = await worldWithDataset("support", { storagePath: "datasets/v1.jsonl" }));
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-version-files-"));
  file = path.join(dataDir, "datasets", "v1.jsonl");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ text: "Hi, I am Alice", subject: null, fields: {} })}\n`);
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId, epsilon: 100, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const officer = () => callerAs(world.db, world.users.privacy_officer);
const engineer = () => callerAs(world.db, world.users.engineer);
const versionRow = async () => (await first(world.db.select().from(datasetVersions).where(eq(datasetVersions.id, versionId))))!;
const launch = () => engineer().runs.launch(runRequest(versionId, baseId));
const deleteAsOfficer = () => deleteVersionFiles(world.db, world.users.privacy_officer, actorOf(world.users.privacy_officer), { versionId }, dataDir);

describe("retention", () => {
  it("is set by privacy officers, audited; bad input is refused naming the problem and changes nothing", async () => {
    const before = await snapshot(world.db);
    for (const [retentionDays, message] of [
      [0, /at least 1 day/],
      [1.5, /whole number of days/],
      [40_000, /at most 36500 days/],
    ] as const) {
      const err = await refusal(officer().datasets.setRetention({ datasetId, retentionDays }));
      expect(err).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    }
    expect(await refusal(officer().datasets.setRetention({ datasetId: "00000000-0000-4000-8000-000000000000", retentionDays: 3 }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(engineer().datasets.setRetention({ datasetId, retentionDays: 3 }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await snapshot(world.db)).toEqual(before);

    await officer().datasets.setRetention({ datasetId, retentionDays: 30 });
    const detail = await officer().datasets.get({ datasetId });
    expect(detail.dataset.retentionDays).toBe(30);
    expect(Date.parse(detail.versions[0]!.retentionEndsAt!) - Date.parse((await versionRow()).createdAt)).toBe(30 * DAY_MS);
    const [entry] = (await listAudit(world.db, { action: "dataset.set_retention" }, 1, 1)).entries;
    expect(entry).toMatchObject({ actorEmail: world.users.privacy_officer.email, entityId: datasetId });
  });

  it("deletes a version's files once its retention has passed, as the system, keeping its row, digests and audit", async () => {
    await officer().datasets.setRetention({ datasetId, retentionDays: 30 });
    const created = Date.parse((await versionRow()).createdAt);
    expect(await sweepRetention(world.db, dataDir, new Date(created + 29 * DAY_MS))).toEqual([]);
    expect(existsSync(file)).toBe(true);
    // A queued run on the version holds the deletion off until it ends.
    const runId = await launch();
    expect(await sweepRetention(world.db, dataDir, new Date(created + 31 * DAY_MS))).toEqual([]);
    expect(existsSync(file)).toBe(true);
    await engineer().runs.cancel({ runId });
    expect(await sweepRetention(world.db, dataDir, new Date(created + 31 * DAY_MS))).toEqual([versionId]);
    expect(existsSync(file)).toBe(false);
    expect(await versionRow()).toMatchObject({ filesDeletedBy: RETENTION_DELETER, contentDigest: "b".repeat(64), recordCount: 1000 });
    expect((await versionRow()).filesDeletedAt).not.toBeNull();
    const [entry] = (await listAudit(world.db, { action: "dataset.retention_delete_files" }, 1, 1)).entries;
    expect(entry).toMatchObject({ actorRole: "system", entityType: "dataset_version", entityId: versionId });
    expect(await sweepRetention(world.db, dataDir, new Date(created + 400 * DAY_MS))).toEqual([]); // once
    expect((await verifyChain(world.db)).ok).toBe(true);
  });
});

describe("deleting a version's files", () => {
  it("is refused while a queued run uses the version, changing nothing; then deletes and records who did it", async () => {
    const runId = await launch();
    const before = await snapshot(world.db);
    const err = await Promise.resolve().then(deleteAsOfficer).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(new RegExp(`Run ${runId.slice(0, 8)} \\(queued or running\\) uses version 1`)) });
    expect(await snapshot(world.db)).toEqual(before);
    expect(existsSync(file)).toBe(true);

    await engineer().runs.cancel({ runId });
    await deleteAsOfficer();
    expect(existsSync(file)).toBe(false);
    expect(await versionRow()).toMatchObject({ filesDeletedBy: world.users.privacy_officer.id });
    const [entry] = (await listAudit(world.db, { action: "dataset.delete_version_files" }, 1, 1)).entries;
    expect(entry).toMatchObject({ actorEmail: world.users.privacy_officer.email, entityId: versionId });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("is for privacy officers only, and refuses an unknown or already deleted version, changing nothing", async () => {
    const before = await snapshot(world.db);
    expect(await refusal(engineer().datasets.deleteVersionFiles({ versionId }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await refusal(officer().datasets.deleteVersionFiles({ versionId: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(officer().datasets.deleteVersionFiles({ versionId: "not-a-uuid" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await snapshot(world.db)).toEqual(before);
    await deleteAsOfficer();
    const after = await snapshot(world.db);
    await expect(deleteAsOfficer()).rejects.toThrow(/were deleted by a privacy officer/);
    expect(await snapshot(world.db)).toEqual(after);
  });

  it("leaves a version that can no longer be trained on or minimised (CONFLICT, nothing launched or written)", async () => {
    await deleteAsOfficer();
    const before = await snapshot(world.db);
    const err = await refusal(launch());
    expect(err).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/files of version 1 were deleted by a privacy officer on .*can no longer be trained on/) });
    expect((await engineer().runs.preview(runRequest(versionId, baseId))).refusal).toMatch(/can no longer be trained on/);
    const engineerUser = world.users.engineer;
    const plan = { entities: {}, fields: {}, subject: "keep" as const };
    const minimised = await minimiseVersion(world.db, engineerUser, actorOf(engineerUser), { versionId, plan }, dataDir).catch((e: unknown) => e);
    expect(minimised).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/can no longer be trained on, downloaded or minimised/) });
    expect(await snapshot(world.db)).toEqual(before);
  });
});
