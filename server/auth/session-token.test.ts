// Our session tokens are next-auth's: each decodes the other's (so sessions survive the change both ways), the
// expiry and a wrong secret are enforced, and a token is not readable without the secret.
import { decode, encode } from "next-auth/jwt";
import { expect, it } from "vitest";
import { decodeSessionToken, encodeSessionToken } from "./session-token";

const secret = "a-test-secret-of-at-least-thirty-two-characters";
const token = { sub: "u1", role: "engineer" as const, sessionVersion: 3, email: "e@x.example", name: "E" };

it("reads next-auth's tokens, and next-auth reads ours", async () => {
  expect(await decodeSessionToken({ token: await encode({ token, secret }), secret })).toMatchObject(token);
  expect(await decode({ token: await encodeSessionToken({ token, secret }), secret })).toMatchObject(token);
  const salted = await encode({ token, secret, salt: "s" });
  expect(await decodeSessionToken({ token: salted, secret, salt: "s" })).toMatchObject(token);
});

it("refuses an expired token, another secret's, and an altered one", async () => {
  const expired = await encodeSessionToken({ token, secret, maxAge: -60 });
  await expect(decodeSessionToken({ token: expired, secret })).rejects.toThrow(/exp/);
  const ours = await encodeSessionToken({ token, secret });
  await expect(decodeSessionToken({ token: ours, secret: `${secret}!` })).rejects.toThrow();
  const altered = ours.slice(0, -4) + (ours.endsWith("AAAA") ? "BBBB" : "AAAA");
  await expect(decodeSessionToken({ token: altered, secret })).rejects.toThrow();
  expect(ours).not.toContain("engineer");
});
