// Session revocation: sign-out, disabling and re-enabling each raise the user's session version, and a session
// issued at an older version is no session.
import { eq } from "drizzle-orm";
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

const versionOf = (userId: string) => world.db.select().from(users).where(eq(users.id, userId)).get()!.sessionVersion;

describe("sessions", () => {
  it("honours a session only at the user's current version", () => {
    const { id } = world.users.engineer;
    expect(activeSessionUser(world.db, id, versionOf(id))?.id).toBe(id);
    expect(activeSessionUser(world.db, id, versionOf(id) + 1)).toBeNull();
  });

  it("sign-out voids every session of the user, audited; a void session's sign-out changes nothing", () => {
    const { id } = world.users.auditor;
    const issuedAt = versionOf(id);
    expect(endSessions(world.db, { userId: id, sessionVersion: issuedAt })).toBe(true);
    expect(activeSessionUser(world.db, id, issuedAt)).toBeNull();
    expect(activeSessionUser(world.db, id, versionOf(id))?.id).toBe(id);
    expect(endSessions(world.db, { userId: id, sessionVersion: issuedAt })).toBe(false);
    const entries = listAudit(world.db, { action: "session.sign_out", entityId: id }, 1, 10).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: id, actorEmail: "auditor@test.example" });
  });

  it("disabling and re-enabling each void the sessions issued before, so re-enabling revives no old cookie", () => {
    const { id } = world.users.engineer;
    const issuedAt = versionOf(id);
    setDisabled(world.db, SYSTEM_ACTOR, { userId: id, disabled: true });
    const whileDisabled = versionOf(id);
    expect(whileDisabled).toBeGreaterThan(issuedAt);
    setDisabled(world.db, SYSTEM_ACTOR, { userId: id, disabled: false });
    expect(versionOf(id)).toBeGreaterThan(whileDisabled);
    expect(activeSessionUser(world.db, id, issuedAt)).toBeNull();
    expect(activeSessionUser(world.db, id, whileDisabled)).toBeNull();
    expect(activeSessionUser(world.db, id, versionOf(id))?.id).toBe(id);
  });

  it("leaves the version alone when a disable is refused", () => {
    const { id } = world.users.admin;
    const before = versionOf(id);
    expect(() => setDisabled(world.db, { id, email: "admin@test.example", role: "admin" }, { userId: id, disabled: true })).toThrow();
    expect(versionOf(id)).toBe(before);
  });
});
