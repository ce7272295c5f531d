// The inbox on a real database: notifications are written with the change that causes them (a run ending, an
// incident assigned), each user reads and marks only their own, and marking is audited.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { auditLog, notifications } from "../../db/schema";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR } from "../audit/service";
import { registerUpload } from "../datasets/service";
import { createUser } from "../users/service";
import { finish } from "../runs/run-outcome";
import { callerAs, ingestedVersion, refusal, registerTestBaseModel, runRequest, snapshot, testWorld, type TestWorld } from "../testing";
import { notify } from "./service";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const as = (role: keyof TestWorld["users"]) => callerAs(world.db, world.users[role]);

async function launchedRun(name: string) {
  const user = world.users.engineer;
  const version = await registerUpload(world.db, user, actorOf(user), { name }, ingestedVersion({ recordCount: 100_000, subjectCount: 100_000 }));
  await as("privacy_officer").budgets.set({ datasetId: version.datasetId, epsilon: 50, delta: 1e-6, privacyUnit: "record", renewsOn: "2099-01-01" });
  return as("engineer").runs.launch(runRequest(version.id, (await registerTestBaseModel(world.db, `base-${name}`)).id));
}

describe("what people are told", () => {
  it("tells the launcher when their run finishes or fails, in words, with a link to the run", async () => {
    const runId = await launchedRun("notes");
    // An interruption (resumable) is no news for the inbox; the failure is.
    await finish(world.db, runId, "interrupted", "the runner stopped");
    expect((await as("engineer").notifications.list()).items).toEqual([]);
    await finish(world.db, runId, "failed", "the trainer ran out of memory");
    const { items, unread } = await as("engineer").notifications.list();
    expect(unread).toBe(1);
    expect(items).toEqual([
      expect.objectContaining({ kind: "run_failed", text: `Your run ${runId.slice(0, 8)} on notes failed: the trainer ran out of memory`, href: `/runs/${runId}`, readAt: null }),
    ]);
    const finished = await launchedRun("tickets");
    await finish(world.db, finished, "finished", "done");
    expect((await as("engineer").notifications.list()).items[0]).toMatchObject({ kind: "run_finished", text: `Your run ${finished.slice(0, 8)} on tickets finished.` });
    expect(await as("auditor").notifications.unreadCount()).toEqual({ unread: 0 });
  });

  it("tells a privacy officer who is given an incident, not one who takes it themselves", async () => {
    const second = await createUser(world.db, SYSTEM_ACTOR, { email: "po2@test.example", name: "PO 2", role: "privacy_officer", password: "a long enough secret" });
    const officer = as("privacy_officer");
    const incidentId = (await officer.incidents.open({ title: "Canary exposed", severity: "high" })) as string;
    await officer.incidents.assign({ incidentId, ownerId: world.users.privacy_officer.id });
    expect((await officer.notifications.list()).items).toEqual([]);
    await officer.incidents.assign({ incidentId, ownerId: second.id });
    const theirs = await callerAs(world.db, { id: second.id, email: second.email, name: second.name, role: second.role }).notifications.list();
    expect(theirs.items.map((n) => [n.kind, n.text, n.href])).toEqual([["incident_assigned", 'You now own the high incident "Canary exposed".', `/incidents/${incidentId}`]]);
  });
});

describe("each user's own inbox", () => {
  it("lists and marks only the user's own notifications; someone else's is NOT_FOUND and unchanged", async () => {
    const { engineer, auditor } = world.users;
    await transaction(world.db, async (tx) => {
      for (const text of ["one", "two"]) await notify(tx, { userId: engineer.id, kind: "run_finished", text, href: "/runs" });
      await notify(tx, { userId: auditor.id, kind: "incident_assigned", text: "not yours", href: "/incidents" });
    });
    const mine = await as("engineer").notifications.list();
    expect(mine.items.map((n) => n.text)).toEqual(["two", "one"]);
    expect(await as("engineer").notifications.unreadCount()).toEqual({ unread: 2 });

    const auditorsId = (await as("auditor").notifications.list()).items[0]!.id;
    const before = await snapshot(world.db);
    expect((await refusal(as("engineer").notifications.markRead({ id: auditorsId }))).code).toBe("NOT_FOUND");
    expect(await snapshot(world.db)).toEqual(before);

    expect(await as("engineer").notifications.markRead({ id: mine.items[1]!.id })).toEqual({ unread: 1 });
    expect(await as("engineer").notifications.markAllRead()).toEqual({ marked: 1, unread: 0 });
    expect((await as("engineer").notifications.list()).items.every((n) => n.readAt !== null)).toBe(true);
    expect(await as("auditor").notifications.unreadCount()).toEqual({ unread: 1 });
    const actions = (await world.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.actorEmail, engineer.email))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["notification.read", "notification.read_all"]));
    expect(await world.db.select().from(notifications)).toHaveLength(3);
  });
});
