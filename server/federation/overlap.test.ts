// An overlap of subjects with three real party processes (npm run party) talking through the coordinator's mailbox:
// each learns how many of its subjects the others hold, the coordinator only the counts; the most parties one person
// is at (the k of k-fold group privacy) is found; nothing the coordinator relays holds a subject id or a record.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../audit/service";
import { callerAs, killGroup, refusal, testWorld, until, type TestWorld } from "../testing";
import { startTestCoordinator, type TestCoordinator } from "./testing";

let world: TestWorld;
let coordinator: TestCoordinator;
let url: string;
let dir: string;
const children: ChildProcess[] = [];
/** What the party processes wrote to stderr (shown when the test fails). */
const errors: string[] = [];

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `patient-${from + i}`);
// A: 1–10, B: 6–15, C: 9–20; 9 and 10 are at all three.
const SUBJECTS: Record<string, string[]> = { A: range(1, 10), B: range(6, 15), C: range(9, 20) };

beforeAll(async () => {
  world = await testWorld();
  dir = mkdtempSync(path.join(tmpdir(), "ledger-overlap-"));
  coordinator = await startTestCoordinator(world.db);
  url = coordinator.url;
});
afterAll(async () => {
  // Each party runs in its own process group (npx, tsx, node): the whole group goes.
  for (const c of children) killGroup(c);
  await coordinator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an overlap of subjects", () => {
  it("gives each party its counts through the mailbox, and the coordinator counts only", async () => {
    const officer = callerAs(world.db, world.users.privacy_officer);
    expect(await refusal(officer.federation.startOverlap())).toEqual({ code: "CONFLICT", message: "An overlap needs at least two enrolled parties; there are 0." });
    const ids: Record<string, string> = {};
    for (const [name, subjects] of Object.entries(SUBJECTS)) {
      const { partyId, token } = await callerAs(world.db, world.users.admin).federation.registerParty({ name });
      ids[name] = partyId;
      const data = path.join(dir, `${name}.jsonl`);
      writeFileSync(data, subjects.map((s, i) => JSON.stringify({ text: `note ${i} about ${s}`, subject: s })).join("\n"));
      const child = spawn("npx", ["tsx", "trainer/federation/party-cli.ts", "--coordinator", url, "--token", token, "--data", data, "--key", path.join(dir, `${name}.key`), "--poll", "0.2"], {
        cwd: path.resolve(import.meta.dirname, "../.."),
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
      });
      child.stderr!.on("data", (d: Buffer) => errors.push(`${name}: ${d.toString()}`));
      children.push(child);
    }
    await until(async () => (await officer.federation.parties()).filter((p) => p.status === "enrolled").length === 3, "three enrolled parties", 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; the parties said: ${errors.join(" | ")}`);
    });
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
