// Sign-in and role-based access in a real browser: each role sees only its sections, and the server refuses the rest.
import { expect, test } from "@playwright/test";
import type { Role } from "../db/schema";
import { disableUser, errorAlert, fillSignIn, seedUser, signIn } from "./helpers";

const ALL_SECTIONS = ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents", "Audit", "Admin"];
const VISIBLE: Record<Role, string[]> = {
  admin: ["Datasets", "Audit", "Admin"],
  privacy_officer: ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents"],
  engineer: ["Datasets", "Models", "Runs", "Budgets"],
  auditor: ["Datasets", "Models", "Runs", "Budgets", "Monitoring", "Incidents", "Audit"],
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

test("a disabled user's open session stops working on the next request", async ({ page }) => {
  const user = await seedUser("engineer");
  await signIn(page, user);
  await disableUser(user.id);
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/sign-in$/);
  await fillSignIn(page, user.email, user.password);
  await expect(errorAlert(page)).toHaveText("Wrong email or password.");
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, await seedUser("auditor"));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/sign-in$/);
});
