// tRPC for server components: the same procedures and checks as the browser's, called in-process.
import { TRPCError } from "@trpc/server";
import { forbidden, redirect } from "next/navigation";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { createRequestContext } from "@/server/context";
import { createCaller } from "@/server/root";
import type { SectionId } from "@/server/auth/access";
import type { Can } from "./types";

/** A caller for this request; pages that use it render per request, never at build time. */
export async function serverCaller() {
  await connection();
  return createCaller(await createRequestContext((await cookies()).getAll()));
}

/** Runs a server-side call, turning "not signed in" into the sign-in page and "not allowed" into a 403 page. */
export async function orRedirect<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/sign-in");
    if (err instanceof TRPCError && err.code === "FORBIDDEN") forbidden();
    throw err;
  }
}

/**
 * Every section page starts with this: the server decides whether this user may see it, and says what they may do
 * there (`can`, keyed by procedure path: pages pass it to the components that show forms and buttons).
 */
export async function enterSection(section: SectionId) {
  const caller = await serverCaller();
  const [entered, can] = await orRedirect(() => Promise.all([caller.session.enterSection({ section }), caller.session.can()]));
  // session.can names every procedure path and ability (server/authorization.test.ts checks it).
  return { ...entered, can: can as Can };
}
