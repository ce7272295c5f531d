// Admin in a real browser: create a user, change their role, disable them; other roles cannot, even by forging requests.
import { expect, test } from "@playwright/test";
import { createUserInForm, databaseSnapshot, errorAlert, fillSignIn, openSection, seedUser, signIn } from "./helpers";
import { E2E_URL } from "./env";

test("an admin creates a user, changes the role and disables the account", async ({ page, browser }) => {
  await signIn(page, await seedUser("admin"));
  await openSection(page, "Admin");
  const email = `new-${Date.now()}@e2e.example`;
  await createUserInForm(page, email);

  const row = page.getByTestId(`user-row-${email}`);
  await expect(row).toContainText("active");
  await row.getByLabel(`Role of ${email}`).selectOption("auditor");
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("auditor");
  await expect(row.getByRole("status")).toHaveText("Saved: now Auditor");

  // The new user can sign in, with the new role.
  const other = await browser.newPage();
  await fillSignIn(other, email, "a brand new password");
  await expect(other.getByTestId("signed-in-role")).toHaveText("Auditor");

  await row.getByRole("button", { name: "Disable" }).click();
  await row.getByRole("button", { name: "Yes, disable" }).click();
  await expect(row).toContainText("disabled");
  await other.reload();
  await expect(other).toHaveURL(/\/sign-in$/);
});

test("a too-short password and a duplicate email get clear errors", async ({ page }) => {
  const admin = await seedUser("admin");
  await signIn(page, admin);
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "New user" });
  await form.getByLabel("Email").fill(admin.email);
  await form.getByLabel("Name").fill("Dup");
  await form.getByLabel(/Password/).fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(errorAlert(page)).toContainText("password: Password must be at least 12 characters");
  await form.getByLabel(/Password/).fill("long enough password");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(errorAlert(page)).toHaveText(`A user with the email ${admin.email} already exists.`);
});

test("an engineer's forged request to create a user is refused with 403 and changes nothing", async ({ page }) => {
  await signIn(page, await seedUser("engineer"));
  const before = await databaseSnapshot();
  const response = await page.request.post("/api/trpc/users.create", {
    headers: { origin: E2E_URL },
    data: { json: { email: "forged@e2e.example", name: "Forged", role: "admin", password: "forged password!!" } },
  });
  expect(response.status()).toBe(403);
  expect((await response.json()).error.json.data.code).toBe("FORBIDDEN");
  expect(await databaseSnapshot()).toEqual(before);
});

test("a cross-site request is refused even with an admin's cookies", async ({ page }) => {
  await signIn(page, await seedUser("admin"));
  const before = await databaseSnapshot();
  const response = await page.request.post("/api/trpc/users.create", {
    headers: { origin: "https://evil.example" },
    data: { json: { email: "csrf@e2e.example", name: "CSRF", role: "admin", password: "forged password!!" } },
  });
  expect(response.status()).toBe(403);
  expect(await databaseSnapshot()).toEqual(before);
});
