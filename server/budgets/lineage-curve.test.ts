// The stored lineage curves: equal to the events' composition after every kind of change (a seeded random sequence of
// launches, starts, charges, steps in flight, ends, cancels, resumes and a count release), built from the events where
// a database has none yet, and read by the budget checks at a cost that does not grow with the number of runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { ledgerRunContributions, lineageCurves, runs } from "../../db/schema";
import { seededUniform } from "../../trainer/contract/seeded-random";
import { actorOf } from "../actor";
import { chargeStepInFlight, chargeThrough, finish } from "../runs/run-outcome";
import { cancelRun, resumeRun } from "../runs/service";
import { callerAs, runRequest } from "../testing";
import { releaseCounts } from "./count-release";
import { compareCurves } from "./curve-verify";
import { lineageEntries, lineageSpend } from "./ledger";
import { curveReads, lineageCurvesNow, lineageEpsilonsNow } from "./lineage-curve";
import { DELTA, budgetedWorld, storedMismatches } from "./lineage-curve.fixture";

const dataDir = mkdtempSync(path.join(tmpdir(), "ledger-curves-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("a lineage's stored curves", () => {
  it("equal the composition of its events after each of a random sequence of changes", async () => {
    const w = await budgetedWorld("random-ledger", 100);
    const { db, users } = w.world;
    const engineer = users.engineer;
    const random = seededUniform(17);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
    const ofStatus = async (...statuses: string[]) =>
      (await db.select().from(runs).where(eq(runs.datasetId, w.datasetId))).filter((r) => statuses.includes(r.status));
    const done = new Set<string>();
    await w.launch(100);
    let released = false;
    for (let i = 0; i < 60; i++) {
      const op = pick(["launch", "launch", "start", "charge", "charge", "inFlight", "end", "cancel", "resume", "release"] as const);
      if (op === "launch") await w.launch(1 + Math.floor(random() * 300), pick([0.8, 1, 1.5]), pick([0.01, 0.02])).catch(() => undefined); // over budget
      else if (op === "start") {
        const run = (await ofStatus("queued"))[0];
        if (run) await transaction(db, async (tx) => void (await tx.update(runs).set({ status: "running", runnerId: "r" }).where(eq(runs.id, run.id))));
      } else if (op === "charge" || op === "inFlight") {
        const run = (await ofStatus("running"))[0];
        if (run && op === "charge") await chargeThrough(db, run.id, run.chargedSteps + 1 + Math.floor(random() * 20));
        if (run && op === "inFlight") await transaction(db, (tx) => chargeStepInFlight(tx, run.id));
      } else if (op === "end") {
        const run = (await ofStatus("running"))[0];
        if (run) {
          await transaction(db, async (tx) => void (await tx.update(runs).set({ checkpointStep: Math.floor(run.chargedSteps / 2) }).where(eq(runs.id, run.id))));
          await finish(db, run.id, pick(["finished", "failed", "interrupted", "interrupted"] as const), "ended by the test");
        }
      } else if (op === "cancel") {
        const run = (await ofStatus("queued"))[0];
        if (run) await cancelRun(db, engineer, actorOf(engineer), { runId: run.id });
      } else if (op === "resume") {
        const run = (await ofStatus("interrupted")).find((r) => !done.has(r.id));
        if (run) await resumeRun(db, engineer, actorOf(engineer), { runId: run.id }).catch(() => done.add(run.id));
      } else if (!released) {
        released = true;
        await releaseCounts(db, users.privacy_officer, actorOf(users.privacy_officer), { datasetVersionId: w.versionId, noiseMultiplier: 10 }, dataDir);
      }
      expect({ i, op, differs: await storedMismatches(db, w.datasetId) }).toEqual({ i, op, differs: [] });
    }
    const spend = await lineageSpend(db, w.datasetId, DELTA);
    const figures = await lineageEpsilonsNow(db, w.datasetId, DELTA);
    expect(Math.abs(figures.epsilon - spend.epsilon)).toBeLessThanOrEqual(1e-9 * spend.epsilon);
    expect(Math.abs(figures.chargedEpsilon - spend.chargedEpsilon)).toBeLessThanOrEqual(1e-9 * Math.max(spend.chargedEpsilon, 1e-12));
    expect(spend.runs.length).toBeGreaterThan(10);
    // The budget pages' figures, which read no row per run, are the events' composition and naive sum too.
    const shown = (await callerAs(db, users.auditor).budgets.status({ datasetId: w.datasetId })).spend!;
    expect(shown).toMatchObject({ delta: DELTA, accountant: spend.accountant });
    for (const key of ["epsilon", "chargedEpsilon", "naiveEpsilonSum"] as const) {
      expect({ key, off: Math.abs(shown[key] - spend[key]) <= 1e-9 * Math.max(spend[key], 1e-12) }).toEqual({ key, off: true });
    }
    expect(new Set((await db.select().from(runs).where(eq(runs.datasetId, w.datasetId))).map((r) => r.status)).size).toBeGreaterThan(3);
  });

  it("are built from the events where a database from before them has none, on the first read and the first charge", async () => {
    const w = await budgetedWorld("legacy");
    const { db } = w.world;
    const first1 = await w.launch(200);
    await w.launch(100, 1.5);
    await finish(db, first1, "failed", "ended by the test");
    // As the migration leaves an older database: its runs, and no curves.
    await transaction(db, async (tx) => {
      await tx.delete(ledgerRunContributions);
      await tx.delete(lineageCurves);
    });
    expect(await storedMismatches(db, w.datasetId)).toBe("no stored curve");
    const entries = await lineageEntries(db, w.datasetId);
    expect(compareCurves(w.datasetId, await lineageCurvesNow(db, w.datasetId), entries, DELTA)).toEqual([]);
    const preview = await callerAs(db, w.world.users.engineer).runs.preview(runRequest(w.versionId, w.baseId, { length: { by: "steps", steps: 50 } }));
    expect(preview.spentEpsilon).toBeCloseTo((await lineageSpend(db, w.datasetId, DELTA)).epsilon, 10);
    expect(await storedMismatches(db, w.datasetId)).toBe("no stored curve"); // reading writes nothing
    await w.launch(50);
    expect(await storedMismatches(db, w.datasetId)).toEqual([]);
  });

  it("catch up with a run changed without them (a direct write), when next read or locked", async () => {
    const w = await budgetedWorld("direct-write");
    const { db } = w.world;
    const runId = await w.launch(500);
    await transaction(db, async (tx) => void (await tx.update(runs).set({ status: "finished", chargedSteps: 120 }).where(eq(runs.id, runId))));
    const entries = await lineageEntries(db, w.datasetId);
    expect(compareCurves(w.datasetId, await lineageCurvesNow(db, w.datasetId), entries, DELTA)).toEqual([]);
    await w.launch(10);
    expect(await storedMismatches(db, w.datasetId)).toEqual([]);
  });
});

describe("a budget check", () => {
  it("reads no more run rows (and composes no entries) with 41 runs on the lineage than with 2", async () => {
    const w = await budgetedWorld("cost", 100);
    const { db, users } = w.world;
    const engineer = callerAs(db, users.engineer);
    const request = runRequest(w.versionId, w.baseId, { length: { by: "steps", steps: 10 } });
    const checks = async () => {
      const reads: number[] = [];
      for (const check of [
        () => engineer.runs.preview(request),
        () => w.launch(10),
        () => lineageEpsilonsNow(db, w.datasetId, DELTA),
        () => callerAs(db, users.privacy_officer).home.todo(),
      ]) {
        curveReads.runRows = 0;
        await check();
        reads.push(curveReads.runRows);
      }
      return reads;
    };
    await w.launch(10);
    const withOne = await checks();
    for (let i = 0; i < 39; i++) await w.launch(10);
    expect((await db.select({ id: runs.id }).from(runs).where(eq(runs.datasetId, w.datasetId))).length).toBe(41);
    const withForty = await checks();
    expect(withForty).toEqual(withOne);
    // None reads a run row: the launch counts the run it adds from what it inserts.
    expect(withOne).toEqual([0, 0, 0, 0]);
  });
});
