// Bounded requests against the built server: an oversized tRPC body is refused (413) whether it declares its length
// or streams chunked, and API answers, signed in or not, carry Cache-Control: no-store.
import { expect, test } from "@playwright/test";
import { postChunked, seedUser, signIn } from "./helpers";

const TWO_MB = 2 * 1024 * 1024;

test("a tRPC body over the limit is refused with 413, declared or chunked", async ({ request }) => {
  const declared = await request.post("/api/trpc/budgets.request", { headers: { "content-type": "application/json" }, data: Buffer.alloc(TWO_MB, 0x20) });
  expect(declared.status()).toBe(413);
  expect(declared.headers()["cache-control"]).toBe("no-store, no-transform");

  // A chunked body (no length declared): the server answers 413 and closes as soon as the bytes pass the limit,
  // possibly while this client is still writing; the answer is what counts, not the broken pipe.
  const status = await postChunked("/api/trpc/budgets.request", Buffer.alloc(TWO_MB, 0x20), { "content-type": "application/json" });
  expect(status).toBe(413);
});

test("API answers are never cached", async ({ page, request }) => {
  const anonymous = await request.get("/api/trpc/session.signInOptions");
  expect(anonymous.headers()["cache-control"]).toBe("no-store, no-transform");
  await signIn(page, await seedUser("engineer"));
  const me = await page.request.get("/api/trpc/session.me");
  expect(me.status()).toBe(200);
  expect(me.headers()["cache-control"]).toBe("no-store, no-transform");
});
