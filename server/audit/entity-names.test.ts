// Entity names: each type named and linked for the reader's role, deleted or unknown entities fall back to the id,
// and a whole page of references costs one query per type, not one per row.
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { launchRun } from "../runs/service";
import { callerAs, finishedRunVersion, ingestedVersion, registerTestBaseModel, runRequest, testWorld, type TestWorld } from "../testing";
import { entityNames, nameOf, type EntityRef } from "./entity-names";

let world: TestWorld;
let refs: Record<string, EntityRef>;
let syntheticDatasetId: string;

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const v = await registerUpload(world.db, engineer, actorOf(engineer), { name: "notes" }, ingestedVersion());
  const model = await registerTestBaseModel(world.db, "support-gpt");
  const officer = world.users.privacy_officer;
  const incidentId = await callerAs(world.db, officer).incidents.open({ title: "Leaked phone numbers", severity: "high", links: [] });
  await callerAs(world.db, officer).budgets.set({ datasetId: v.datasetId, epsilon: 5, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  const { runId } = await launchRun(world.db, engineer, actorOf(engineer), runRequest(v.id, model.id, { length: { by: "steps", steps: 10 } }));
  const tuned = await finishedRunVersion(world);
  const exerciseId = await callerAs(world.db, officer).redTeam.run({
    versionId: tuned.versionId,
    request: { attack_sets: ["divergence"], prompts: [], max_tokens: 8, decoding: { kind: "greedy" } },
  });
  const { partyId } = await callerAs(world.db, world.users.admin).federation.registerParty({ name: "St. Mary's" });
  await callerAs(world.db, officer).models.setStatus({ versionId: tuned.versionId, status: "approved" });
  const synthetic = await callerAs(world.db, engineer).synthetic.request({
    versionId: tuned.versionId,
    request: { dataset_name: "synthetic notes", records: 4, template: "Note:", prompts: [], labels: [], label_field: "label", max_tokens: 8, decoding: { kind: "sample", temperature: 1, top_k: null, top_p: null } },
  });
  syntheticDatasetId = synthetic.datasetId;
  refs = {
    party: { entityType: "federation_party", entityId: partyId },
    syntheticJob: { entityType: "synthetic_job", entityId: synthetic.jobId },
    dataset: { entityType: "dataset", entityId: v.datasetId },
    version: { entityType: "dataset_version", entityId: v.id },
    model: { entityType: "model_version", entityId: model.id },
    incident: { entityType: "incident", entityId: incidentId },
    user: { entityType: "user", entityId: officer.id },
    run: { entityType: "run", entityId: runId },
    exercise: { entityType: "red_team_exercise", entityId: exerciseId },
    tunedModel: { entityType: "model_version", entityId: tuned.versionId },
    gone: { entityType: "dataset", entityId: randomUUID() },
    thing: { entityType: "thing", entityId: "t1" },
  };
});

describe("entity names", () => {
  it("names each entity type, with its page and the procedure that page reads", async () => {
    const names = await entityNames(world.db, Object.values(refs));
    const name = (ref: EntityRef) => nameOf(names, ref);
    expect(name(refs.dataset!)).toEqual({ label: "notes", href: `/datasets/${refs.dataset!.entityId}`, needs: "datasets.get", found: true });
    expect(name(refs.version!)).toEqual({ label: "notes v1", href: `/datasets/${refs.dataset!.entityId}`, needs: "datasets.get", found: true });
    expect(name(refs.model!)).toEqual({ label: "support-gpt v1", href: `/models/${refs.model!.entityId}`, needs: "models.get", found: true });
    expect(name(refs.incident!)).toEqual({ label: "Leaked phone numbers", href: `/incidents/${refs.incident!.entityId}`, needs: "incidents.get", found: true });
    expect(name(refs.user!)).toEqual({ label: "privacy_officer", href: "/admin", needs: "users.list", found: true });
    expect(name(refs.run!)).toEqual({ label: `run ${refs.run!.entityId.slice(0, 8)} on notes v1`, href: `/runs/${refs.run!.entityId}`, needs: "runs.get", found: true });
    expect(name(refs.party!)).toEqual({ label: "party St. Mary's", href: "/federation", needs: "federation.parties", found: true });
    expect(name(refs.syntheticJob!)).toEqual({ label: "synthetic data synthetic notes", href: `/datasets/${syntheticDatasetId}`, needs: "synthetic.ofDataset", found: true });
    expect(name(refs.exercise!)).toEqual({
      label: `red-team exercise on ${name(refs.tunedModel!).label}`,
      href: `/models/${refs.tunedModel!.entityId}/red-team`,
      needs: "redTeam.list",
      found: true,
    });
  });

  it("names as `needs` only procedures that exist, so that `can` answers for each", async () => {
    const runId = "00000000-0000-4000-8000-000000000000";
    const budgetRequest = { entityType: "budget_request", entityId: runId };
    const names = await entityNames(world.db, [...Object.values(refs), { entityType: "run", entityId: runId }, budgetRequest]);
    const can = await callerAs(world.db, world.users.auditor).session.can();
    for (const needs of ["datasets.get", "models.get", "runs.get", "incidents.get", "users.list", "budgets.overview"]) expect(can).toHaveProperty([needs]);
    for (const name of names.values()) if (name.needs) expect(can).toHaveProperty([name.needs]);
  });

  it("falls back to the id, unlinked, for an entity that does not exist and for a type without names", async () => {
    const names = await entityNames(world.db, [refs.gone!, refs.thing!]);
    expect(nameOf(names, refs.gone!)).toEqual({ label: refs.gone!.entityId, href: null, needs: null, found: false });
    expect(nameOf(names, refs.thing!)).toEqual({ label: "t1", href: null, needs: null, found: false });
  });

  it("resolves many references with one query per entity type", async () => {
    const many = [...Array.from({ length: 60 }, () => refs.dataset!), ...Array.from({ length: 60 }, () => refs.model!), refs.version!, refs.gone!];
    // The database handle with its query builders counted: each query starts with one select().
    let queries = 0;
    const counted = new Proxy(world.db, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (key !== "select" || typeof value !== "function") return value;
        return (...args: unknown[]) => (queries++, Reflect.apply(value, target, args));
      },
    }) as Db;
    const names = await entityNames(counted, many);
    expect(queries).toBe(3);
    expect(nameOf(names, refs.model!).found).toBe(true);
  });
});
