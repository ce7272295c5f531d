// The tRPC endpoint's bounds: bodies over the limit are refused (413) before or while they stream, without reading
// the rest; answers are never cached.
import { beforeAll, describe, expect, it } from "vitest";
import { testWorld, type TestWorld } from "../testing";
import { readBoundedBody } from "./bounded-body";
import { handleTrpc } from "./trpc-endpoint";

const LIMIT = 1024;
const URL_BASE = "http://localhost:3000/api/trpc";

let world: TestWorld;
beforeAll(async () => {
  world = await testWorld();
});

function settings() {
  return { publicUrl: "http://localhost:3000", maxBodyBytes: LIMIT, createContext: async () => ({ db: world.db, user: world.users.engineer }) };
}

/** A body of `chunks` chunks of `size` bytes that counts how many bytes were pulled from it. */
function countingStream(chunks: number, size: number) {
  const pulled = { bytes: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      pulled.bytes += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
  return { stream, pulled };
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return new Request(`${URL_BASE}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("the tRPC endpoint", () => {
  it("refuses a declared Content-Length over the limit before reading a byte", async () => {
    const { stream, pulled } = countingStream(1000, 1024);
    const res = await handleTrpc(post("budgets.request", stream, { "content-length": String(250 * 1024 * 1024) }), settings());
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(pulled.bytes).toBeLessThanOrEqual(1024);
  });

  it("counts a chunked body while it streams and stops reading it past the limit", async () => {
    const { stream, pulled } = countingStream(250_000, 1000); // 250 MB
    const res = await handleTrpc(post("budgets.request", stream), settings());
    expect(res.status).toBe(413);
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(pulled.bytes).toBeLessThanOrEqual(LIMIT + 3 * 1000);
  });

  it("does not trust a Content-Length smaller than the body", async () => {
    const { stream } = countingStream(10, 1000);
    await expect(readBoundedBody(post("x", stream, { "content-length": "10" }), LIMIT)).rejects.toThrow(/limited to 1024 bytes/);
  });

  it("serves a body within the limit, marked no-store", async () => {
    const res = await handleTrpc(new Request(`${URL_BASE}/session.me`), settings());
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    const body = JSON.stringify({ json: { datasetId: "00000000-0000-4000-8000-000000000000", epsilon: 1, delta: 1e-6, reason: "r" } });
    const posted = await handleTrpc(post("budgets.request", body), settings());
    expect(posted.status).not.toBe(413);
    expect(posted.headers.get("cache-control")).toBe("no-store, no-transform");
  });
});
