// CSRF defence: state-changing requests must be JSON and, when the browser names an origin, ours.
import { describe, expect, it } from "vitest";
import { assertSameOriginJson, ownOrigins } from "./same-origin";

const url = "http://localhost:3000/api/trpc/users.create";
const post = (headers: Record<string, string>) => new Request(url, { method: "POST", headers });
const origins = ownOrigins(new Request(url), "https://ledger.example.com");

describe("assertSameOriginJson", () => {
  it("lets our own JSON posts and every GET through", () => {
    expect(() => assertSameOriginJson(post({ "content-type": "application/json", origin: "http://localhost:3000" }), origins)).not.toThrow();
    expect(() => assertSameOriginJson(post({ "content-type": "application/json", origin: "https://ledger.example.com" }), origins)).not.toThrow();
    expect(() => assertSameOriginJson(post({ "content-type": "application/json" }), origins)).not.toThrow();
    expect(() => assertSameOriginJson(new Request(url, { headers: { origin: "https://evil.example" } }), origins)).not.toThrow();
  });

  it("refuses posts a cross-site form or page could send", () => {
    expect(() => assertSameOriginJson(post({ "content-type": "text/plain" }), origins)).toThrow(/application\/json/);
    expect(() => assertSameOriginJson(post({ "content-type": "application/x-www-form-urlencoded" }), origins)).toThrow();
    expect(() => assertSameOriginJson(post({ "content-type": "application/json", origin: "https://evil.example" }), origins)).toThrow(
      "Requests from https://evil.example are not allowed.",
    );
  });
});
