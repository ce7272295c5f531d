// Bounded requests against the built server: an oversized tRPC body is refused (413) whether it declares its length
// or streams chunked, and API answers, signed in or not, carry Cache-Control: no-store.
import { expect, test } from "@playwright/test";
import { E2E_URL } from "./env";
import { seedUser, signIn } from "./helpers";

const TWO_MB = 2 * 1024 * 1024;

test("a tRPC body over the limit is refused with 413, declared or chunked", async ({ request }) => {
  const declared = await request.post("/api/trpc/budgets.request", { headers: { "content-type": "application/json" }, data: Buffer.alloc(TWO_MB, 0x20) });
  expect(declared.status()).toBe(413);
  expect(declared.headers()["cache-control"]).toBe("no-store");

  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= TWO_MB) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
    },
  });
  const chunked = await fetch(`${E2E_URL}/api/trpc/budgets.request`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
  expect(chunked.status).toBe(413);
});

test("API answers are never cached", async ({ page, request }) => {
  const anonymous = await request.get("/api/trpc/session.signInOptions");
  expect(anonymous.headers()["cache-control"]).toBe("no-store");
  await signIn(page, await seedUser("engineer"));
  const me = await page.request.get("/api/trpc/session.me");
  expect(me.status()).toBe(200);
  expect(me.headers()["cache-control"]).toBe("no-store");
});
