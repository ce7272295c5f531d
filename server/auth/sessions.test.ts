// Session revocation: sign-out, disabling and re-enabling each raise the user's session version, and a session
// issued at an older version is no session.
import { eq } from "drizzle-orm";
import { first } from "../../db/client";
import { beforeEach, describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { listAudit, SYSTEM_ACTOR } from "../audit/service";
import { activeSessionUser } from "../context";
import { testWorld, type TestWorld } from "../testing";
import { setDisabled } from "../users/service";
import { endSessions } from "./sessions";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const versionOf = async (userId: string) => (await first(world.db.select().from(users).where(eq(users.id, userId))))!.sessionVersion;

describe("sessions", () => {
  it("honours a session only at the user's current version", async () => {
    const { id } = world.users.engineer;
    expect((await activeSessionUser(world.db, id, await versionOf(id)))?.id).toBe(id);
    expect(await activeSessionUser(world.db, id, (await versionOf(id)) + 1)).toBeNull();
  });

  it("sign-out voids every session of the user, audited; a void session's sign-out changes nothing", async () => {
    const { id } = world.users.auditor;
    const issuedAt = await versionOf(id);
    expect(await endSessions(world.db, { userId: id, sessionVersion: issuedAt })).toBe(true);
    expect(await activeSessionUser(world.db, id, issuedAt)).toBeNull();
    expect((await activeSessionUser(world.db, id, await versionOf(id)))?.id).toBe(id);
    expect(await endSessions(world.db, { userId: id, sessionVersion: issuedAt })).toBe(false);
    const entries = (await listAudit(world.db, { action: "session.sign_out", entityId: id }, 1, 10)).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: id, actorEmail: "auditor@test.example" });
  });

  it("disabling and re-enabling each void the sessions issued before, so re-enabling revives no old cookie", async () => {
    const { id } = world.users.engineer;
    const issuedAt = await versionOf(id);
    await setDisabled(world.db, SYSTEM_ACTOR, { userId: id, disabled: true });
    const whileDisabled = await versionOf(id);
    expect(whileDisabled).toBeGreaterThan(issuedAt);
    await setDisabled(world.db, SYSTEM_ACTOR, { userId: id, disabled: false });
    expect(await versionOf(id)).toBeGreaterThan(whileDisabled);
    expect(await activeSessionUser(world.db, id, issuedAt)).toBeNull();
    expect(await activeSessionUser(world.db, id, whileDisabled)).toBeNull();
    expect((await activeSessionUser(world.db, id, await versionOf(id)))?.id).toBe(id);
  });

  it("leaves the version alone when a disable is refused", async () => {
    const { id } = world.users.admin;
    const before = await versionOf(id);
    await expect(setDisabled(world.db, { id, email: "admin@test.example", role: "admin" }, { userId: id, disabled: true })).rejects.toThrow();
    expect(await versionOf(id)).toBe(before);
  });
});
