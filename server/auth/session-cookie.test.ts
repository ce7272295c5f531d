// The session read from the cookie: next-auth's own tokens are honoured, whole or in chunks, under the cookie name
// for the scheme; an absent, expired, altered or other secret's token, or one without the claims, is no session.
import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionCookieName, sessionCookieValue, sessionFromCookies } from "./session-cookie";

const secret = "a-test-secret-of-at-least-thirty-two-characters";
const claims = { sub: "u1", role: "engineer" as const, sessionVersion: 3 };
const token = { ...claims, email: "e@x.example", name: "E" };
const plain = { secret, secure: false };

describe("sessionFromCookies", () => {
  it("reads next-auth's token under the cookie name of the scheme", async () => {
    const value = await encode({ token, secret });
    expect(await sessionFromCookies([{ name: "other", value: "x" }, { name: "next-auth.session-token", value }], plain)).toEqual(claims);
    expect(await sessionFromCookies([{ name: "next-auth.session-token", value }], { secret, secure: true })).toBeNull();
    expect(await sessionFromCookies([{ name: "__Secure-next-auth.session-token", value }], { secret, secure: true })).toEqual(claims);
  });

  it("joins a token split into chunks, in their numeric order", async () => {
    const value = await encode({ token, secret });
    const cut = [value.slice(0, 40), value.slice(40, 90), value.slice(90)];
    // Chunks 10 and 2 sort numerically, not as text: eleven chunks, the first eight empty.
    const chunks = [...Array.from({ length: 8 }, (_, i) => ({ name: `next-auth.session-token.${i}`, value: "" })), { name: "next-auth.session-token.10", value: cut[2] as string }, { name: "next-auth.session-token.9", value: cut[1] as string }, { name: "next-auth.session-token.8", value: cut[0] as string }];
    expect(sessionCookieValue(chunks, sessionCookieName(false))).toBe(value);
    expect(await sessionFromCookies(chunks, plain)).toEqual(claims);
  });

  it("is no session when the token is absent, expired, altered, another secret's or lacks the claims", async () => {
    const cookie = (value: string) => [{ name: "next-auth.session-token", value }];
    expect(await sessionFromCookies([], plain)).toBeNull();
    expect(await sessionFromCookies(cookie(await encode({ token, secret, maxAge: -60 })), plain)).toBeNull();
    const good = await encode({ token, secret });
    expect(await sessionFromCookies(cookie(good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA")), plain)).toBeNull();
    expect(await sessionFromCookies(cookie(good), { secret: `${secret}!`, secure: false })).toBeNull();
    expect(await sessionFromCookies(cookie("not-a-token"), plain)).toBeNull();
    const { sessionVersion: _before, ...noVersion } = token;
    expect(await sessionFromCookies(cookie(await encode({ token: noVersion, secret })), plain)).toBeNull();
    expect(await sessionFromCookies(cookie(await encode({ token: { ...token, role: "root" as never }, secret })), plain)).toBeNull();
  });
});
