// Request bodies read with a bound: a declared Content-Length over the limit is refused before a byte is read, and
// a body without one (chunked) or with a false one is counted while it streams and cut off at the limit. What a client
// is still sending past the limit is read and thrown away for a bounded while before the 413 (a lingering close):
// closing a connection with unread bytes makes the kernel reset it, and the client, still writing, would lose the
// answer to a broken pipe.
import { NO_STORE } from "./no-store";

/** After the limit, at most this much more of a body is read and discarded, for at most DRAIN_MS. */
export const DRAIN_BYTES = 16 * 1024 * 1024;
export const DRAIN_MS = 5_000;

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
    { status: 413, headers: { "cache-control": NO_STORE, connection: "close" } },
  );
}

/**
 * The whole body, at most `limit` bytes of it: throws PayloadTooLargeError when Content-Length declares more, or
 * once the bytes streamed exceed the limit (the rest is then drained: read and discarded, at most DRAIN_BYTES or
 * DRAIN_MS, and the stream cancelled). Holds no more than `limit` bytes at any time.
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
      await drain(reader);
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

/** Reads and discards what is left of a body, at most DRAIN_BYTES or DRAIN_MS, then cancels the stream. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), DRAIN_MS)));
  try {
    for (let drained = 0; drained < DRAIN_BYTES; ) {
      const next = await Promise.race([reader.read(), expired]);
      if (next === "expired" || next.done) break;
      drained += next.value.byteLength;
    }
  } catch {
    // the client went away: nothing left to drain
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => undefined);
  }
}

/** The same request with its body read under the bound (GET and HEAD, which carry none, pass as they are). */
export async function boundedRequest(req: Request, limit: number): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const body = await readBoundedBody(req, limit);
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}
