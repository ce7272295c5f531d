// The role guides' walk-throughs (docs/guides/<role>.md): each test does one role's jobs step by step in a real
// Chromium, asserts what the guide says a person sees, and refreshes the guide's screenshots
// (docs/guides/img/<role>-<step>.png, 1280x800). To extend a guide: add a `test.step` with its assertions and a
// `shot(page, "<role>-<NN>-<what>")`, and the same step, with the image, to the guide.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { verifyBundle } from "../server/provenance/verify";
import { fillSignIn, openSection, seedUser, signIn } from "./helpers";
import { worldOnce, type World } from "./world";

const VIEWPORT = { width: 1280, height: 800 };

test.use({ viewport: VIEWPORT });
// The guides tell one story: the engineer asks for budget that the officer then decides on, and so on.
test.describe.configure({ mode: "serial" });

let world: World;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  world = await worldOnce(page, "guides");
  await page.close();
});

/** Saves what the screen shows now as docs/guides/img/<name>.png, with `focus` scrolled into view. */
async function shot(page: Page, name: string, focus?: Locator): Promise<void> {
  if (focus) await focus.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `docs/guides/img/${name}.png`, animations: "disabled", caret: "hide" });
}

const modelRow = (page: Page) => page.getByTestId(`model-epsilon-gpt-moby-dick/${world.datasetName}-v1`);

