// Budget requests on a real database: engineers ask for more or for a first budget, officers decide with a reason
// (a first budget is set from the request with every check of setting one), and the requester is told in the inbox.
import { eq } from "drizzle-orm";
import { first } from "../../db/client";
import { beforeEach, describe, expect, it } from "vitest";
import { budgets, notifications } from "../../db/schema";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, refusal, snapshot, testWorld, type TestWorld } from "../testing";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const officer = () => callerAs(world.db, world.users.privacy_officer);
const engineer = () => callerAs(world.db, world.users.engineer);
const FIRST = { delta: 1e-5, privacyUnit: "subject" as const, renewsOn: "2099-01-01" };

function upload(name = "notes", subjectField: string | null = "patient") {
  const user = world.users.engineer;
  return registerUpload(world.db, user, actorOf(user), { name }, ingestedVersion({ subjectField }));
}
const storedBudget = (datasetId: string) => first(world.db.select().from(budgets).where(eq(budgets.datasetId, datasetId)));
const inboxOf = async (userId: string) => await world.db.select().from(notifications).where(eq(notifications.userId, userId));

describe("a first budget", () => {
  it("is asked for by an engineer on a dataset without one, and set from the request when the officer approves", async () => {
    const { datasetId } = await upload();
    const request = await engineer().budgets.request({ datasetId, epsilon: 4, reason: "first fine-tune of the triage bot" });
    expect(request).toMatchObject({ status: "pending", epsilon: 4, requesterEmail: world.users.engineer.email });
    expect(await storedBudget(datasetId)).toBeUndefined();

    const decided = await officer().budgets.decide({ requestId: request.id, approve: true, reason: "within the DPIA", budget: FIRST });
    expect(decided).toMatchObject({ status: "approved", decisionReason: "within the DPIA" });
    expect(await storedBudget(datasetId)).toMatchObject({ epsilon: 4, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01", recordsPerPersonBound: 1 });
    expect(await inboxOf(world.users.engineer.id)).toEqual([
      expect.objectContaining({ kind: "budget_request_approved", text: "Your request for a first budget (ε = 4) on notes was approved: within the DPIA", href: `/budgets#budget-${datasetId}`, readAt: null }),
    ]);
  });

  it("cannot be approved without its delta, unit and renewal date, nor against the budget's rules; nothing changes", async () => {
    const { datasetId } = await upload("plain", null);
    const request = await engineer().budgets.request({ datasetId, epsilon: 4, reason: "first fine-tune" });
    const before = await snapshot(world.db);
    const missing = await refusal(officer().budgets.decide({ requestId: request.id, approve: true, reason: "fine by me" }));
    expect(missing).toEqual({ code: "BAD_REQUEST", message: "This is the dataset's first budget: give its delta, privacy unit and renewal date." });
    // A subject-level budget on data without a subject field is refused as when setting one by hand.
    const noSubjects = await refusal(officer().budgets.decide({ requestId: request.id, approve: true, reason: "fine by me", budget: FIRST }));
    expect(noSubjects.code).toBe("BAD_REQUEST");
    expect(noSubjects.message).toMatch(/no subject field/);
    expect(await snapshot(world.db)).toEqual(before);
    // Refusing needs no budget settings, and tells the engineer.
    await officer().budgets.decide({ requestId: request.id, approve: false, reason: "minimise it first" });
    expect(await storedBudget(datasetId)).toBeUndefined();
    expect((await inboxOf(world.users.engineer.id)).map((n) => [n.kind, n.text])).toEqual([
      ["budget_request_refused", "Your request for a first budget (ε = 4) on plain was refused: minimise it first"],
    ]);
  });
});

describe("more budget", () => {
  it("raises the limit when approved; budget settings are refused once a budget exists", async () => {
    const { datasetId } = await upload();
    await officer().budgets.set({ datasetId, epsilon: 2, ...FIRST });
    expect((await refusal(engineer().budgets.request({ datasetId, epsilon: 2, reason: "same again" }))).code).toBe("BAD_REQUEST");
    const request = await engineer().budgets.request({ datasetId, epsilon: 5, reason: "second fine-tune" });
    const before = await snapshot(world.db);
    const withSettings = await refusal(officer().budgets.decide({ requestId: request.id, approve: true, reason: "fine by me", budget: { ...FIRST, delta: 1e-6 } }));
    expect(withSettings).toEqual({ code: "BAD_REQUEST", message: "This dataset already has a budget: approving sets only its new limit." });
    expect(await snapshot(world.db)).toEqual(before);
    await officer().budgets.decide({ requestId: request.id, approve: true, reason: "justified" });
    expect(await storedBudget(datasetId)).toMatchObject({ epsilon: 5, delta: 1e-5 });
    expect((await inboxOf(world.users.engineer.id))[0]!.text).toBe("Your request for more budget (ε = 5) on notes was approved: justified");
    expect((await refusal(officer().budgets.decide({ requestId: request.id, approve: false, reason: "changed my mind" }))).code).toBe("CONFLICT");
  });
});
