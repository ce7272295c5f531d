// Every API answer (tRPC, downloads, uploads) is marked no-store, by next.config.ts and by the handlers themselves.
import { expect, it } from "vitest";
import config from "../../next.config";
import { noStore } from "./no-store";

it("next.config.ts marks every /api answer no-store", async () => {
  const rules = (await config.headers?.()) ?? [];
  const api = rules.find((r) => r.source === "/api/:path*");
  expect(api?.headers).toContainEqual({ key: "Cache-Control", value: "no-store, no-transform" });
});

it("noStore overrides whatever caching a handler set", () => {
  const res = noStore(new Response("x", { headers: { "cache-control": "public, max-age=3600" } }));
  expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
});
