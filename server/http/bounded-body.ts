// Request bodies read with a bound: a declared Content-Length over the limit is refused before a byte is read, and
// a body without one (chunked) or with a false one is counted while it streams and cut off at the limit. What a client
// is still sending past the limit is the server's to discard after the 413 (dashboard-server.ts's lingering close).
import { NO_STORE } from "./no-store";

/** A body over the limit: answered 413; nothing more of it is kept. */
export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
  constructor(readonly limit: number) {
    super(`Request bodies are limited to ${limit} bytes.`);
  }
}

/** The 413 answer, in the same shape as the other route handlers' errors. */
export function payloadTooLargeResponse(err: PayloadTooLargeError): Response {
  return Response.json(
    { error: { code: "PAYLOAD_TOO_LARGE", message: err.message } },
    { status: 413, headers: { "cache-control": NO_STORE } },
  );
}

/**
 * The whole body, at most `limit` bytes of it: throws PayloadTooLargeError when Content-Length declares more, or
 * once the bytes streamed exceed the limit (the stream is then cancelled). Holds no more than `limit` bytes at any time.
 */
export async function readBoundedBody(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared.trim()) || Number(declared) > limit)) throw new PayloadTooLargeError(limit);
  if (!req.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/** The same request with its body read under the bound (GET and HEAD, which carry none, pass as they are). */
export async function boundedRequest(req: Request, limit: number): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const body = await readBoundedBody(req, limit);
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}
