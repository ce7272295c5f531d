// Launches at the same moment from separate processes against one database file: the budget check and the
// reservation share an immediate transaction, so exactly as many runs start as fit, and the budget is not overspent.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { migrateDatabase } from "../../db/client";
import { openDatabase } from "../../db/open";
import { createAccountant, dpSgdEvent } from "../../trainer/privacy";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR, verifyChain } from "../audit/service";
import { lineageSpend } from "../budgets/ledger";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { ingestedVersion, registerTestBaseModel, runRequest } from "../testing";
import { createUser } from "../users/service";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "ledger-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rdp = createAccountant("rdp");

it("lets exactly as many concurrent launches through as the budget holds", async () => {
  const file = path.join(dir, "race.db");
  const db = openDatabase({ kind: "sqlite", file });
  await migrateDatabase(db);
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
      run(process.execPath, ["--import", "tsx", fixture, file, engineer.id, JSON.stringify(request), startAt]).then((r) => r.stdout.trim()),
    ),
  );
  expect(outcomes.filter((o) => o === "launched")).toHaveLength(3);
  expect(outcomes.filter((o) => o.startsWith("refused: This run would exceed the budget"))).toHaveLength(5);
  const spend = await lineageSpend(db, version.datasetId, 1e-5);
  expect(spend.runs).toHaveLength(3);
  expect(spend.epsilon).toBeLessThanOrEqual(limit);
  expect((await verifyChain(db)).ok).toBe(true);
}, 60_000);
