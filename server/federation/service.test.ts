// Parties of cross-institution training: an admin registers one and gets a one-time token; the real party process
// (npm run party) enrols over HTTP with its own Ed25519 key and states its unit count, then signs status messages; it
// never sends a record. Forged, replayed, stale and unenrolled messages, a used or expired token, a revoked party and
// malformed bodies are refused, written to the audit log, and change nothing else.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { federationParties } from "../../db/schema";
import { newEnrolmentKey, signMessage, type PartyMessage } from "../../trainer/contract/federation/messages";
import { listAudit, verifyChain } from "../audit/service";
import { callerAs, refusal, snapshot, testWorld, type TestWorld } from "../testing";
import { startTestCoordinator, type TestCoordinator } from "./testing";
import { acceptMessage, enrolParty, REFUSALS_LOGGED_PER_MINUTE } from "./service";

let world: TestWorld;
let coordinator: TestCoordinator;
let url: string;
let dir: string;

beforeAll(async () => {
  world = await testWorld();
  dir = mkdtempSync(path.join(tmpdir(), "ledger-party-"));
  coordinator = await startTestCoordinator(world.db);
  url = coordinator.url;
});
afterAll(async () => {
  await coordinator.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = () => callerAs(world.db, world.users.admin);
const partyRow = async (id: string) => (await first(world.db.select().from(federationParties).where(eq(federationParties.id, id))))!;

function runParty(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", "trainer/federation/party-cli.ts", ...args], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("parties", () => {
  it("a party process enrols with its token, states its units, signs its messages and never sends a record", async () => {
    const { partyId, token } = await admin().federation.registerParty({ name: "St. Mary's" });
    // Never starting with "-", which the party's command line would read as an option.
    expect(token).toMatch(/^elt_[A-Za-z0-9_-]{43}$/);
    expect((await admin().federation.parties()).find((p) => p.id === partyId)).toMatchObject({ status: "invited", keyFingerprint: null, statedUnits: null });
    const data = path.join(dir, "records.jsonl");
    const records = [
      { text: "Ward 3: Ada Byron, chest pain", subject: "p-1" },
      { text: "Ward 3: Ada Byron, discharged", subject: "p-1" },
      { text: "Ward 5: an unnamed visitor" },
      { text: "Ward 1: Grace Hopper, fracture", subject: "p-2" },
    ];
    writeFileSync(data, records.map((r) => JSON.stringify(r)).join("\n"));
    const keyFile = path.join(dir, "key.json");
    const first = await runParty(["--coordinator", url, "--token", token, "--data", data, "--key", keyFile, "--once"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const enrolled = await partyRow(partyId);
    expect(enrolled).toMatchObject({ status: "enrolled", statedUnits: 3, tokenDigest: null });
    expect(enrolled.lastSequence).toBeGreaterThan(0);
    // A later start needs no token: the key file holds the enrolment key.
    expect((await runParty(["--coordinator", url, "--data", data, "--key", keyFile, "--once"])).code).toBe(0);
    expect((await partyRow(partyId)).lastSequence).toBeGreaterThan(enrolled.lastSequence);
    // The token is spent.
    const again = await runParty(["--coordinator", url, "--token", token, "--data", data, "--key", path.join(dir, "other.json"), "--once"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("answered 401: The enrolment token is not valid: unknown, or already used.");
    for (const body of coordinator.received) for (const r of records) expect(body).not.toContain(r.text);
    expect(readFileSync(keyFile, "utf8")).toContain(partyId);
    const page = (await callerAs(world.db, world.users.auditor).federation.parties()).find((p) => p.id === partyId)!;
    expect(page).toMatchObject({ status: "enrolled", statedUnits: 3, lastRoundId: null });
    expect(page.keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(page)).not.toContain(token);
  }, 60_000);

  it("refuses forged, replayed, stale and unenrolled messages, logging each and changing nothing else", async () => {
    const { partyId, token } = await admin().federation.registerParty({ name: "County Clinic" });
    const key = newEnrolmentKey();
    await enrolParty(world.db, { token, public_key: key.publicKey, stated_units: 40 });
    const message = (seq: number, overrides: { party?: string; sent_at?: string } = {}): PartyMessage => ({ party: partyId, seq, sent_at: new Date().toISOString(), type: "status", body: { stated_units: 41 }, ...overrides });
    expect(await acceptMessage(world.db, signMessage(message(10), key.privateKey))).toEqual({ accepted: 10 });
    const before = await world.db.select().from(federationParties);
    const refusedAs = async (body: unknown) => {
      try {
        await acceptMessage(world.db, body);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    const forger = newEnrolmentKey();
    expect(await refusedAs(signMessage(message(11), forger.privateKey))).toBe("The message's signature is not the party's.");
    const tampered = signMessage(message(12), key.privateKey);
    expect(await refusedAs({ ...tampered, message: { ...tampered.message, body: { stated_units: 1_000_000 } } })).toBe("The message's signature is not the party's.");
    expect(await refusedAs(signMessage(message(10), key.privateKey))).toBe("Sequence 10 was already used; the last accepted is 10.");
    expect(await refusedAs(signMessage(message(13, { sent_at: new Date(Date.now() - 3_600_000).toISOString() }), key.privateKey))).toBe(
      "The message's time is more than 5 minutes from the coordinator's clock.",
    );
    expect(await refusedAs(signMessage(message(14, { party: "00000000-0000-4000-8000-000000000000" }), key.privateKey))).toBe("The party is not enrolled.");
    expect(await refusedAs({ message: "hello" })).toMatch(/^The message is malformed: /);
    expect(await world.db.select().from(federationParties)).toEqual(before);
    const refusals = (await listAudit(world.db, { action: "federation.refused" }, 1, 50)).entries;
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    // Revoked: its messages are refused too.
    await admin().federation.revokeParty({ partyId });
    expect(await refusedAs(signMessage(message(15), key.privateKey))).toBe("The party is not enrolled.");
    // A flood of forged messages: each is refused with its reason, but the audit log takes a bounded number a minute.
    const stranger = newEnrolmentKey();
    for (let seq = 1; seq <= REFUSALS_LOGGED_PER_MINUTE + 10; seq++) {
      expect(await refusedAs(signMessage(message(seq, { party: "00000000-0000-4000-8000-000000000001" }), stranger.privateKey))).toBe("The party is not enrolled.");
    }
    expect((await listAudit(world.db, { action: "federation.refused", entityId: "unknown" }, 1, 1)).total).toBeLessThanOrEqual(REFUSALS_LOGGED_PER_MINUTE);
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("refuses an expired token and a second registration of a name; only admins register", async () => {
    const { partyId, token } = await admin().federation.registerParty({ name: "Rural Hospital" });
    const key = newEnrolmentKey();
    const later = new Date(Date.now() + 25 * 3_600_000);
    await expect(enrolParty(world.db, { token, public_key: key.publicKey, stated_units: 1 }, later)).rejects.toThrow(/^The enrolment token expired at .*; ask an admin for a new one\.$/);
    expect((await partyRow(partyId)).status).toBe("invited");
    const before = await snapshot(world.db);
    expect(await refusal(admin().federation.registerParty({ name: "Rural Hospital" }))).toEqual({ code: "CONFLICT", message: 'A party named "Rural Hospital" already exists.' });
    expect(await refusal(callerAs(world.db, world.users.privacy_officer).federation.registerParty({ name: "Other" }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await snapshot(world.db)).toEqual(before);
  });
});
