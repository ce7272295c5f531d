// For every tRPC procedure: it declares who may call it, anonymous callers get UNAUTHORIZED, other roles get
// FORBIDDEN, and a refused call leaves the database exactly as it was.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type Role } from "../db/schema";
import { ABILITIES } from "./auth/access";
import { appRouter } from "./root";
import { callerAs, snapshot, testWorld, type TestWorld } from "./testing";
import type { ProcedureMeta } from "./trpc";

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta };
}
// At run time tRPC keeps a flat record of every procedure by its dotted path.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>);

function call(world: TestWorld, role: Role | null, path: string, input: unknown): Promise<unknown> {
  let target: unknown = callerAs(world.db, role && world.users[role]);
  for (const part of path.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

async function errorCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

// Inputs that a careless check might let through: nothing, an empty object, and something plausible.
const PROBES: unknown[] = [undefined, {}, { userId: "00000000-0000-4000-8000-000000000000", role: "admin", disabled: true }];

describe("every procedure", () => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await testWorld();
  });

  it("has been found (the router is not empty)", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(8);
  });

  it.each(procedures)("%s declares who may call it", (_path, proc) => {
    const access = proc._def.meta?.access;
    expect(access === "public" || access === "signedIn" || (Array.isArray(access) && access.length > 0)).toBe(true);
  });

  const guarded = procedures.filter(([, p]) => p._def.meta?.access !== "public");

  it.each(guarded)("%s refuses anonymous callers with UNAUTHORIZED and changes nothing", async (path) => {
    const before = await snapshot(world.db);
    for (const input of PROBES) expect(await errorCode(call(world, null, path, input))).toBe("UNAUTHORIZED");
    expect(await snapshot(world.db)).toEqual(before);
  });

  it.each(guarded)("%s refuses roles it does not name with FORBIDDEN and changes nothing", async (path, proc) => {
    const access = proc._def.meta?.access;
    const refused = ROLES.filter((r) => Array.isArray(access) && !access.includes(r));
    const before = await snapshot(world.db);
    for (const role of refused) {
      for (const input of PROBES) expect(await errorCode(call(world, role, path, input)), `${role}`).toBe("FORBIDDEN");
    }
    expect(await snapshot(world.db)).toEqual(before);
  });

  it.each(guarded)("%s lets the roles it names past the access check", async (path, proc) => {
    const access = proc._def.meta?.access;
    const allowed = access === "signedIn" ? ROLES : ROLES.filter((r) => Array.isArray(access) && access.includes(r));
    for (const role of allowed) {
      const code = await errorCode(call(world, role, path, undefined));
      expect(code === "UNAUTHORIZED" || code === "FORBIDDEN", `${role} got ${code}`).toBe(false);
    }
  });

  it.each(ROLES)("session.can tells %s exactly which procedures let it past the access check, and its abilities", async (role) => {
    const can = await callerAs(world.db, world.users[role]).session.can();
    const expected: Record<string, boolean> = {};
    for (const [path, proc] of procedures) {
      const access = proc._def.meta?.access;
      expected[path] = access === "public" || access === "signedIn" || (Array.isArray(access) && access.includes(role));
    }
    for (const [name, roles] of Object.entries(ABILITIES)) expected[name] = (roles as readonly Role[]).includes(role);
    expect(can).toEqual(expected);
  });

  it("a disabled user's existing session is refused on its next request", async () => {
    const admin = callerAs(world.db, world.users.admin);
    const auditor = world.users.auditor;
    expect(await errorCode(callerAs(world.db, auditor).audit.verify())).toBeNull();
    await admin.users.setDisabled({ userId: auditor.id, disabled: true });
    expect(await errorCode(callerAs(world.db, auditor).audit.verify())).toBe("UNAUTHORIZED");
    expect(await errorCode(callerAs(world.db, auditor).session.me())).toBe("UNAUTHORIZED");
    await admin.users.setDisabled({ userId: auditor.id, disabled: false });
    expect(await errorCode(callerAs(world.db, auditor).audit.verify())).toBeNull();
  });

  it("a role change takes effect on the next request, whatever the session remembers", async () => {
    const admin = callerAs(world.db, world.users.admin);
    const engineer = world.users.engineer;
    await admin.users.changeRole({ userId: engineer.id, role: "auditor" });
    // The session still says "engineer"; the server goes by the database.
    expect(await errorCode(callerAs(world.db, engineer).audit.verify())).toBeNull();
    await admin.users.changeRole({ userId: engineer.id, role: "engineer" });
    expect(await errorCode(callerAs(world.db, engineer).audit.verify())).toBe("FORBIDDEN");
  });
});
