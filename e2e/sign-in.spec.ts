// Sign-in and role-based access in a real browser: each role sees only its sections, and the server refuses the rest;
// the per-IP throttle counts the socket's address, and revoked sessions' copied cookies are refused.
import { randomInt, randomUUID } from "node:crypto";
import http from "node:http";
import { expect, test, type Browser, type Cookie } from "@playwright/test";
import type { Role } from "../db/schema";
import { REMOTE_ADDRESS_HEADER } from "../server/auth/client-address";
import { E2E_TRUSTED_PROXY, E2E_URL } from "./env";
import { disableUser, errorAlert, fillSignIn, seedUser, setUserDisabled, signIn } from "./helpers";

const ALL_SECTIONS = ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents", "Federation", "Audit", "Admin"];
const VISIBLE: Record<Role, string[]> = {
  admin: ["Datasets", "Federation", "Audit", "Admin"],
  privacy_officer: ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents", "Federation"],
  engineer: ["Datasets", "Models", "Runs", "Budgets", "Federation"],
  auditor: ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents", "Federation", "Audit"],
};
const ROLE_LABEL: Record<Role, string> = {
  admin: "Admin",
  privacy_officer: "Privacy officer",
  engineer: "Engineer",
  auditor: "Auditor",
};

test("an anonymous visitor is sent to the sign-in page", async ({ page }) => {
  await page.goto("/budgets");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in to Epsilon Ledger" })).toBeVisible();
});

test("pages carry a nonce-based CSP and security headers, and the session cookie is HttpOnly and SameSite", async ({ page }) => {
  const response = await page.goto("/sign-in");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  await signIn(page, await seedUser("auditor"));
  const session = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});

test("a wrong password is refused and does not sign in", async ({ page }) => {
  const user = await seedUser("engineer");
  await fillSignIn(page, user.email, "not the password at all");
  await expect(errorAlert(page)).toHaveText("Wrong email or password.");
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

for (const role of Object.keys(VISIBLE) as Role[]) {
  test(`${role} sees only its sections, and the server refuses the others with 403`, async ({ page }) => {
    const user = await seedUser(role);
    await signIn(page, user);
    await expect(page.getByTestId("signed-in-role")).toHaveText(ROLE_LABEL[role]);
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link")).toHaveText(VISIBLE[role]);

    for (const label of ALL_SECTIONS) {
      const response = await page.goto(`/${label.toLowerCase()}`);
      if (VISIBLE[role].includes(label)) {
        expect(response?.status(), label).toBe(200);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
      } else {
        expect(response?.status(), label).toBe(403);
        await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
      }
    }
  });
}

test("a disabled user's open session stops working on the next request, and they are told why", async ({ page }) => {
  const user = await seedUser("engineer");
  await signIn(page, user);
  await disableUser(user.id);
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(errorAlert(page)).toHaveText("This account was disabled by an administrator.");
  await fillSignIn(page, user.email, "not the password at all");
  await expect(errorAlert(page)).toHaveText("Wrong email or password.");
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, await seedUser("auditor"));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/sign-in$/);
});

/** Opens the dashboard with someone else's cookies: 'signed in' when they still hold a session, else 'sign-in page'. */
async function withCopiedCookies(browser: Browser, cookies: Cookie[]): Promise<"signed in" | "sign-in page"> {
  const thief = await browser.newContext({ baseURL: E2E_URL });
  try {
    await thief.addCookies(cookies);
    const page = await thief.newPage();
    await page.goto("/datasets");
    return new URL(page.url()).pathname === "/sign-in" ? "sign-in page" : "signed in";
  } finally {
    await thief.close();
  }
}

test("a copied session cookie stops working once its user signs out", async ({ page, browser }) => {
  await signIn(page, await seedUser("auditor"));
  const cookies = await page.context().cookies();
  expect(await withCopiedCookies(browser, cookies)).toBe("signed in");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await withCopiedCookies(browser, cookies)).toBe("sign-in page");
});

test("disabling and re-enabling a user voids the cookies issued before; a new sign-in works", async ({ page, browser }) => {
  const user = await seedUser("engineer");
  await signIn(page, user);
  const cookies = await page.context().cookies();
  await setUserDisabled(user.id, true);
  await setUserDisabled(user.id, false);
  expect(await withCopiedCookies(browser, cookies)).toBe("sign-in page");
  await signIn(page, user);
});

/** One request to the e2e server from a chosen loopback address (Linux routes all of 127.0.0.0/8 to itself). */
function request(from: string, path: string, init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string }) {
  const url = new URL(path, E2E_URL);
  return new Promise<{ body: string; cookies: string[] }>((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: url.port, path: url.pathname, method: init.method, localAddress: from, headers: { host: url.host, ...init.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ body, cookies: (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!) }));
      },
    );
    req.on("error", reject).end(init.body);
  });
}

/**
 * A failed credentials sign-in through next-auth's own endpoints, from a socket bound to `from`, claiming
 * `forwardedFor` (and a forged socket-address header); returns the message the sign-in page would show.
 */
async function failedSignIn(from: string, forwardedFor: string): Promise<string> {
  const csrf = await request(from, "/api/auth/csrf", { method: "GET" });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const email = `nobody-${randomUUID().slice(0, 8)}@e2e.example`;
  const answer = await request(from, "/api/auth/callback/credentials", {
    method: "POST",
    headers: {
      cookie: csrf.cookies.join("; "),
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-for": forwardedFor,
      [REMOTE_ADDRESS_HEADER]: forwardedFor,
    },
    body: new URLSearchParams({ csrfToken, email, password: "not anybody's password", json: "true" }).toString(),
  });
  const { url } = JSON.parse(answer.body) as { url: string };
  return new URL(url).searchParams.get("error") ?? "";
}

const THROTTLED = /^Too many failed sign-ins\. Try again in \d+ s\.$/;
const WRONG = "Wrong email or password.";

test("failed sign-ins from one socket are throttled, whatever X-Forwarded-For each one claims", async () => {
  // A loopback address of this test's own, so that the browser's sign-ins (from 127.0.0.1 or ::1) are not slowed.
  const socket = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(4, 255)}`;
  const errors: string[] = [];
  for (let i = 0; i < 23; i++) errors.push(await failedSignIn(socket, `198.51.100.${i + 1}`));
  // SIGN_IN_MAX_FAILURES_PER_IP is 20 on the e2e server: the 20th failure starts the wait.
  expect(errors.slice(0, 20)).toEqual(Array(20).fill(WRONG));
  for (const error of errors.slice(20)) expect(error).toMatch(THROTTLED);
});

test("behind a trusted proxy, the address it forwards is the one throttled", async () => {
  const client = `203.0.113.${randomInt(1, 200)}`;
  const errors: string[] = [];
  for (let i = 0; i < 21; i++) errors.push(await failedSignIn(E2E_TRUSTED_PROXY, `192.0.2.1, ${client}`));
  expect(errors.slice(0, 20)).toEqual(Array(20).fill(WRONG));
  expect(errors[20]).toMatch(THROTTLED);
  // Another client of the same proxy is not slowed down: the proxy's own address was never counted.
  expect(await failedSignIn(E2E_TRUSTED_PROXY, `192.0.2.1, 203.0.113.${randomInt(201, 255)}`)).toBe(WRONG);
});
