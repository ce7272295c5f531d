// audit:verify's check of the lineage curves: a tampered stored curve (or a run's recorded contribution) is reported,
// naming the lineage, and fails the check; concurrent charges of two runs of one lineage lose no update.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { targetEnv } from "../../db/open";
import { ledgerRunContributions, lineageCurves, runs } from "../../db/schema";
import { ledgerOk, ledgerReportLines, verifyLedger } from "../ledger-verify";
import { chargeThrough } from "../runs/run-outcome";
import { decodeCurve, encodeCurve } from "./curve-math";
import { verifyLineageCurves } from "./curve-verify";
import { budgetedWorld, storedMismatches } from "./lineage-curve.fixture";

describe("audit:verify's curve check", () => {
  it("passes on an untouched ledger and reports a tampered curve or contribution, naming the lineage", async () => {
    const w = await budgetedWorld("tampered");
    const { db } = w.world;
    const runId = await w.launch(300);
    await w.launch(100, 1.5);
    expect(await verifyLineageCurves(db)).toEqual({ ok: true, lineages: 1, notYetStored: 0, mismatches: [] });
    expect(ledgerOk(await verifyLedger(db))).toBe(true);

    const [row] = await db.select().from(lineageCurves).where(eq(lineageCurves.datasetId, w.datasetId));
    const reserved = decodeCurve(row!.reserved);
    reserved.sum[40] = reserved.sum[40]! * (1 - 1e-6);
    await transaction(db, async (tx) => void (await tx.update(lineageCurves).set({ reserved: encodeCurve(reserved) }).where(eq(lineageCurves.datasetId, w.datasetId))));
    const report = await verifyLineageCurves(db);
    expect(report).toMatchObject({ ok: false, mismatches: [{ datasetId: w.datasetId, curve: "reserved", order: expect.any(Number) }] });
    const lines = ledgerReportLines(await verifyLedger(db));
    expect(lines[0]).toMatch(/^audit log OK/);
    expect(lines[1]).toContain(`lineage curve DIFFERS on dataset ${w.datasetId}: the reserved curve at order`);

    // Put back; then a contribution that says the run counts fewer steps than it does: the curve read is wrong.
    await transaction(db, async (tx) => void (await tx.update(lineageCurves).set({ reserved: row!.reserved }).where(eq(lineageCurves.datasetId, w.datasetId))));
    expect((await verifyLineageCurves(db)).ok).toBe(true);
    await transaction(db, async (tx) => void (await tx.update(ledgerRunContributions).set({ reservedSteps: 5 }).where(eq(ledgerRunContributions.runId, runId))));
    expect(await verifyLineageCurves(db)).toMatchObject({ ok: false, mismatches: [{ datasetId: w.datasetId, curve: "reserved" }] });
  });

  it("makes `npm run audit:verify` exit 1 naming the lineage, with the curves' report under `curves` in --json", async () => {
    const w = await budgetedWorld("cli");
    const { db } = w.world;
    await w.launch(100);
    const cli = (...args: string[]) =>
      spawnSync("node", ["--import", "tsx", "server/audit/verify-cli.ts", ...args], {
        cwd: path.resolve(import.meta.dirname, "../.."),
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, DATABASE_URL: "", DATABASE_PATH: "", ...targetEnv(w.target) },
      });
    expect(cli().status).toBe(0);
    await transaction(db, async (tx) => void (await tx.update(lineageCurves).set({ charged: encodeCurve({ ...decodeCurve((await tx.select().from(lineageCurves))[0]!.charged), sum: new Array(156).fill(1) }) })));
    const text = cli();
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`lineage curve DIFFERS on dataset ${w.datasetId}: the charged curve`);
    const json = JSON.parse(cli("--json").stdout) as { ok: boolean; curves: { ok: boolean; mismatches: { datasetId: string }[] } };
    expect(json).toMatchObject({ ok: true, curves: { ok: false, mismatches: [{ datasetId: w.datasetId }] } });
  }, 120_000);
});

describe("concurrent charges", () => {
  it("of two runs of one lineage are all counted on its curves", async () => {
    const w = await budgetedWorld("concurrent");
    const { db } = w.world;
    const ids = [await w.launch(400), await w.launch(400, 1.5)];
    await transaction(db, async (tx) => void (await tx.update(runs).set({ status: "running", runnerId: "r" })));
    await storedMismatches(db, w.datasetId); // the curves exist before the race
    await Promise.all(ids.flatMap((id) => Array.from({ length: 25 }, (_, i) => chargeThrough(db, id, 10 * (i + 1)))));
    const charged = (await db.select({ steps: runs.chargedSteps }).from(runs)).map((r) => r.steps);
    expect(charged).toEqual([250, 250]);
    expect(await storedMismatches(db, w.datasetId)).toEqual([]);
  });
});