test("engineer: sign in, upload and minimise data, ask for budget, launch a run, read the model's guarantee", async ({ page }) => {
  test.setTimeout(180_000);
  const engineer = world.users.engineer;
  const name = `guide-notes-${randomUUID().slice(0, 4)}`;

  await test.step("sign in", async () => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(engineer.email);
    await page.getByLabel("Password").fill(engineer.password);
    await shot(page, "engineer-01-sign-in");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${engineer.name}`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("Engineer");
    await shot(page, "engineer-02-home");
  });

  await test.step("upload a dataset", async () => {
    await openSection(page, "Datasets");
    const upload = page.getByRole("form", { name: "Upload a dataset" });
    await upload.getByLabel("New dataset name").fill(name);
    await upload.getByLabel("Subject id field (optional)").fill("patient");
    const records = [
      { text: "Patient Alice Smith, alice.smith@example.com, asked about her bill", patient: "p1" },
      { text: "Please call me back on 555-867-5309", patient: "p1" },
      { text: "Thanks for the quick answer", patient: "p2" },
    ];
    await upload.getByLabel("File").setInputFiles({ name: "notes.jsonl", mimeType: "application/json", buffer: Buffer.from(records.map((r) => JSON.stringify(r)).join("\n")) });
    await upload.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByText("Uploaded notes.jsonl as version 1.")).toBeVisible();
    await shot(page, "engineer-03-upload", upload);
  });

  await test.step("read the PII report and minimise", async () => {
    await page.getByRole("link", { name }).click();
    const v1 = page.getByTestId("version-1");
    await expect(v1).toContainText("3 records · 2 subjects");
    await expect(v1.getByTestId("pii-email")).toBeVisible();
    await shot(page, "engineer-04-pii-report", v1);
    await v1.getByRole("button", { name: "Create minimised version" }).click();
    const v2 = page.getByTestId("version-2");
    await expect(v2).toContainText("minimised from v1");
    await expect(v2.getByTestId("pii-none")).toBeVisible();
    await shot(page, "engineer-05-minimised", v2);
  });

  await test.step("ask for more budget", async () => {
    await openSection(page, "Budgets");
    const card = page.getByTestId(`budget-${world.datasetName}`);
    await card.getByLabel("New limit (epsilon)").fill("20");
    await card.getByLabel("Reason").fill("a second fine-tune with more steps");
    await card.getByRole("button", { name: "Request more budget" }).click();
    await expect(card.getByTestId("budget-request")).toContainText("pending");
    await shot(page, "engineer-06-budget-request", card);
  });

  await test.step("launch a run", async () => {
    await openSection(page, "Runs");
    const launch = page.getByRole("form", { name: "Launch a run" });
    await launch.getByLabel("Dataset version").selectOption({ label: `${world.datasetName} v1` });
    await launch.getByLabel("Target epsilon", { exact: true }).fill("1");
    await launch.getByLabel("Steps", { exact: true }).fill("5");
    await expect(page.getByTestId("projection")).toContainText("left ε");
    await expect(launch.getByRole("button", { name: "Launch" })).toBeEnabled();
    await shot(page, "engineer-07-launch", page.getByTestId("projection"));
    await launch.getByRole("button", { name: "Launch" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("run-status")).toHaveText("finished", { timeout: 90_000 });
    await expect(page.getByTestId("run-progress")).toContainText("5 of 5 steps charged");
    await shot(page, "engineer-08-run");
  });

  await test.step("read the model version's guarantee", async () => {
    await openSection(page, "Models");
    await modelRow(page).getByRole("button", { name: "Details" }).click();
    const detail = page.getByTestId("model-detail");
    await expect(detail.getByTestId("guarantee").first()).toContainText(`On ${world.datasetName} (subject-level)`);
    await shot(page, "engineer-09-model", detail);
  });
});

test("privacy officer: grant access, decide a budget request, approve and deploy a model, open and contain an incident", async ({ page }) => {
  test.setTimeout(120_000);
  const officer = world.users.privacy_officer;
  const newcomer = await seedUser("engineer");
  await signIn(page, officer);
  await expect(page.getByTestId("signed-in-role")).toHaveText("Privacy officer");
  await shot(page, "privacy-officer-01-home");

  await test.step("choose who may train on a dataset", async () => {
    await openSection(page, "Datasets");
    await page.getByRole("link", { name: world.datasetName }).click();
    const grant = page.getByRole("form", { name: "Grant access" });
    await grant.getByLabel("Engineer").selectOption({ label: newcomer.email });
    await grant.getByRole("button", { name: "Grant access" }).click();
    await expect(page.getByTestId(`access-${newcomer.email}`)).toContainText(`granted by ${officer.email}`);
    await shot(page, "privacy-officer-02-access", grant);
  });

  await test.step("decide a request for more budget", async () => {
    await openSection(page, "Budgets");
    const card = page.getByTestId(`budget-${world.datasetName}`);
    const request = card.getByTestId("budget-request");
    await expect(request).toContainText("pending");
    await request.getByLabel("Decision reason").fill("justified by the DPIA");
    await shot(page, "privacy-officer-03-budget-request", card);
    await request.getByRole("button", { name: "Approve" }).click();
    await expect(card).toContainText("Limit ε = 20");
    await shot(page, "privacy-officer-04-budget-approved", card);
  });

  await test.step("approve and deploy a model version", async () => {
    await openSection(page, "Models");
    await modelRow(page).getByRole("button", { name: "Details" }).click();
    const detail = page.getByTestId("model-detail");
    await detail.getByRole("button", { name: "Approve" }).click();
    await expect(detail.getByRole("heading", { level: 2 })).toContainText("approved");
    await detail.getByRole("button", { name: "Deploy" }).click();
    await expect(detail.getByRole("heading", { level: 2 })).toContainText("deployed");
    await shot(page, "privacy-officer-05-deployed", detail);
    await detail.getByRole("link", { name: "Disclosure report (printable)" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Disclosure report");
    await expect(page.getByTestId("disclosure-lineage")).toContainText("add-or-remove-one-subject");
    await shot(page, "privacy-officer-06-disclosure");
  });

  await test.step("monitor deployed versions", async () => {
    await openSection(page, "Monitoring");
    const monitored = page.getByTestId(`monitored-epsilon-gpt-moby-dick/${world.datasetName}-v1`);
    await expect(monitored.getByRole("form", { name: "Drift thresholds" })).toBeVisible();
    await shot(page, "privacy-officer-07-monitoring", monitored);
  });

  await test.step("open and contain an incident", async () => {
    await openSection(page, "Incidents");
    const form = page.getByRole("form", { name: "Open an incident" });
    await form.getByLabel("Title").fill(`Card numbers reported in ${world.datasetName}`);
    await form.getByLabel("Severity").selectOption("high");
    await form.getByLabel("Affected dataset").selectOption({ label: world.datasetName });
    await shot(page, "privacy-officer-08-open-incident", form);
    await form.getByRole("button", { name: "Open incident" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Card numbers reported in ${world.datasetName}`);
    await expect(page.getByTestId("blast-model").filter({ hasText: "deployed" })).toContainText("trained on affected data");
    await shot(page, "privacy-officer-09-blast-radius");
    const change = page.getByRole("form", { name: "Change status" });
    await change.getByLabel("New status").selectOption("contained");
    await change.getByLabel("Status note").fill("engineers told to stop training on it until minimised");
    await change.getByRole("button", { name: "Change status" }).click();
    await expect(page.getByTestId("incident-status")).toHaveText("contained");
    await shot(page, "privacy-officer-10-contained", change);
  });
});

