// Incidents: opening with links, the blast radius through dataset and model lineage, containment (withdrawing a
// version, freezing a budget so that no run may start), the status flow, and an audit entry for every change.
import { TRPCError } from "@trpc/server";
import { beforeEach, describe, expect, it } from "vitest";
import { actorOf } from "../actor";
import { SYSTEM_ACTOR, listAudit, verifyChain } from "../audit/service";
import { registerUpload } from "../datasets/service";
import { registerModelVersion } from "../models/service";
import { callerAs, ingestedVersion, runRequest, snapshot, testWorld, type TestWorld } from "../testing";

let world: TestWorld;
let datasetId: string;
let datasetVersionId: string;
const models: Record<string, string> = {};

async function model(name: string, parent: string | null, dv: string | null) {
  models[name] = (await registerModelVersion(world.db, SYSTEM_ACTOR, {
    familyName: name,
    kind: parent ? "fine_tuned" : "base",
    parentVersionId: parent ? models[parent]! : null,
    datasetVersionId: dv,
    runId: null,
    weightsPath: `models/${name}`,
    weightsDigest: "d".repeat(64),
    config: {},
    provenance: {},
    metrics: {},
  })).id;
}

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const v = await registerUpload(world.db, engineer, actorOf(engineer), { name: "notes" }, ingestedVersion());
  datasetId = v.datasetId;
  datasetVersionId = v.id;
  const other = await registerUpload(world.db, engineer, actorOf(engineer), { name: "other" }, ingestedVersion());
  await model("base", null, null);
  await model("tuned", "base", datasetVersionId);
  await model("tuned-again", "tuned", null);
  await model("unrelated", "base", other.id);
  await callerAs(world.db, world.users.privacy_officer).budgets.set({ datasetId, epsilon: 5, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
});

const officer = () => callerAs(world.db, world.users.privacy_officer);

describe("incidents", () => {
  it("shows every model version derived from an affected dataset, through the lineage", async () => {
    const id = await officer().incidents.open({ title: "Notes leaked PII", severity: "critical", links: [{ entityType: "dataset", entityId: datasetId }] });
    const detail = await callerAs(world.db, world.users.auditor).incidents.get({ incidentId: id });
    expect(detail.blastRadius.datasetVersionIds).toEqual([datasetVersionId]);
    expect(Object.fromEntries(detail.blastRadius.modelVersions.map((m) => [m.family, m.why]))).toEqual({
      tuned: "trained on affected data",
      "tuned-again": "derived from an affected version",
    });
  });

  it("contains: a withdrawn version stays withdrawn, a frozen budget admits no run", async () => {
    const id = await officer().incidents.open({ title: "Suspected memorisation", severity: "high", links: [{ entityType: "model_version", entityId: models.tuned! }] });
    await officer().incidents.withdrawModel({ incidentId: id, versionId: models.tuned!, reason: "exposure too high" });
    expect((await officer().models.get({ versionId: models.tuned! })).version.status).toBe("withdrawn");
    await officer().incidents.freezeBudget({ incidentId: id, datasetId, frozen: true, reason: "until reviewed" });
    const preview = await callerAs(world.db, world.users.engineer).runs.preview(runRequest(datasetVersionId, models.base!, { length: { by: "steps", steps: 10 } }));
    expect(preview.refusal).toBe("This dataset's budget is frozen by an incident; no run may start.");
    const detail = await officer().incidents.get({ incidentId: id });
    expect(detail.notes.map((n) => n.kind)).toEqual(["status", "action", "action"]);
    expect((await listAudit(world.db, { action: "incident." }, 1, 10)).entries.map((e) => e.action)).toEqual(["incident.freeze_budget", "incident.withdraw_model", "incident.open"]);
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("moves status forward only, with an owner who is a privacy officer", async () => {
    const id = await officer().incidents.open({ title: "Drift", severity: "low" });
    await officer().incidents.assign({ incidentId: id, ownerId: world.users.privacy_officer.id });
    const before = await snapshot(world.db);
    const refused = await officer()
      .incidents.setStatus({ incidentId: id, status: "review_done", note: "skip ahead" })
      .catch((e: TRPCError) => e.code);
    expect(refused).toBe("CONFLICT");
    expect(await officer().incidents.assign({ incidentId: id, ownerId: world.users.engineer.id }).catch((e: TRPCError) => e.code)).toBe("BAD_REQUEST");
    expect(await snapshot(world.db)).toEqual(before);
    for (const status of ["contained", "resolved", "review_done"] as const) await officer().incidents.setStatus({ incidentId: id, status, note: `now ${status}` });
    expect((await officer().incidents.get({ incidentId: id })).incident.status).toBe("review_done");
  });

  it("names what an incident links, in the list and on its page, linked to the pages of each", async () => {
    const links = [
      { entityType: "dataset" as const, entityId: datasetId },
      { entityType: "model_version" as const, entityId: models.tuned! },
    ];
    const id = await officer().incidents.open({ title: "Named", severity: "medium", links });
    await officer().incidents.assign({ incidentId: id, ownerId: world.users.privacy_officer.id });
    const expected = [
      { entityType: "dataset", entityId: datasetId, name: { label: "notes", href: `/datasets/${datasetId}`, needs: "datasets.get", found: true } },
      { entityType: "model_version", entityId: models.tuned!, name: { label: "tuned v1", href: `/models/${models.tuned!}`, needs: "models.get", found: true } },
    ];
    const auditor = callerAs(world.db, world.users.auditor);
    const listed = (await auditor.incidents.list()).find((i) => i.id === id)!;
    expect(listed.links).toEqual(expect.arrayContaining(expected));
    const detail = await auditor.incidents.get({ incidentId: id });
    expect(detail.links).toEqual(expect.arrayContaining(expected));
    expect(detail.links).toHaveLength(2);
    expect(detail.owner).toEqual({ email: world.users.privacy_officer.email, name: "privacy_officer" });
  });

  it("refuses links to things that do not exist, and changes nothing", async () => {
    const before = await snapshot(world.db);
    const code = await officer()
      .incidents.open({ title: "Ghost", severity: "low", links: [{ entityType: "run", entityId: "00000000-0000-4000-8000-000000000000" }] })
      .catch((e: TRPCError) => e.code);
    expect(code).toBe("NOT_FOUND");
    expect(await snapshot(world.db)).toEqual(before);
  });
});
