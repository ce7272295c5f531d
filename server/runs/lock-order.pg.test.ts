// PostgreSQL only: an admission takes its locks in one round trip, in the order every transaction takes them (the
// budget's, the lineage curves', the version's, then the audit chain's), so that it cannot deadlock with a cancel,
// which takes the curves' and then the chain's.
import { afterEach, expect, it } from "vitest";
import { transaction } from "../../db/client";
import { actorOf } from "../actor";
import { setBudget } from "../budgets/service";
import { registerUpload } from "../datasets/service";
import { ingestedVersion, testWorld } from "../testing";
import { recordSentStatements } from "../../db/sent-statements.fixture";
import { lockedLineageAndChain } from "./launch-projection";

let recording: ReturnType<typeof recordSentStatements> | undefined;
afterEach(() => recording?.stop());

it("sends an admission's locks in the order budget, curves, version, audit chain", async () => {
  const world = await testWorld();
  const { engineer, privacy_officer: officer } = world.users;
  const version = await registerUpload(world.db, engineer, actorOf(engineer), { name: "locks" }, ingestedVersion());
  await setBudget(world.db, actorOf(officer), { datasetId: version.datasetId, epsilon: 8, delta: 1e-5, privacyUnit: "record", renewsOn: "2099-01-01" });
  recording = recordSentStatements();
  const { sent } = recording;
  const { head } = await transaction(world.db, (tx) => lockedLineageAndChain(tx, version, true));
  const locks = sent.flatMap((text) => {
    if (text.includes("ledger_audit_head()")) return ["audit chain"];
    const row = /^SELECT \* FROM "(\w+)" .* FOR UPDATE$/.exec(text);
    return row ? [row[1]!] : [];
  });
  // (The lineage's first curve row is created, then locked again: its second lock is left out.)
  expect([...new Set(locks)]).toEqual(["budgets", "lineage_curves", "dataset_versions", "audit chain"]);
  expect(head.seq).toBeGreaterThan(0);
});
