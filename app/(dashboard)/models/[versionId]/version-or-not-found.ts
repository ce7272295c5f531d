// A version's server-side read for its pages: a version the user may not see answers NOT_FOUND, as one that does not
// exist (so that its existence does not leak), and both show the 404 page; sign-in and 403 as for every page.
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { orRedirect } from "@/app/_trpc/server";

export async function versionOrNotFound<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await orRedirect(read);
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  }
}
