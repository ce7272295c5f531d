// The tRPC endpoint: every dashboard request to the server goes through here.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createRequestContext } from "@/server/context";
import { env } from "@/server/env";
import { errorResponse } from "@/server/http/error-response";
import { assertSameOriginJson, ownOrigins } from "@/server/http/same-origin";
import { appRouter } from "@/server/root";

async function handler(req: Request): Promise<Response> {
  try {
    assertSameOriginJson(req, ownOrigins(req, env().NEXTAUTH_URL));
  } catch (err) {
    return errorResponse(err);
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: createRequestContext,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
