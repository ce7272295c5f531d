// An overlap of subjects with three real party processes (npm run party) talking through the coordinator's mailbox:
// each learns how many of its subjects the others hold, the coordinator only the counts; the most parties one person
// is at (the k of k-fold group privacy) is found; nothing the coordinator relays holds a subject id or a record.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../audit/service";
import { callerAs, refusal, testWorld, until, type TestWorld } from "../testing";
import { startTestCoordinator, startTestParties, type TestCoordinator, type TestParties } from "./testing";

let world: TestWorld;
let coordinator: TestCoordinator;
let dir: string;
let parties: TestParties | undefined;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `patient-${from + i}`);
// A: 1–10, B: 6–15, C: 9–20; 9 and 10 are at all three.
const SUBJECTS: Record<string, string[]> = { A: range(1, 10), B: range(6, 15), C: range(9, 20) };

beforeAll(async () => {
  world = await testWorld();
  dir = mkdtempSync(path.join(tmpdir(), "ledger-overlap-"));
  coordinator = await startTestCoordinator(world.db);
});
afterAll(async () => {
  // Each party runs in its own process group (npx, tsx, node): the whole group goes.
  parties?.stop();
  await coordinator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an overlap of subjects", () => {
  it("gives each party its counts through the mailbox, and the coordinator counts only", async () => {
    const officer = callerAs(world.db, world.users.privacy_officer);
    expect(await refusal(officer.federation.startOverlap())).toEqual({ code: "CONFLICT", message: "An overlap needs at least two enrolled parties; there are 0." });
    const records = Object.fromEntries(Object.entries(SUBJECTS).map(([name, subjects]) => [name, subjects.map((subject, i) => ({ text: `note ${i} about ${subject}`, subject }))]));
    parties = await startTestParties(world, coordinator.url, dir, records);
    const { ids } = parties;
    const { overlapId } = await officer.federation.startOverlap();
    await until(async () => (await officer.federation.overlaps()).find((o) => o.id === overlapId)?.status === "done", "the overlap", 60_000);
    const overlap = (await callerAs(world.db, world.users.auditor).federation.overlaps()).find((o) => o.id === overlapId)!;
    expect(overlap.mostPartiesOfOnePerson).toBe(3);
    const byName = (name: string) => overlap.reports.find((r) => r.party === ids[name])!;
    expect(byName("A")).toEqual({ party: ids.A, subjects: 10, shared_with: { [ids.B!]: 5, [ids.C!]: 2 }, held_by: { "1": 5, "2": 3, "3": 2 } });
    expect(byName("B")).toEqual({ party: ids.B, subjects: 10, shared_with: { [ids.A!]: 5, [ids.C!]: 7 }, held_by: { "2": 8, "3": 2 } });
    expect(byName("C")).toEqual({ party: ids.C, subjects: 12, shared_with: { [ids.A!]: 2, [ids.B!]: 7 }, held_by: { "1": 5, "2": 5, "3": 2 } });
    // Nothing that reached the coordinator holds a subject id or a record.
    const all = coordinator.received.join("\n");
    for (const s of Object.values(SUBJECTS).flat()) expect(all).not.toContain(s);
    expect(all).not.toContain("note 0 about");
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 120_000);
});
