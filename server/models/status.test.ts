// Status changes keep a withdrawal with the version (when, why; the incident when one caused it), and other pages get
// versions by name ("family vN"); a version says what it is (its architecture).
import { beforeEach, expect, it } from "vitest";
import { callerAs, registerTestBaseModel, testWorld, type TestWorld } from "../testing";
import { versionNames } from "./service";

let world: TestWorld;
let baseId: string;

beforeEach(async () => {
  world = await testWorld();
  await registerTestBaseModel(world.db, "tiny");
  baseId = (await registerTestBaseModel(world.db, "tiny")).id;
});

it("keeps the reason of a withdrawal by hand, and its time; a version not withdrawn has none", async () => {
  const officer = callerAs(world.db, world.users.privacy_officer);
  expect((await officer.models.get({ versionId: baseId })).withdrawal).toBeNull();
  await officer.models.setStatus({ versionId: baseId, status: "withdrawn", reason: "  superseded by v3  " });
  const { version, withdrawal, family } = await officer.models.get({ versionId: baseId });
  expect(version.status).toBe("withdrawn");
  expect(family).toBe("tiny");
  expect(withdrawal).toMatchObject({ reason: "superseded by v3", incidentId: null });
  expect(Date.parse(withdrawal!.at)).toBeGreaterThan(Date.now() - 60_000);
});

it("keeps the incident that withdrew a version", async () => {
  const officer = callerAs(world.db, world.users.privacy_officer);
  const incidentId = await officer.incidents.open({ title: "Leak", severity: "critical", links: [] });
  await officer.incidents.withdrawModel({ incidentId, versionId: baseId, reason: "memorised records" });
  expect((await officer.models.get({ versionId: baseId })).withdrawal).toMatchObject({ reason: "memorised records", incidentId });
});

it("names versions by family and number", async () => {
  const names = await versionNames(world.db, [baseId, baseId, "5a1c7e52-0000-4000-8000-00000000dead"]);
  expect([...names]).toEqual([[baseId, "tiny v2"]]);
  expect((await versionNames(world.db, [])).size).toBe(0);
});

it("says what a version is from its config: architecture, size, tokenizer, activation", async () => {
  const { architecture } = await callerAs(world.db, world.users.auditor).models.get({ versionId: baseId });
  // The test base model's config is empty: the defaults, i.e. the shipped byte-level base model's shape.
  expect(architecture).toEqual({ architecture: "gpt", layers: 4, width: 128, heads: 4, context: 64, vocabulary: 257, tokenizer: "bytes", activation: "gelu_new", parameters: 867_328 });
});
