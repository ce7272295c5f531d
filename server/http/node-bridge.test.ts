// Node's request and response as web ones, over a real HTTP server: headers both ways (each Set-Cookie apart), the
// body pulled only when read, an unread body left for Node to discard, and the abort signal when the client leaves.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { requestFromNode, sendResponse } from "./node-bridge";

let server: http.Server | null = null;
afterEach(
  () =>
    new Promise<void>((resolve) => {
      server?.closeAllConnections();
      return server ? server.close(() => resolve()) : resolve();
    }),
);

/** A server answering with `handle`, and its base URL. */
async function serve(handle: (req: Request, raw: IncomingMessage, res: ServerResponse) => Promise<Response>): Promise<string> {
  server = http.createServer((raw, res) => void handle(requestFromNode(raw, res), raw, res).then((answer) => sendResponse(res, answer)));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the Node bridge", () => {
  it("passes the method, URL, headers and body in, and the status, headers and body out", async () => {
    const base = await serve(async (req) => {
      const headers = new Headers({ "content-type": "application/json", "x-seen": req.headers.get("x-mine") ?? "" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response(JSON.stringify({ method: req.method, url: req.url, body: await req.text() }), { status: 201, headers });
    });
    const answer = await fetch(`${base}/api/x?y=1`, { method: "POST", headers: { "x-mine": "yes" }, body: "hello" });
    expect(answer.status).toBe(201);
    expect(answer.headers.get("x-seen")).toBe("yes");
    expect(answer.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await answer.json()).toEqual({ method: "POST", url: `${base}/api/x?y=1`, body: "hello" });
  });

  it("pulls nothing of a body the handler does not read, and the answer still arrives", async () => {
    let flowing: boolean | null | undefined;
    const base = await serve(async (_req, raw) => {
      flowing = raw.readableFlowing; // null: nothing reads the body (tRPC's own bridge would already be reading it)
      return new Response("refused", { status: 413 });
    });
    const answer = await fetch(`${base}/`, { method: "POST", body: "x".repeat(1 << 20) });
    expect(answer.status).toBe(413);
    expect(await answer.text()).toBe("refused");
    expect(flowing).toBeNull();
  });

  it("streams a body out chunk by chunk, and aborts the request's signal when the client goes away", async () => {
    let aborted: Promise<boolean> = Promise.resolve(false);
    const base = await serve(async (req) => {
      aborted = new Promise((resolve) => req.signal.addEventListener("abort", () => resolve(true)));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("first "));
        },
      }); // never closes: the client leaves before the end
      return new Response(body);
    });
    const leaving = new AbortController();
    const answer = await fetch(`${base}/`, { signal: leaving.signal });
    const reader = answer.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first ");
    leaving.abort();
    expect(await aborted).toBe(true);
  });
});
