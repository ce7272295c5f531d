// tRPC set-up and the procedure levels: every procedure is built from one of these and so declares who may call it.
import { initTRPC, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Role } from "../db/schema";
import { actorOf } from "./actor";
import { ABILITIES, MAY, may, type Ability, type Action } from "./auth/access";
import type { Context, SessionUser } from "./context";
import { AppError, storageError } from "./errors";

/** Who may call a procedure: anyone, any signed-in user, or signed-in users with one of these roles. */
export type Access = "public" | "signedIn" | readonly Role[];

export interface ProcedureMeta {
  access: Access;
  /** The entry of MAY (server/auth/access.ts) the roles come from. */
  action?: Action;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      // Validation failures are reported field by field; internal errors never show their cause to the client.
      const issues = error.cause instanceof z.ZodError ? error.cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : undefined;
      return {
        ...shape,
        message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal error" : shape.message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, issues },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns the services' AppErrors (and storage that cannot take a write) into tRPC errors with the matching code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = storageError(result.error.cause) ?? result.error.cause;
  if (cause instanceof AppError) throw cause.toTRPCError();
  return result;
});

const base = t.procedure.use(appErrors);

export const publicProcedure = base.meta({ access: "public" });

/** The signed-in user, and the actor their changes are audited as. */
const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  const user: SessionUser = ctx.user;
  return next({ ctx: { ...ctx, user, actor: actorOf(user) } });
});

export const signedInProcedure = base.meta({ access: "signedIn" }).use(requireUser);

/**
 * Signed-in users whose role may do `action` (the role lists are in server/auth/access.ts); checked before the input
 * is parsed, so refusals reveal nothing.
 */
export function allowedTo(action: Action) {
  const roles: readonly Role[] = MAY[action];
  return base
    .meta({ access: roles, action })
    .use(requireUser)
    .use(({ ctx, next }) => {
      if (!may(ctx.user.role, roles)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `This needs one of the roles: ${roles.join(", ")}.` });
      }
      return next({ ctx });
    });
}

/** Whether a caller (null: anonymous) passes a procedure's access check (none declared: nobody). */
export function permits(access: Access | undefined, user: Pick<SessionUser, "role"> | null): boolean {
  if (access === undefined) return false;
  if (access === "public") return true;
  if (!user) return false;
  return access === "signedIn" || may(user.role, access);
}

export type ProcedureAccess = readonly [path: string, access: Access | undefined];

/** Every procedure of a router by its dotted path ("runs.cancel"), with its meta. */
export function procedureMeta(appRouter: AnyTRPCRouter): [path: string, meta: ProcedureMeta | undefined][] {
  // At run time tRPC keeps a flat record of every procedure by its dotted path.
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>;
  return Object.entries(procedures).map(([path, p]) => [path, p._def.meta]);
}

/** Every procedure of a router by its dotted path, with who may call it. */
export function procedureAccess(appRouter: AnyTRPCRouter): ProcedureAccess[] {
  return procedureMeta(appRouter).map(([path, meta]) => [path, meta?.access] as const);
}

/** What a role may call or do, by procedure path (and the abilities of access.ts): the client's `can` map. */
export function canMap(procedures: readonly ProcedureAccess[], user: Pick<SessionUser, "role">): Record<string, boolean> {
  const abilities = Object.entries(ABILITIES) as [Ability, readonly Role[]][];
  return Object.fromEntries([
    ...procedures.map(([path, access]) => [path, permits(access, user)] as const),
    ...abilities.map(([name, roles]) => [name, may(user.role, roles)] as const),
  ]);
}
