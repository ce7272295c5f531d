// The mailbox's rules, with enrolled parties' signed messages: mail goes only between parties of the same running
// session, in its form; a report must be the sender's; an overlap nobody finishes is abandoned after its time, its
// mail deleted, and both are audited.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { federationMail, federationOverlaps } from "../../db/schema";
import { newEnrolmentKey, signMessage, type PartyMessage } from "../../trainer/contract/federation/messages";
import { listAudit } from "../audit/service";
import { callerAs, testWorld, type TestWorld } from "../testing";
import { closeStaleOverlaps, OVERLAP_MINUTES } from "./mailbox";
import { acceptMessage, enrolParty } from "./service";

let world: TestWorld;
const parties: { id: string; key: ReturnType<typeof newEnrolmentKey> }[] = [];
let seq = 1;

beforeEach(async () => {
  world = await testWorld();
  parties.length = 0;
  for (const name of ["A", "B", "C"]) {
    const { partyId, token } = await callerAs(world.db, world.users.admin).federation.registerParty({ name });
    const key = newEnrolmentKey();
    await enrolParty(world.db, { token, public_key: key.publicKey, stated_units: 3 });
    parties.push({ id: partyId, key });
  }
});

const send = (from: number, body: Extract<PartyMessage, { type: "send" }>["body"]) =>
  acceptMessage(world.db, signMessage({ party: parties[from]!.id, seq: seq++, sent_at: new Date().toISOString(), type: "send", body }, parties[from]!.key.privateKey));
const poll = (who: number) => acceptMessage(world.db, signMessage({ party: parties[who]!.id, seq: seq++, sent_at: new Date().toISOString(), type: "poll", body: { after: 0 } }, parties[who]!.key.privateKey));
const refused = (p: Promise<unknown>) => p.then(() => "accepted", (err: Error) => err.message);
const POINT = "ab".repeat(32);

describe("the mailbox", () => {
  it("relays mail within a running session only, in its form", async () => {
    const { overlapId } = await callerAs(world.db, world.users.privacy_officer).federation.startOverlap();
    expect((await poll(1)).mail).toEqual([expect.objectContaining({ session: overlapId, from: "coordinator", kind: "psi.start", body: { peers: expect.arrayContaining([parties[0]!.id, parties[2]!.id]) } })]);
    await send(0, { session: overlapId, to: parties[1]!.id, kind: "psi.blinded", body: { points: [POINT] } });
    expect((await poll(1)).mail!.map((m) => [m.from, m.kind, m.body])).toContainEqual([parties[0]!.id, "psi.blinded", { points: [POINT] }]);
    const before = await world.db.select().from(federationMail);
    expect(await refused(send(0, { session: overlapId, to: parties[1]!.id, kind: "psi.blinded", body: { points: ["not a point"] } }))).toBe("The points are malformed.");
    expect(await refused(send(0, { session: overlapId, to: parties[0]!.id, kind: "psi.blinded", body: { points: [POINT] } }))).toBe("The recipient does not take part in this session.");
    expect(await refused(send(0, { session: overlapId, to: parties[1]!.id, kind: "psi.start", body: {} }))).toBe("A party may not send psi.start to another.");
    expect(await refused(send(0, { session: overlapId, to: "coordinator", kind: "psi.report", body: { party: parties[1]!.id, subjects: 1, shared_with: {}, held_by: {} } }))).toBe(
      "The report is malformed or names another party.",
    );
    expect(await refused(send(0, { session: "00000000-0000-4000-8000-000000000000", to: parties[1]!.id, kind: "psi.blinded", body: { points: [POINT] } }))).toBe(
      "No running session of this party has that id.",
    );
    expect(await world.db.select().from(federationMail)).toEqual(before);
  });

  it("abandons an overlap not finished in time and deletes its mail, audited", async () => {
    const { overlapId } = await callerAs(world.db, world.users.privacy_officer).federation.startOverlap();
    await closeStaleOverlaps(world.db, new Date(Date.now() + (OVERLAP_MINUTES - 1) * 60_000));
    expect((await world.db.select().from(federationOverlaps).where(eq(federationOverlaps.id, overlapId)))[0]!.status).toBe("running");
    await closeStaleOverlaps(world.db, new Date(Date.now() + (OVERLAP_MINUTES + 1) * 60_000));
    expect((await world.db.select().from(federationOverlaps).where(eq(federationOverlaps.id, overlapId)))[0]!.status).toBe("abandoned");
    expect(await world.db.select().from(federationMail).where(eq(federationMail.session, overlapId))).toEqual([]);
    expect((await listAudit(world.db, { action: "federation.overlap_abandoned", entityId: overlapId }, 1, 5)).entries).toHaveLength(1);
  });
});
