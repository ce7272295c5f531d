// Federated rounds with real party processes (npm run party --model): three parties enrolled, each fine-tuning the
// tiny base model on its own records, take part in a DP-FedAvg round over secure aggregation through the mailbox;
// then one party is killed mid-round, and the round completes from the survivors or is abandoned cleanly. Each round
// is recorded and audited, its mail deleted; nothing the coordinator received holds a record. A party answering an
// update of the wrong shape is refused, logged and left out; the round applies from the others. A round whose
// recording fails (its charge, in a run) ends abandoned with the reason, nothing of it kept.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { federationMail, federationRounds } from "../../db/schema";
import { flattenByName } from "../../trainer/contract/federation/fedavg";
import { newEnrolmentKey, signMessage, type MailKind, type PartyMessage } from "../../trainer/contract/federation/messages";
import { AggregationParty, type AdvertisedKeys, type EncryptedShares } from "../../trainer/contract/federation/secure-aggregation";
import { readModelWeights } from "../../trainer/contract/model-files";
import { inputDigest, listAudit, verifyChain } from "../audit/service";
import { callerAs, killGroup, until, type TestWorld } from "../testing";
import { runRemoteRound } from "./remote-round";
import { acceptMessage, enrolParty } from "./service";
import { federatedTestWorld, type FederatedTestWorld } from "./testing";

let f: FederatedTestWorld;
let world: TestWorld;

beforeAll(async () => {
  const records = (name: string) => Array.from({ length: 12 }, (_, i) => ({ text: `${name} ward note ${i}: the patient is resting`, subject: `${name}${i}` }));
  f = await federatedTestWorld("rounds", { A: records("A"), B: records("B"), C: records("C") });
  world = f.world;
}, 120_000);
afterAll(() => f?.close());

const settings = (answerMs: number) => ({ samplingRate: 1, clipNorm: 5, noiseMultiplier: 0.1, training: { steps: 2, batchSize: 4, learningRate: 0.01 }, loraRank: null, personClip: null, answerMs });

describe("federated rounds with party processes", () => {
  it("applies a round from every party's masked update; then survives a party killed mid-round", async () => {
    const global = flattenByName(readModelWeights(path.join(f.dir, "models", "tiny")));
    const first_ = await runRemoteRound(world.db, global, settings(60_000));
    if (!first_.applied) throw new Error(`${first_.reason}; the parties said: ${f.parties.errors.join(" | ")}`);
    expect(first_.survivors).toEqual(Object.values(f.parties.ids).sort());
    expect(first_.weights).toHaveLength(global.length);
    expect(first_.weights.some((w, i) => w !== global[i])).toBe(true);

    // Kill C as soon as the second round asks it for its update.
    const second = runRemoteRound(world.db, first_.weights, settings(8_000));
    await until(async () => (await first(world.db.select().from(federationMail).where(eq(federationMail.kind, "round.update")))) !== undefined, "the second round's update", 60_000);
    killGroup(f.parties.processes.get("C")!);
    const outcome = await second;
    if (outcome.applied) {
      expect(outcome.survivors).toEqual(expect.arrayContaining([f.parties.ids.A, f.parties.ids.B]));
      expect(outcome.weights.some((w, i) => w !== first_.weights[i])).toBe(true);
    } else {
      expect(outcome.weights).toBe(first_.weights);
      expect(outcome.reason).toMatch(/at least \d+ must/);
    }
    const rounds = await world.db.select().from(federationRounds);
    expect(rounds.map((r) => r.status).sort()).toEqual(outcome.applied ? ["applied", "applied"] : ["abandoned", "applied"]);
    expect(await world.db.select().from(federationMail)).toEqual([]);
    for (const body of f.coordinator.received) expect(body).not.toContain("ward note");
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 180_000);

  it("refuses and logs an update of the wrong shape, and applies the round from the others", async () => {
    // Party D, in this process, follows the protocol but sends a vector of 3 words.
    const { partyId, token } = await callerAs(world.db, world.users.admin).federation.registerParty({ name: "D" });
    const key = newEnrolmentKey();
    await enrolParty(world.db, { token, public_key: key.publicKey, stated_units: 1 });
    let seq = 1;
    const signed = (type: PartyMessage["type"], body: PartyMessage["body"]) =>
      acceptMessage(world.db, signMessage({ party: partyId, seq: seq++, sent_at: new Date().toISOString(), type, body } as PartyMessage, key.privateKey));
    const answer = (session: string, kind: MailKind, body: Record<string, unknown>) => signed("send", { session, to: "coordinator", kind, body });
    let stop = false;
    let after = 0;
    let party: AggregationParty | null = null;
    const loop = (async () => {
      while (!stop) {
        for (const m of (await signed("poll", { after })).mail ?? []) {
          after = m.id;
          const b = m.body as { advertised: AdvertisedKeys[]; threshold: number; shares: EncryptedShares[] };
          if (m.kind === "round.advertise") await answer(m.session, "round.keys", { keys: (party = new AggregationParty(partyId, m.session)).advertise() });
          if (m.kind === "round.share") await answer(m.session, "round.shares", { shares: party!.shareKeys(b.advertised, b.threshold) });
          if (m.kind === "round.deliver") party!.receiveShares(b.shares);
          if (m.kind === "round.update") await answer(m.session, "round.masked", { masked: party!.maskedInput(new Uint32Array(3)) });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const global = flattenByName(readModelWeights(path.join(f.dir, "models", "tiny")));
    const outcome = await runRemoteRound(world.db, global, settings(8_000));
    stop = true;
    await loop;
    expect(outcome.applied).toBe(true);
    expect(outcome.dropped).toContain(partyId);
    expect(outcome.survivors).toEqual(expect.arrayContaining([f.parties.ids.A, f.parties.ids.B]));
    // The refusal's audit entry digests its reason and round.
    const round = (await world.db.select().from(federationRounds).where(eq(federationRounds.status, "applied"))).find((r) => JSON.parse(r.outcome!).dropped.includes(partyId))!;
    const refusals = (await listAudit(world.db, { action: "federation.refused", entityId: partyId }, 1, 5)).entries;
    expect(refusals.map((e) => e.inputDigest)).toEqual([inputDigest({ reason: `a masked vector of 3 words, not ${global.length}`, round: round.id })]);
  }, 120_000);

  it("ends a round whose recording fails abandoned, saying why, with nothing of it kept", async () => {
    const global = flattenByName(readModelWeights(path.join(f.dir, "models", "tiny")));
    const runId = randomUUID();
    const of = {
      runId,
      attempt: 1,
      parties: [f.parties.ids.A!, f.parties.ids.B!],
      alsoDo: async () => {
        throw new Error("the charge was refused");
      },
    };
    await expect(runRemoteRound(world.db, global, settings(20_000), of)).rejects.toThrow("the charge was refused");
    const round = (await first(world.db.select().from(federationRounds).where(eq(federationRounds.runId, runId))))!;
    expect(round.status).toBe("abandoned");
    expect(JSON.parse(round.outcome!).reason).toBe("it could not be recorded: the charge was refused");
    const audited = (await listAudit(world.db, { entityId: round.id }, 1, 5)).entries.map((e) => e.action);
    expect(audited).toEqual(["federation.round_abandoned"]);
    expect(await world.db.select().from(federationMail).where(eq(federationMail.session, round.id))).toEqual([]);
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 120_000);
});