test("auditor: read and verify the audit log, export a model's signed provenance, read its disclosure report and the incidents", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, world.users.auditor);
  await expect(page.getByTestId("signed-in-role")).toHaveText("Auditor");

  await test.step("filter and verify the audit log", async () => {
    await openSection(page, "Audit");
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Entity id").fill(world.datasetId);
    await filter.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-row").first()).toBeVisible();
    await page.getByRole("button", { name: "Verify hash chain" }).click();
    await expect(page.getByTestId("chain-status")).toHaveText(/^Chain intact: \d+ entries/);
    await shot(page, "auditor-01-audit-log");
    await page.getByRole("button", { name: "Show consistency proof" }).click();
    await expect(page.getByTestId("consistency")).toContainText("Consistent");
    await shot(page, "auditor-02-tree-head", page.getByTestId("consistency"));
  });

  await test.step("export a model version's signed provenance and verify it", async () => {
    await openSection(page, "Models");
    await modelRow(page).getByRole("button", { name: "Details" }).click();
    const detail = page.getByTestId("model-detail");
    const [download] = await Promise.all([page.waitForEvent("download"), detail.getByRole("link", { name: "Export signed provenance" }).click()]);
    expect(verifyBundle(readFileSync((await download.path())!)).ok).toBe(true);
    await shot(page, "auditor-03-model", detail);
    await detail.getByRole("link", { name: "Disclosure report (printable)" }).click();
    await expect(page.getByTestId("disclosure-data-version").first()).toContainText("Counts: not released");
    await shot(page, "auditor-04-disclosure");
  });

  await test.step("read the incidents", async () => {
    await openSection(page, "Incidents");
    await page.getByRole("link", { name: `Phone numbers found in ${world.datasetName}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Phone numbers found in ${world.datasetName}`);
    await shot(page, "auditor-05-incident");
  });
});

test("admin: create a user, grant data access, change the role, read the audit trail, disable the account", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const email = `nina-${randomUUID().slice(0, 4)}@e2e.example`;
  await signIn(page, world.users.admin);
  await expect(page.getByTestId("signed-in-role")).toHaveText("Admin");

  await test.step("create a user", async () => {
    await openSection(page, "Admin");
    const form = page.getByRole("form", { name: "New user" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Name").fill("Nina New");
    await form.getByLabel("Role").selectOption("engineer");
    await form.getByLabel(/Password/).fill("a brand new password");
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByText(`Created ${email}.`)).toBeVisible();
    await shot(page, "admin-01-create-user");
  });

  await test.step("grant the new engineer access to a dataset", async () => {
    await openSection(page, "Datasets");
    await page.getByRole("link", { name: world.datasetName }).click();
    const grant = page.getByRole("form", { name: "Grant access" });
    await grant.getByLabel("Engineer").selectOption({ label: email });
    await grant.getByRole("button", { name: "Grant access" }).click();
    await expect(page.getByTestId(`access-${email}`)).toBeVisible();
    await shot(page, "admin-02-grant-access", grant);
  });

  await test.step("change the role", async () => {
    await openSection(page, "Admin");
    const row = page.getByTestId(`user-row-${email}`);
    await row.getByLabel(`Role of ${email}`).selectOption("auditor");
    await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("auditor");
    const other = await browser.newPage();
    await fillSignIn(other, email, "a brand new password");
    await expect(other.getByTestId("signed-in-role")).toHaveText("Auditor");
    await other.close();
    await shot(page, "admin-03-role", row);
  });

  await test.step("read what happened to the account in the audit log", async () => {
    await openSection(page, "Audit");
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Actor email").fill(world.users.admin.email);
    await filter.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-row").first()).toContainText("user.");
    await shot(page, "admin-04-audit");
  });

  await test.step("disable the account", async () => {
    await openSection(page, "Admin");
    const row = page.getByTestId(`user-row-${email}`);
    await row.getByRole("button", { name: "Disable" }).click();
    await expect(row).toContainText("disabled");
    await shot(page, "admin-05-disabled", row);
  });
});
