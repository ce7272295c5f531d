// A flood of refused party messages: the first refusals of each party in a window are written one by one, the rest
// counted by reason in one entry when the window ends (and said on the log); another party's refusals have their own
// window; the next window writes one by one again; the chain verifies.
import { describe, expect, it } from "vitest";
import { listAudit, verifyChain } from "../audit/service";
import { testWorld, until } from "../testing";
import { RefusalLog } from "./refusal-log";

describe("the refusal log", () => {
  it("writes a few refusals a window one by one and counts the rest in one entry", async () => {
    const world = await testWorld();
    const lines: string[] = [];
    const log = new RefusalLog({ perWindow: 3, windowMs: 3_000, log: (l) => lines.push(l) });
    const entries = async (action: string, entityId: string) => (await listAudit(world.db, { action, entityId }, 1, 100)).entries;
    for (let i = 0; i < 10; i++) await log.record(world.db, null, i % 2 === 0 ? "bad signature" : "malformed message");
    await log.record(world.db, "b9f1c3f0-9a36-4c52-8f3c-6b1a2d3e4f50", "stale message");
    expect(await entries("federation.refused", "unknown")).toHaveLength(3);
    expect(await entries("federation.refused", "b9f1c3f0-9a36-4c52-8f3c-6b1a2d3e4f50")).toHaveLength(1);
    expect(await entries("federation.refusals_suppressed", "unknown")).toHaveLength(0);

    // At the window's end, one entry counts the 7 others, and the log says so.
    await until(async () => (await entries("federation.refusals_suppressed", "unknown")).length === 1, "the window's summary", 10_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^7 more messages from unknown were refused from .* than the audit log takes one by one: \{"malformed message":4,"bad signature":3\}$/);
    // A new window writes one by one again.
    await log.record(world.db, null, "bad signature");
    expect(await entries("federation.refused", "unknown")).toHaveLength(4);
    expect((await verifyChain(world.db)).ok).toBe(true);
  });
});
