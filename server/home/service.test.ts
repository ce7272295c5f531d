// The home page's to-do list on a real database: each role gets its own list, with the work that waits for it.
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { leakageReports, signInThrottle } from "../../db/schema";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, registerTestBaseModel, registerTestFineTuned, runRequest, testWorld, type TestWorld } from "../testing";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const as = (role: keyof TestWorld["users"]) => callerAs(world.db, world.users[role]);
const RENEWS_ON = "2099-01-01";

/** Two datasets of the engineer: "notes" with a budget it has nearly spent and a run, "fresh" without a budget. */
async function aWorkingDay() {
  const user = world.users.engineer;
  const notes = await registerUpload(world.db, user, actorOf(user), { name: "notes" }, ingestedVersion({ recordCount: 100_000, subjectCount: 100_000 }));
  const fresh = await registerUpload(world.db, user, actorOf(user), { name: "fresh" }, ingestedVersion());
  const base = await registerTestBaseModel(world.db);
  const budget = { datasetId: notes.datasetId, delta: 1e-6, privacyUnit: "record" as const, renewsOn: RENEWS_ON };
  await as("privacy_officer").budgets.set({ ...budget, epsilon: 50 });
  const runId = await as("engineer").runs.launch(runRequest(notes.id, base.id));
  // The limit brought down to just above what the run reserved: the lineage is near it.
  const spent = (await as("privacy_officer").budgets.status({ datasetId: notes.datasetId })).spend!.epsilon;
  await as("privacy_officer").budgets.set({ ...budget, epsilon: spent * 1.1 });
  const request = await as("engineer").budgets.request({ datasetId: fresh.datasetId, epsilon: 3, reason: "first fine-tune" });
  const version = await registerTestFineTuned(world.db, { familyName: "base/notes", parentVersionId: base.id, datasetVersionId: notes.id, runId });
  await transaction(world.db, async (tx) => {
    await tx.insert(leakageReports).values({ id: crypto.randomUUID(), modelVersionId: version.id, kind: "drift_probe", status: "done", alert: true, computedAt: new Date().toISOString() });
  });
  await as("privacy_officer").incidents.open({ title: "Canary exposed", severity: "critical" });
  await as("privacy_officer").incidents.open({ title: "Odd probe", severity: "low" });
  return { notes, fresh, runId, request, version };
}

describe("home.todo", () => {
  it("gives a privacy officer the requests, versions to approve, open incidents by severity, lineages near their limit and drift alerts", async () => {
    const day = await aWorkingDay();
    const todo = await as("privacy_officer").home.todo();
    if (todo.role !== "privacy_officer") throw new Error(todo.role);
    expect(todo.requests).toEqual([
      expect.objectContaining({ id: day.request.id, datasetName: "fresh", requesterEmail: world.users.engineer.email, epsilon: 3, firstBudget: true, current: null }),
    ]);
    expect(todo.awaitingApproval).toEqual([expect.objectContaining({ id: day.version.id, label: "base/notes v1" })]);
    expect(todo.openIncidents.bySeverity).toEqual([
      { severity: "critical", count: 1 },
      { severity: "high", count: 0 },
      { severity: "medium", count: 0 },
      { severity: "low", count: 1 },
    ]);
    expect(todo.openIncidents.items.map((i) => i.title)).toEqual(["Canary exposed", "Odd probe"]);
    expect(todo.nearLimit).toEqual([expect.objectContaining({ datasetId: day.notes.datasetId, datasetName: "notes" })]);
    expect(todo.nearLimit[0]!.left).toBeGreaterThan(0);
    expect(todo.driftAlerts).toEqual([expect.objectContaining({ versionId: day.version.id, label: "base/notes v1", kind: "drift_probe" })]);
  });

  it("gives an engineer their runs, their requests with the answers, and the datasets they may train on", async () => {
    const day = await aWorkingDay();
    await as("privacy_officer").budgets.decide({ requestId: day.request.id, approve: false, reason: "minimise it first" });
    const todo = await as("engineer").home.todo();
    if (todo.role !== "engineer") throw new Error(todo.role);
    expect(todo.runs.active).toEqual([expect.objectContaining({ id: day.runId, datasetName: "notes", status: "queued" })]);
    expect(todo.runs.recent).toEqual([]);
    expect(todo.requests).toEqual([expect.objectContaining({ datasetName: "fresh", status: "refused", decisionReason: "minimise it first" })]);
    expect(todo.datasets.map((d) => [d.name, d.budget === null])).toEqual([
      ["fresh", true],
      ["notes", false],
    ]);
  });

  it("gives an auditor the chain's status, the versions to export and recent incidents", async () => {
    const day = await aWorkingDay();
    const todo = await as("auditor").home.todo();
    if (todo.role !== "auditor") throw new Error(todo.role);
    expect(todo.chain).toMatchObject({ ok: true });
    expect(todo.exportable).toEqual([expect.objectContaining({ id: day.version.id, status: "draft" })]);
    expect(todo.recentIncidents.map((i) => i.title).sort()).toEqual(["Canary exposed", "Odd probe"]);
  });

  it("gives an admin the users and the recent failed sign-ins", async () => {
    const now = Date.now();
    await transaction(world.db, (tx) => tx.insert(signInThrottle).values([
      { key: "account:mallory@test.example", failures: 7, lastFailureAt: now - 60_000, blockedUntil: now + 60_000 },
      { key: "ip:203.0.113.9", failures: 2, lastFailureAt: now - 2 * 86_400_000, blockedUntil: 0 },
    ]));
    const todo = await as("admin").home.todo();
    if (todo.role !== "admin") throw new Error(todo.role);
    expect(todo.users.map((u) => u.role).sort()).toEqual(["admin", "auditor", "engineer", "privacy_officer"]);
    expect(todo.signInFailures).toEqual([expect.objectContaining({ by: "account", who: "mallory@test.example", failures: 7 })]);
    expect(todo.signInFailures[0]!.blockedUntil).not.toBeNull();
  });
});
