// Launches at the same moment from separate processes against one database (a SQLite file, or PostgreSQL): the
// budget check and the reservation share a transaction that holds the budget's row (an immediate transaction on
// SQLite, a row lock on PostgreSQL), so exactly as many runs start as fit, and the budget is not overspent.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR, verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { ingestedVersion, registerTestBaseModel, runRequest } from "../testing";
import { createUser } from "../users/service";
import { sharedTestDatabase } from "../testing-shared-db";

const run = promisify(execFile);
const rdp = createAccountant("rdp");

it("lets exactly as many concurrent launches through as the budget holds", async () => {
  const { db, env } = await sharedTestDatabase();
  const engineer = await createUser(db, SYSTEM_ACTOR, { email: "e@race.example", name: "E", role: "engineer", password: "a long enough secret" });
  const officer = await createUser(db, SYSTEM_ACTOR, { email: "o@race.example", name: "O", role: "privacy_officer", password: "a long enough secret" });
  const version = await registerUpload(db, { ...engineer, role: "engineer" }, actorOf({ ...engineer, role: "engineer" }), { name: "race" }, ingestedVersion());
  const base = await registerTestBaseModel(db, "race-base");
  const composedOf = (k: number) => rdp.epsilon({ type: "composed", events: Array.from({ length: k }, () => dpSgdEvent(0.01, 1, 500)) }, 1e-5);
  // Room for three runs, not four.
  const limit = (composedOf(3) + composedOf(4)) / 2;
  await setBudget(db, actorOf({ ...officer, role: "privacy_officer" }), { datasetId: version.datasetId, epsilon: limit, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const request = runRequest(version.id, base.id, { length: { by: "steps", steps: 500 } });

  const startAt = String(Date.now() + 4000);
  const fixture = path.join(import.meta.dirname, "launch-race.fixture.ts");
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, () =>
      run(process.execPath, ["--import", "tsx", fixture, engineer.id, JSON.stringify(request), startAt], { env: { ...process.env, ...env } }).then((r) => r.stdout.trim()),
    ),
  );
  expect(outcomes.filter((o) => o === "launched")).toHaveLength(3);
  expect(outcomes.filter((o) => o.startsWith("refused: This run would exceed the budget"))).toHaveLength(5);
  const spend = await lineageSpend(db, version.datasetId, 1e-5);
  expect(spend.runs).toHaveLength(3);
  expect(spend.epsilon).toBeLessThanOrEqual(limit);
  expect((await verifyChain(db)).ok).toBe(true);
}, 60_000);
