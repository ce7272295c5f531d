// What the procedures return, for typing the props of components that show it, and what the signed-in user may do.
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { Ability } from "@/server/auth/access";
import type { AppRouter } from "@/server/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's path, as tRPC names it: "runs.cancel". */
export type ProcedurePath = { [D in keyof RouterInputs & string]: `${D}.${keyof RouterInputs[D] & string}` }[keyof RouterInputs & string];

/**
 * session.can's answer: for each procedure path (and each ability of server/auth/access.ts), whether the signed-in
 * user may call it. The UI shows a form or a button only where this says the server will allow it.
 */
export type Can = Readonly<Record<ProcedurePath | Ability, boolean>>;
