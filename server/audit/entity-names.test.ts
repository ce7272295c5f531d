// Entity names: each type named and linked for the reader's role, deleted or unknown entities fall back to the id,
// and a whole page of references costs one query per type, not one per row.
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { actorOf } from "../actor";
import { registerUpload } from "../datasets/service";
import { callerAs, ingestedVersion, registerTestBaseModel, testWorld, type TestWorld } from "../testing";
import { entityNames, nameOf, type EntityRef } from "./entity-names";

let world: TestWorld;
let refs: Record<string, EntityRef>;

beforeEach(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  const v = registerUpload(world.db, engineer, actorOf(engineer), { name: "notes" }, ingestedVersion());
  const model = registerTestBaseModel(world.db, "support-gpt");
  const officer = world.users.privacy_officer;
  const incidentId = await callerAs(world.db, officer).incidents.open({ title: "Leaked phone numbers", severity: "high", links: [] });
  refs = {
    dataset: { entityType: "dataset", entityId: v.datasetId },
    version: { entityType: "dataset_version", entityId: v.id },
    model: { entityType: "model_version", entityId: model.id },
    incident: { entityType: "incident", entityId: incidentId },
    user: { entityType: "user", entityId: officer.id },
    gone: { entityType: "dataset", entityId: randomUUID() },
    thing: { entityType: "thing", entityId: "t1" },
  };
});

describe("entity names", () => {
  it("names and links each entity type for an auditor", () => {
    const names = entityNames(world.db, Object.values(refs), "auditor");
    const name = (ref: EntityRef) => nameOf(names, ref);
    expect(name(refs.dataset!)).toEqual({ label: "notes", href: `/datasets/${refs.dataset!.entityId}`, found: true });
    expect(name(refs.version!)).toEqual({ label: "notes v1", href: `/datasets/${refs.dataset!.entityId}`, found: true });
    expect(name(refs.model!)).toEqual({ label: "support-gpt v1", href: `/models/${refs.model!.entityId}`, found: true });
    expect(name(refs.incident!)).toEqual({ label: "Leaked phone numbers", href: `/incidents/${refs.incident!.entityId}`, found: true });
    // Auditors cannot open the Admin page: the user is named, not linked.
    expect(name(refs.user!)).toEqual({ label: "privacy_officer", href: null, found: true });
  });

  it("links only to the pages the reader's role may open", () => {
    const names = entityNames(world.db, Object.values(refs), "admin");
    expect(nameOf(names, refs.dataset!).href).toBe(`/datasets/${refs.dataset!.entityId}`);
    expect(nameOf(names, refs.model!)).toEqual({ label: "support-gpt v1", href: null, found: true });
    expect(nameOf(names, refs.user!).href).toBe("/admin");
  });

  it("falls back to the id, unlinked, for an entity that does not exist and for a type without names", () => {
    const names = entityNames(world.db, [refs.gone!, refs.thing!], "auditor");
    expect(nameOf(names, refs.gone!)).toEqual({ label: refs.gone!.entityId, href: null, found: false });
    expect(nameOf(names, refs.thing!)).toEqual({ label: "t1", href: null, found: false });
  });

  it("resolves many references with one query per entity type", () => {
    const many = [...Array.from({ length: 60 }, () => refs.dataset!), ...Array.from({ length: 60 }, () => refs.model!), refs.version!, refs.gone!];
    const client = world.db.$client;
    const prepare = client.prepare.bind(client);
    let queries = 0;
    client.prepare = ((sql: string) => (queries++, prepare(sql))) as typeof client.prepare;
    try {
      entityNames(world.db, many, "auditor");
    } finally {
      client.prepare = prepare;
    }
    expect(queries).toBe(3);
  });
});
