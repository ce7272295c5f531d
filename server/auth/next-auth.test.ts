// Session cookies are Secure behind HTTPS (next-auth then also gives them the __Secure- prefix); HttpOnly and
// SameSite=Lax are next-auth's defaults, checked in the browser by e2e/sign-in.spec.ts.
import { expect, it } from "vitest";
import { secureCookies } from "./next-auth";

it("uses Secure cookies exactly when the public URL is https", () => {
  expect(secureCookies({ NEXTAUTH_URL: "https://ledger.example.com" })).toBe(true);
  expect(secureCookies({ NEXTAUTH_URL: "http://localhost:3000" })).toBe(false);
});
