// The dashboard's HTTP server: the tRPC endpoint (every dashboard API call) is served here, directly on Node's
// request; everything else (pages, sign-in, file routes) goes to Next. Served beside Next instead of through it, a
// tRPC request skips Next's routing and the rest of its per-request work (BENCHMARKS.md, "load-postgres").
// Reads (tRPC queries, GET) take turns, a few at once in arrival order; actions (mutations, POST: a launch, a cancel,
// an approval) never wait for a turn, so that under load an action waits behind no dashboard's refresh, and each read
// waits once, in the queue, instead of at each of its database round trips behind all the others.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { lingerThenClose, requestFromNode, sendResponse } from "./node-bridge";
import { SECURITY_HEADERS } from "./security-headers";
import { handleTrpc, type TrpcEndpointSettings } from "./trpc-endpoint";
import { turns, type InTurn } from "./turns";

/** What serves the requests that are not tRPC's: Next's request handler. */
export type OtherRequests = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The tRPC endpoint's path: `/api/trpc` and what is below it (`/api/trpc/runs.list?…`). */
export function isTrpcPath(url: string | undefined): boolean {
  const path = (url ?? "").split("?", 1)[0]!;
  return path === "/api/trpc" || path.startsWith("/api/trpc/");
}

/** How long the rest of a request body the endpoint left unread (one over the limit) is discarded after the answer. */
export const LINGER_MS = 5_000;

/**
 * A server (not yet listening) answering tRPC requests with `settings`, at most `readsAtOnce` reads at a time, and
 * handing every other request to `others`; a body the endpoint leaves unread is discarded for `lingerMs` after the answer.
 */
export function dashboardServer(
  settings: TrpcEndpointSettings,
  others: OtherRequests,
  { readsAtOnce, lingerMs = LINGER_MS }: { readsAtOnce: number; lingerMs?: number },
): http.Server {
  const readTurn = turns(readsAtOnce);
  return http.createServer((req, res) => {
    const served = isTrpcPath(req.url) ? serveTrpc(settings, req, res, req.method === "GET" ? readTurn : now, lingerMs) : others(req, res);
    served.catch((error: unknown) => failed(res, error));
  });
}

/** No waiting: an action's turn. */
const now: InTurn = (work) => work();

async function serveTrpc(settings: TrpcEndpointSettings, req: IncomingMessage, res: ServerResponse, inTurn: InTurn, lingerMs: number): Promise<void> {
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  await inTurn(async () => {
    if (res.closed) return; // the client left while the request waited: nothing to answer
    const response = await handleTrpc(requestFromNode(req, res), settings);
    // A body left unread (one over the limit): the connection stays open after the answer, even if the client asked
    // to close it, while lingerThenClose discards the rest; Node would otherwise close it with bytes unread.
    if (!req.complete) res.setHeader("connection", "keep-alive");
    await sendResponse(res, response);
    lingerThenClose(req, lingerMs);
  });
}

/** A request whose handling threw (a bug: handlers answer their errors): 500, or the connection closed mid-answer. */
function failed(res: ServerResponse, error: unknown): void {
  console.error("request failed:", error);
  if (res.headersSent) return void res.destroy();
  res.statusCode = 500;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.end("Internal server error");
}
