// Local sign-in: right and wrong passwords, disabled accounts, and the slow-down after repeated failures.
import { beforeEach, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../audit/service";
import { AppError } from "../errors";
import { TEST_PASSWORD, testWorld, type TestWorld } from "../testing";
import { setDisabled } from "../users/service";
import { REMOTE_ADDRESS_HEADER, stampRemoteAddresses, trustedProxies } from "./client-address";
import { createCaller } from "../root";
import { ACCOUNT_DISABLED, ACCOUNT_DISABLED_ERROR, WRONG_CREDENTIALS, authenticate, clientIp, isDisabledUser, signInNotice } from "./sign-in";
import { waitBeforeSignIn } from "./throttle";

const limits = { perAccount: 3, perIp: 5 };
let world: TestWorld;
beforeEach(async () => {
  world = await testWorld();
});

async function attempt(email: string, password: string, ip: string | null = "10.0.0.1") {
  try {
    return (await authenticate(world.db, { email, password, ip }, limits)).email;
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe("sign-in", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    expect(await attempt("Engineer@Test.Example", TEST_PASSWORD)).toBe("engineer@test.example");
  });

  it("refuses a wrong password, an unknown account and a disabled account's wrong password with the same message", async () => {
    const refused = `UNAUTHORIZED: ${WRONG_CREDENTIALS}`;
    expect(await attempt("engineer@test.example", "wrong password!")).toBe(refused);
    expect(await attempt("nobody@test.example", TEST_PASSWORD)).toBe(refused);
    await setDisabled(world.db, SYSTEM_ACTOR, { userId: world.users.auditor.id, disabled: true });
    expect(await attempt("auditor@test.example", "wrong password!")).toBe(refused);
  });

  it("tells the owner of a disabled account, and only them (the right password), that it was disabled", async () => {
    await setDisabled(world.db, SYSTEM_ACTOR, { userId: world.users.auditor.id, disabled: true });
    expect(await attempt("auditor@test.example", TEST_PASSWORD)).toBe(`FORBIDDEN: ${ACCOUNT_DISABLED}`);
    // Still a failed sign-in for the throttle: a disabled account is no way around it.
    for (let i = 1; i < limits.perAccount; i++) await attempt("auditor@test.example", TEST_PASSWORD);
    expect(await attempt("auditor@test.example", TEST_PASSWORD)).toMatch(/^TOO_MANY_REQUESTS/);
    expect(await isDisabledUser(world.db, world.users.auditor.id)).toBe(true);
    expect(await isDisabledUser(world.db, world.users.engineer.id)).toBe(false);
  });

  it("says why on the sign-in page for a disabled user's old session and a disabled single sign-on, and nothing otherwise", async () => {
    expect(signInNotice(undefined, true)).toBe(ACCOUNT_DISABLED);
    expect(signInNotice(ACCOUNT_DISABLED_ERROR, false)).toBe(ACCOUNT_DISABLED);
    expect(signInNotice("AccessDenied", false)).toBe("This account may not sign in.");
    expect(signInNotice(undefined, false)).toBeNull();
    expect(signInNotice("Anything else", false)).toBeNull();
    const caller = createCaller({ db: world.db, user: null, disabledSession: true });
    expect(await caller.session.signInOptions()).toMatchObject({ signedIn: false, disabled: true });
    expect(await createCaller({ db: world.db, user: null }).session.signInOptions()).toMatchObject({ disabled: false });
  });

  it("slows an account down after repeated failures, even for the right password, from any address", async () => {
    for (let i = 0; i < limits.perAccount; i++) await attempt("engineer@test.example", "wrong password!", `10.0.0.${i}`);
    expect(await attempt("engineer@test.example", TEST_PASSWORD, "10.9.9.9")).toMatch(/^TOO_MANY_REQUESTS: Too many failed sign-ins\. Try again in \d+ s\.$/);
    expect(await attempt("admin@test.example", TEST_PASSWORD, "10.9.9.9")).toBe("admin@test.example");
  });

  it("slows an address down after failures across accounts", async () => {
    for (let i = 0; i < limits.perIp; i++) await attempt(`user${i}@test.example`, "wrong password!", "10.6.6.6");
    expect(await attempt("admin@test.example", TEST_PASSWORD, "10.6.6.6")).toMatch(/^TOO_MANY_REQUESTS/);
    expect(await attempt("admin@test.example", TEST_PASSWORD, "10.7.7.7")).toBe("admin@test.example");
  });

  it("doubles the wait with each further failure and lets it expire", async () => {
    const email = "engineer@test.example";
    for (let i = 0; i < limits.perAccount; i++) await attempt(email, "wrong password!", null);
    const first = await waitBeforeSignIn(world.db, email, null);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(1000);
    expect(await waitBeforeSignIn(world.db, email, null, Date.now() + 1001)).toBe(0);
  });

  describe("the address it counts failures against", () => {
    stampRemoteAddresses();
    const noProxies = trustedProxies([]);
    const request = (remote: string | undefined, forwardedFor?: string): Record<string, string> => ({
      ...(remote === undefined ? {} : { [REMOTE_ADDRESS_HEADER]: remote }),
      ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
    });

    it("is the socket's address, whatever X-Forwarded-For says, when no proxy is trusted", () => {
      expect(clientIp(request("10.0.0.1", "1.1.1.1, 2.2.2.2"), noProxies)).toBe("10.0.0.1");
      expect(clientIp(new Headers(request("::ffff:127.0.0.1", "9.9.9.9")), noProxies)).toBe("127.0.0.1");
      expect(clientIp(request(undefined, "2.2.2.2"), noProxies)).toBeNull();
    });

    it("walks X-Forwarded-For from the right past trusted proxies only, and never further", () => {
      const proxies = trustedProxies(["10.0.0.0/8", "2001:db8::1"]);
      expect(clientIp(request("10.0.0.1", "6.6.6.6, 2.2.2.2"), proxies)).toBe("2.2.2.2");
      expect(clientIp(request("2001:DB8::1", "6.6.6.6, 2.2.2.2, 10.1.2.3"), proxies)).toBe("2.2.2.2");
      // An untrusted socket's own claims are ignored, however they look.
      expect(clientIp(request("3.3.3.3", "10.0.0.2"), proxies)).toBe("3.3.3.3");
      // Every hop a proxy: the leftmost one is the client; a value that is no address stops at the proxy that wrote it.
      expect(clientIp(request("10.0.0.1", "10.0.0.2"), proxies)).toBe("10.0.0.2");
      expect(clientIp(request("10.0.0.1", "unknown"), proxies)).toBe("10.0.0.1");
    });

    it("counts spoofed X-Forwarded-For values from one untrusted socket against that socket", async () => {
      for (let i = 0; i < limits.perIp; i++) {
        const ip = clientIp(request("10.6.6.6", `192.0.2.${i}`), noProxies);
        await attempt(`spoof${i}@test.example`, "wrong password!", ip);
      }
      const next = clientIp(request("10.6.6.6", "198.51.100.1"), noProxies);
      expect(await attempt("admin@test.example", TEST_PASSWORD, next)).toMatch(/^TOO_MANY_REQUESTS/);
    });
  });
});
