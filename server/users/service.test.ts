// User administration through the router: what an admin can do, what is refused, and that each change is audited.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { users } from "../../db/schema";
import { SYSTEM_ACTOR, listAudit, verifyChain } from "../audit/service";
import { setDisabled } from "./service";
import { callerAs, refusal, snapshot, testWorld, type TestWorld } from "../testing";

let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

const admin = () => callerAs(world.db, world.users.admin);

describe("users", () => {
  it("creates a user with an argon2id hash that never leaves the server, and audits it", async () => {
    const created = await admin().users.create({ email: " New.Person@Example.com ", name: "New", role: "engineer", password: "a long enough secret" });
    expect(created).toMatchObject({ email: "new.person@example.com", role: "engineer", disabled: false });
    expect(JSON.stringify(await admin().users.list())).not.toMatch(/argon2|password/i);
    const row = await first(world.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, created.id)));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    const [entry] = (await listAudit(world.db, { action: "user.create", entityId: created.id }, 1, 10)).entries;
    expect(entry).toMatchObject({ actorEmail: world.users.admin.email, actorRole: "admin", entityType: "user" });
    expect((await verifyChain(world.db)).ok).toBe(true);
  });

  it("refuses bad input and a duplicate email with a clear error and changes nothing", async () => {
    const before = await snapshot(world.db);
    const bad = await refusal(admin().users.create({ email: "not-an-email", name: "", role: "engineer", password: "short" }));
    expect(bad.code).toBe("BAD_REQUEST");
    const dup = await refusal(admin().users.create({ email: "auditor@test.example", name: "x", role: "auditor", password: "a long enough secret" }));
    expect(dup).toEqual({ code: "CONFLICT", message: "A user with the email auditor@test.example already exists." });
    const role = await refusal(admin().users.changeRole({ userId: world.users.engineer.id, role: "root" as never }));
    expect(role.code).toBe("BAD_REQUEST");
    const missing = await refusal(admin().users.setDisabled({ userId: "00000000-0000-4000-8000-000000000000", disabled: true }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(await snapshot(world.db)).toEqual(before);
  });

  it("changes roles and disables users, auditing each change", async () => {
    const { engineer } = world.users;
    await admin().users.changeRole({ userId: engineer.id, role: "privacy_officer" });
    await admin().users.setDisabled({ userId: engineer.id, disabled: true });
    const user = (await admin().users.list()).find((u) => u.id === engineer.id);
    expect(user).toMatchObject({ role: "privacy_officer", disabled: true });
    const actions = (await listAudit(world.db, { entityId: engineer.id }, 1, 10)).entries.map((e) => e.action);
    expect(actions).toEqual(["user.disable", "user.change_role", "user.create"]);
  });

  it("keeps at least one active admin, and an admin cannot disable themself", async () => {
    const before = await snapshot(world.db);
    const self = await refusal(admin().users.setDisabled({ userId: world.users.admin.id, disabled: true }));
    expect(self).toEqual({ code: "BAD_REQUEST", message: "You cannot disable your own account." });
    const demote = await refusal(admin().users.changeRole({ userId: world.users.admin.id, role: "auditor" }));
    expect(demote).toEqual({ code: "CONFLICT", message: "Cannot demote the last active admin." });
    expect(await snapshot(world.db)).toEqual(before);

    const second = await admin().users.create({ email: "second@test.example", name: "Second", role: "admin", password: "a long enough secret" });
    // Not only as the last admin: with another active admin, disabling oneself is still refused.
    const withAnother = await snapshot(world.db);
    expect(await refusal(admin().users.setDisabled({ userId: world.users.admin.id, disabled: true }))).toEqual(self);
    expect(await snapshot(world.db)).toEqual(withAnother);
    await admin().users.changeRole({ userId: world.users.admin.id, role: "auditor" });
    // Only a system actor could try this (an admin cannot disable themself), and it is refused too.
    await expect(setDisabled(world.db, SYSTEM_ACTOR, { userId: second.id, disabled: true })).rejects.toThrow("Cannot disable the last active admin.");
  });
});
