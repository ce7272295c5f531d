// Node's request and response as the web's Request and Response, for handlers written against the web API served
// from Node's HTTP server (dashboard-server.ts). The body is read only when the handler reads it, pulled chunk by
// chunk; what the handler leaves unread (it never reads the body, or stops at a bound) is discarded after the answer,
// for a bounded while (lingerThenClose).
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The request as a web Request, addressed to the host it names (over https when its socket is TLS), its body pulled
 * from `req` on demand, its signal aborted when the client goes away before the answer.
 */
export function requestFromNode(req: IncomingMessage, res: ServerResponse): Request {
  const aborted = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":")) continue; // HTTP/2 pseudo-headers
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  return new Request(new URL(req.url ?? "/", `${scheme}://${req.headers.host ?? "localhost"}`), {
    method: req.method,
    headers,
    signal: aborted.signal,
    ...(hasBody ? { body: pulledBody(req), duplex: "half" } : {}),
  } as RequestInit);
}

function pulledBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      chunks ??= req.iterator({ destroyOnReturn: false });
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    },
    // The handler stopped reading (a bound): the rest stays unread, for the server to discard (lingerThenClose).
    async cancel() {
      await chunks?.return?.();
    },
  });
}

/**
 * After an answer, the rest of a request body the handler did not read is read and discarded for at most `ms`, then
 * the connection is closed if the body has not ended: closing a connection with unread bytes makes the kernel reset
 * it, and a client still writing would lose the answer to a broken pipe (a lingering close).
 */
export function lingerThenClose(req: IncomingMessage, ms: number): void {
  if (req.complete || req.destroyed) return;
  const timer = setTimeout(() => req.socket.destroy(), ms);
  const done = () => clearTimeout(timer);
  req.once("end", done);
  req.once("close", done);
  req.on("data", () => {});
  req.resume();
}

/** Writes a web Response to Node's response: status, headers (each Set-Cookie apart) and the body as it comes. */
export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return void res.end();
    if (!res.write(value) && !(await drained(res))) return void (await reader.cancel()); // the client went away
  }
}

/** True once Node's response can take more, false if the connection closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (more: boolean) => () => {
      res.off("drain", onDrain).off("close", onClose);
      resolve(more);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.once("drain", onDrain).once("close", onClose);
  });
}
