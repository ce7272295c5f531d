// PostgreSQL only: with a ledger thread, launch admissions, cancels and resumes run on that thread's own connections
// (none of their statements leaves this thread's), and answer as they do here: exactly the launches that fit are
// admitted, the others refused with the budget's message and code, a cancel gives its room back, a refusal of a
// cancel keeps its code, an interrupted run is queued again, and the audit chain verifies.
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { closeDatabase, transaction } from "../../db/client";
import { runs } from "../../db/schema";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { AppError } from "../errors";
import { ingestedVersion, registerTestBaseModel, runRequest, testWorld } from "../testing";
import { recordSentStatements } from "../../db/sent-statements.fixture";
import { startLedgerThread } from "./ledger-thread";
import { finish } from "./run-outcome";
import { cancelRun, launchRun, resumeRun } from "./service";

const rdp = createAccountant("rdp");
/** What this thread's connections sent while `work` ran (the test's own changes are made outside it). */
const sentHere: string[] = [];
async function recorded<T>(work: () => Promise<T>): Promise<T> {
  const recording = recordSentStatements();
  try {
    return await work();
  } finally {
    recording.stop();
    sentHere.push(...recording.sent);
  }
}

it("admits, cancels and resumes on the ledger thread, as it would here", async () => {
  const world = await testWorld();
  const { engineer, privacy_officer: officer } = world.users;
  const version = await registerUpload(world.db, engineer, actorOf(engineer), { name: "thread" }, ingestedVersion());
  const base = await registerTestBaseModel(world.db, "thread-base");
  const composedOf = (k: number) => rdp.epsilon({ type: "composed", events: Array.from({ length: k }, () => dpSgdEvent(0.01, 1, 500)) }, 1e-5);
  const limit = (composedOf(3) + composedOf(4)) / 2; // room for three runs, not four
  await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon: limit, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const request = runRequest(version.id, base.id, { length: { by: "steps", steps: 500 } });

  startLedgerThread(world.db, 3);
  const outcomes = await recorded(() => Promise.allSettled(Array.from({ length: 6 }, () => launchRun(world.db, engineer, actorOf(engineer), request))));
  const admitted = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.runId] : []));
  const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
  expect(admitted).toHaveLength(3);
  expect(refused).toHaveLength(3);
  for (const r of refused) {
    expect(r).toBeInstanceOf(AppError);
    expect((r as AppError).code).toBe("CONFLICT");
    expect((r as AppError).message).toMatch(/would exceed the budget/);
  }

  const cancel = (runId: string) => recorded(() => cancelRun(world.db, engineer, actorOf(engineer), { runId }));
  expect(await cancel(admitted[0]!)).toMatchObject({ id: admitted[0], status: "cancelled" });
  await expect(cancel(admitted[0]!)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/cancelled/) });
  await expect(cancel("00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "NOT_FOUND" });
  // An interrupted run, resumed: queued again, its reservation made on the thread.
  await transaction(world.db, async (tx) => void (await tx.update(runs).set({ status: "running", runnerId: "r" }).where(eq(runs.id, admitted[1]!))));
  await finish(world.db, admitted[1]!, "interrupted", "stopped by the test");
  expect(await recorded(() => resumeRun(world.db, engineer, actorOf(engineer), { runId: admitted[1]! }))).toMatchObject({ id: admitted[1], status: "queued" });
  // The room the cancel gave back is there for the next launch.
  await recorded(() => launchRun(world.db, engineer, actorOf(engineer), request));

  // This thread's connections sent the launches' checks, never a lock or a write of an admission, cancel or resume.
  expect(sentHere.some((text) => /^select/i.test(text))).toBe(true);
  expect(sentHere.filter((text) => /insert into "runs"|update "runs"|ledger_append_audit|FOR UPDATE/i.test(text))).toEqual([]);

  const spend = await lineageSpend(world.db, version.datasetId, 1e-5);
  const statuses = (await world.db.select({ status: runs.status }).from(runs).where(eq(runs.datasetId, version.datasetId))).map((r) => r.status);
  expect(statuses.sort()).toEqual(["cancelled", "queued", "queued", "queued"]);
  expect(spend.epsilon).toBeLessThanOrEqual(limit);
  expect((await verifyChain(world.db)).ok).toBe(true);
  await closeDatabase(world.db); // stops the thread too
}, 60_000);
