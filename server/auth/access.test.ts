// The routers and the section table agree: each domain's procedures are open only to roles of the sections it serves,
// every role of a section can call something there, and every role list comes from MAY.
import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../db/schema";
import { appRouter } from "../root";
import { procedureAccess, procedureMeta, type ProcedureMeta } from "../trpc";
import { ABILITIES, MAY, ROUTER_SECTIONS, SECTION_IDS, SECTIONS } from "./access";

const procedures = procedureAccess(appRouter);
const rolesOf = (access: ProcedureMeta["access"] | undefined): readonly Role[] =>
  access === "public" || access === "signedIn" ? ROLES : (access ?? []);
const domainOf = (path: string) => path.split(".")[0]!;

describe("who may do what", () => {
  it("names the sections of every router, and only of routers that exist", () => {
    expect(new Set(procedures.map(([path]) => domainOf(path)))).toEqual(new Set(Object.keys(ROUTER_SECTIONS)));
  });

  it.each(procedures)("%s is open only to roles of the sections its router serves", (path, access) => {
    const sections = ROUTER_SECTIONS[domainOf(path)];
    if (sections === "everyone") {
      expect(access === "public" || access === "signedIn", `${path} is in a router that serves everyone`).toBe(true);
      return;
    }
    expect(Array.isArray(access), `${path} names its roles`).toBe(true);
    for (const section of sections ?? []) {
      for (const role of rolesOf(access)) expect(SECTIONS[section].roles, `${path} is open to ${role}, outside ${section}`).toContain(role);
    }
  });

  it.each(SECTION_IDS)("every role of the %s section may call something of a router that serves it", (section) => {
    const served = procedures.filter(([path]) => {
      const sections = ROUTER_SECTIONS[domainOf(path)];
      return sections !== "everyone" && sections?.includes(section);
    });
    for (const role of SECTIONS[section].roles) {
      expect(
        served.some(([, access]) => rolesOf(access).includes(role)),
        `${role} may open ${section} but call nothing there`,
      ).toBe(true);
    }
  });

  it("takes every procedure's roles from MAY", () => {
    for (const [path, meta] of procedureMeta(appRouter)) {
      if (meta?.access === "public" || meta?.access === "signedIn") continue;
      expect(meta?.action, `${path} names its action`).toBeDefined();
      expect(meta?.access, path).toEqual(MAY[meta!.action!]);
    }
  });

  it("names every ability apart from the procedures", () => {
    const paths = new Set(procedures.map(([path]) => path));
    for (const name of Object.keys(ABILITIES)) expect(paths.has(name), name).toBe(false);
  });
});
