// tRPC set-up and the procedure levels: every procedure is built from one of these and so declares who may call it.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Role } from "../db/schema";
import type { Context, SessionUser } from "./context";
import { AppError, storageError } from "./errors";

/** Who may call a procedure: anyone, any signed-in user, or signed-in users with one of these roles. */
export type Access = "public" | "signedIn" | readonly Role[];

export interface ProcedureMeta {
  access: Access;
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

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user as SessionUser } });
});

export const signedInProcedure = base.meta({ access: "signedIn" }).use(requireUser);

/** Signed-in users whose role is one of `roles`; checked before the input is parsed, so refusals reveal nothing. */
export function roleProcedure(...roles: [Role, ...Role[]]) {
  return base
    .meta({ access: roles })
    .use(requireUser)
    .use(({ ctx, next }) => {
      if (!roles.includes(ctx.user.role)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `This needs one of the roles: ${roles.join(", ")}.` });
      }
      return next({ ctx });
    });
}
