// The tRPC endpoint's handling of one request: CSRF checks, a bounded body, the procedures, and answers that are
// never cached (they are per user).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context } from "../context";
import { appRouter } from "../root";
import { boundedRequest, PayloadTooLargeError, payloadTooLargeResponse } from "./bounded-body";
import { errorResponse } from "./error-response";
import { noStore } from "./no-store";
import { assertSameOriginJson, ownOrigins } from "./same-origin";

export interface TrpcEndpointSettings {
  publicUrl: string;
  maxBodyBytes: number;
  /** The context of a request (its session read from its cookies). */
  createContext: (req: Request) => Promise<Context>;
}

export async function handleTrpc(req: Request, settings: TrpcEndpointSettings): Promise<Response> {
  let bounded: Request;
  try {
    assertSameOriginJson(req, ownOrigins(req, settings.publicUrl));
    bounded = await boundedRequest(req, settings.maxBodyBytes);
  } catch (err) {
    return noStore(err instanceof PayloadTooLargeError ? payloadTooLargeResponse(err) : errorResponse(err));
  }
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: bounded,
    router: appRouter,
    createContext: () => settings.createContext(bounded),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
  return noStore(res);
}
