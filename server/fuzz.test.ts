// Malformed and oversized input to every procedure, as a role allowed to call it: a clear client error, never an
// internal error, never a change to the database; and no procedure's answer carries a password hash.
import { TRPCError } from "@trpc/server";
import { beforeAll, expect, it } from "vitest";
import { ROLES } from "../db/schema";
import { actorOf } from "./actor";
import { registerUpload } from "./datasets/service";
import { appRouter } from "./root";
import { callerAs, ingestedVersion, registerTestBaseModel, snapshot, testWorld, type TestWorld } from "./testing";
import type { ProcedureMeta } from "./trpc";

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: ProcedureMeta } }>);

const KEYS = ["datasetId", "userId", "versionId", "runId", "incidentId", "requestId", "email", "name", "role", "password", "epsilon", "delta", "status", "plan", "links", "page", "section"];
const WEIRD: unknown[] = [-1, 0, 1e308, Number.NaN, "", "x".repeat(100_000), "'; DROP TABLE users; --", "00000000-0000-4000-8000-000000000000", [], {}, null, true];

/** A deterministic spread of malformed inputs: wrong types at the top, and each known key set to odd values. */
const INPUTS: unknown[] = [
  null,
  42,
  "string",
  [1, 2, 3],
  { unknown: "field" },
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  (() => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 500; i++) deep = { nested: deep };
    return deep;
  })(),
  ...KEYS.flatMap((key, i) => WEIRD.filter((_, j) => (i + j) % 3 === 0).map((value) => ({ [key]: value }))),
  Object.fromEntries(KEYS.map((k, i) => [k, WEIRD[i % WEIRD.length]])),
];

let world: TestWorld;
beforeAll(async () => {
  world = await testWorld();
  const engineer = world.users.engineer;
  await registerUpload(world.db, engineer, actorOf(engineer), { name: "fuzz" }, ingestedVersion());
  await registerTestBaseModel(world.db);
});

it.each(procedures)("%s answers malformed input with a client error and changes nothing", async (path, proc) => {
  const access = proc._def.meta?.access;
  const role = access === "public" || access === "signedIn" ? "engineer" : ROLES.find((r) => access?.includes(r))!;
  let target: unknown = callerAs(world.db, world.users[role]);
  for (const part of path.split(".")) target = (target as Record<string, unknown>)[part];
  const before = await snapshot(world.db);
  for (const input of INPUTS) {
    try {
      const output = await (target as (i: unknown) => Promise<unknown>)(input);
      expect(JSON.stringify(output ?? null)).not.toMatch(/\$argon2/);
    } catch (err) {
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code, `${path} with ${JSON.stringify(input).slice(0, 80)}`).not.toBe("INTERNAL_SERVER_ERROR");
    }
  }
  expect(await snapshot(world.db)).toEqual(before);
});
