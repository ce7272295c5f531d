// The dashboard server's routing: tRPC requests answered by the endpoint itself, with the security headers Next gives
// its own answers, and every other request handed to Next (here a stand-in for Next's handler); reads take turns and
// actions pass them; a handler that throws gets a 500, and the server keeps serving.
import type { AddressInfo } from "node:net";
import nodeHttp from "node:http";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testWorld, type TestWorld } from "../testing";
import { dashboardServer, isTrpcPath } from "./dashboard-server";
import { NO_STORE } from "./no-store";
import { SECURITY_HEADERS } from "./security-headers";

let world: TestWorld;
let server: http.Server;
let base: string;
const handedOn: string[] = [];
/** Requests whose context was asked for (method and path), and how to hold those sent with `x-hold` until released. */
const contexts: string[] = [];
const held: (() => void)[] = [];
/** The lingering close's time here (the server's is longer). */
const LINGER = 1_000;

/**
 * POSTs `size` bytes of body to the endpoint through node:http, 64 KiB at a time, declaring the length or not; resolves
 * once the connection closes with the answer's status, whether an error came before the answer (a reset that lost
 * it), and when the connection closed.
 */
function streamPost(size: number, declare: boolean) {
  return new Promise<{ status: number; errorBeforeAnswer: boolean; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    const headers = { "content-type": "application/json", origin: "http://localhost:3000", ...(declare ? { "content-length": String(size) } : {}) };
    const req = nodeHttp.request(`${base}/api/trpc/runs.cancel`, { method: "POST", headers, agent: new nodeHttp.Agent({ keepAlive: true }) });
    let status = 0;
    let errorBeforeAnswer = false;
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.resume();
    });
    req.on("error", () => (errorBeforeAnswer ||= status === 0));
    req.on("close", () => resolve({ status, errorBeforeAnswer, closedAfterMs: Date.now() - started }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < size && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!req.destroyed) req.end();
    };
    write();
  });
}

beforeAll(async () => {
  world = await testWorld();
  const settings = { publicUrl: "http://localhost:3000", maxBodyBytes: 1024, createContext: async (req: Request) => {
      contexts.push(`${req.method} ${new URL(req.url).pathname}`);
      if (req.headers.get("x-hold")) await new Promise<void>((release) => held.push(release));
      return { db: world.db, user: world.users.engineer };
    },
  };
  server = dashboardServer(settings, async (req, res) => {
    if (req.url === "/broken") throw new Error("a bug in a handler");
    handedOn.push(req.url ?? "");
    res.end("from next");
  }, { readsAtOnce: 2, lingerMs: LINGER });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the dashboard server", () => {
  it("answers tRPC itself, with the security headers and no-store", async () => {
    const res = await fetch(`${base}/api/trpc/session.me`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: { json: { user: { email: string } } } } }).result.data.json.user.email).toBe(world.users.engineer.email);
    for (const { key, value } of SECURITY_HEADERS) expect(res.headers.get(key)).toBe(value);
    expect(res.headers.get("cache-control")).toBe(NO_STORE);
    expect(handedOn).not.toContain("/api/trpc/session.me");
  });

  it("hands every other path to Next, /api/trpc look-alikes included", async () => {
    for (const path of ["/", "/runs?page=2", "/api/auth/session", "/api/trpcx", "/api/trpc-like/x"]) {
      const res = await fetch(`${base}${path}`);
      expect(await res.text()).toBe("from next");
    }
    expect(handedOn).toEqual(["/", "/runs?page=2", "/api/auth/session", "/api/trpcx", "/api/trpc-like/x"]);
  });

  it("refuses a procedure it does not know as tRPC does, without handing it on", async () => {
    const res = await fetch(`${base}/api/trpc/no.such.procedure`);
    expect(res.status).toBe(404);
    expect(handedOn).not.toContain("/api/trpc/no.such.procedure");
  });

  it("answers two reads at once, the next in its turn, and an action without waiting", async () => {
    contexts.length = 0;
    const reads = [1, 2, 3].map(() => fetch(`${base}/api/trpc/session.me`, { headers: { "x-hold": "1" } }));
    await expect.poll(() => held.length).toBe(2);
    // A cancel of no such run: an action, answered while both turns are taken (and the third read still waits).
    const action = await fetch(`${base}/api/trpc/runs.cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: JSON.stringify({ json: { runId: "00000000-0000-4000-8000-000000000000" } }),
    });
    expect(action.status).toBe(404);
    expect(contexts).toEqual(["GET /api/trpc/session.me", "GET /api/trpc/session.me", "POST /api/trpc/runs.cancel"]);
    held.splice(0).forEach((release) => release());
    await expect.poll(() => held.length).toBe(1); // the third read's turn came
    held.splice(0).forEach((release) => release());
    expect((await Promise.all(reads)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("answers a 50 MB body over the limit with 413 that the client still sending receives, then closes after a linger", async () => {
    for (const declare of [true, false]) {
      const result = await streamPost(50 * 1024 * 1024, declare);
      expect(result).toMatchObject({ status: 413, errorBeforeAnswer: false });
      // The client has its answer and stops sending; the server kept reading for the lingering time, then closed.
      expect(result.closedAfterMs).toBeGreaterThanOrEqual(LINGER - 100);
    }
  });

  it("answers 500 when a handler throws, and goes on serving", async () => {
    const res = await fetch(`${base}/broken`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Internal server error");
    expect((await fetch(`${base}/api/trpc/session.me`)).status).toBe(200);
  });
});

describe("isTrpcPath", () => {
  it("is the endpoint and what is below it, whatever the query", () => {
    expect(["/api/trpc", "/api/trpc/runs.list", "/api/trpc/a,b?batch=1", "/api/trpc?x=1"].map(isTrpcPath)).toEqual([true, true, true, true]);
    expect(["/api/trpcx", "/api", "/", undefined, "/x/api/trpc/y"].map(isTrpcPath)).toEqual([false, false, false, false, false]);
  });
});
