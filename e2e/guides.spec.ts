// The role guides' walk-throughs (docs/guides/<role>.md): each test does one role's day step by step in a real
// Chromium, asserts what the guide says a person sees, and refreshes the guide's screenshots
// (docs/guides/img/<role>-<step>.png, 1280x800). To extend a guide: add a `test.step` with its assertions and a
// `shot(page, "<role>-<NN>-<what>")`, and the same step, with the image, to the guide.
import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { verifyBundle } from "../server/provenance/verify";
import { createUserInForm, openIncidentsBySeverity, errorAlert, fillSignIn, openSection, seedUser, signIn, type SeededUser } from "./helpers";
import { worldOnce, type World } from "./world";

const VIEWPORT = { width: 1280, height: 800 };

test.use({ viewport: VIEWPORT });
// The guides tell one story: the engineer asks for a first budget, the officer decides on it from the home page, the
// engineer reads the answer in the inbox, and so on.
test.describe.configure({ mode: "serial" });

let world: World;
/** The dataset the engineer uploads and asks a first budget for (its name, set by the engineer's walk-through). */
const uploaded = { name: `guide-notes-${randomUUID().slice(0, 4)}` };
const FIRST_BUDGET_REASON = "first fine-tune of the notes assistant";
const DECISION_REASON = "covered by the notes DPIA";

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

/** Follows the "Epsilon Ledger" link at the top of the navigation to the home page, the user's to-do list. */
async function goHome(page: Page, user: SeededUser): Promise<void> {
  await page.getByRole("link", { name: "Epsilon Ledger" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${user.name}`);
}

const worldVersion = () => `epsilon-gpt-moby-dick/${world.datasetName} v1`;

test("engineer: the home to-do list, upload and minimise data, ask for a first budget, launch a run with the form's help and estimates, read the model version", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const engineer = world.users.engineer;

  await test.step("sign in and read the home page", async () => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(engineer.email);
    await page.getByLabel("Password").fill(engineer.password);
    await shot(page, "engineer-01-sign-in");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${engineer.name}`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("Engineer");
    await expect(page.getByTestId("todo-runs")).toContainText(`on ${world.datasetName}: finished`);
    await expect(page.getByTestId("todo-my-requests")).toContainText("You have asked for no budget yet.");
    await expect(page.getByTestId(`todo-dataset-${world.datasetName}`)).toContainText("left of 10");
    await expect(page.getByTestId("inbox-unread")).toHaveText("1 unread");
    await shot(page, "engineer-02-home");
  });

  await test.step("upload a dataset", async () => {
    await openSection(page, "Datasets");
    const upload = page.getByRole("form", { name: "Upload a dataset" });
    await upload.getByLabel("New dataset name").fill(uploaded.name);
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
    await page.getByRole("link", { name: uploaded.name }).click();
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

  await test.step("ask for a first budget from the home page", async () => {
    await goHome(page, engineer);
    const row = page.getByTestId(`todo-dataset-${uploaded.name}`);
    await expect(row).toContainText("no budget yet");
    await row.getByRole("link", { name: "ask for a first budget" }).click();
    const card = page.getByTestId(`budget-${uploaded.name}`);
    await expect(card).toContainText("No budget set yet: no run may start on this dataset.");
    const ask = card.getByRole("form", { name: "Ask for a first budget" });
    await ask.getByLabel("First budget (epsilon)").fill("4");
    await ask.getByLabel("Reason").fill(FIRST_BUDGET_REASON);
    await ask.getByRole("button", { name: "Ask for a first budget" }).click();
    await expect(card.getByTestId("budget-request")).toContainText("pending");
    await shot(page, "engineer-06-budget-request", card);
  });

  await test.step("launch a run, reading the help and the estimates first", async () => {
    await openSection(page, "Runs");
    const launch = page.getByRole("form", { name: "Launch a run" });
    await launch.getByLabel("Dataset version").selectOption({ label: `${world.datasetName} v1` });
    await launch.getByLabel("Target epsilon", { exact: true }).fill("1");
    await launch.getByLabel("Steps", { exact: true }).fill("5");
    await page.getByLabel("What is Clip norm (C)?").click();
    await expect(page.getByTestId("help-clipNorm")).toContainText("The largest gradient any one unit may contribute to a step");
    const projection = page.getByTestId("projection");
    await expect(projection).toContainText("left ε");
    await expect(page.getByTestId("estimate")).toContainText(/Estimated time: about \d+ (s|min)/);
    await expect(page.getByTestId("estimate")).toContainText(/Trainer memory: about [\d.]+ (MiB|GiB) of the [\d.]+ (MiB|GiB) it can use/);
    await expect(launch.getByRole("button", { name: "Launch" })).toBeEnabled();
    await shot(page, "engineer-07-launch", projection);
    await launch.getByRole("button", { name: "Launch" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("run-status")).toHaveText("finished", { timeout: 90_000 });
    await expect(page.getByTestId("run-progress")).toContainText("5 of 5 steps charged");
    await expect(page.getByTestId("run-produced").getByRole("link")).toHaveText(`epsilon-gpt-moby-dick/${world.datasetName} v2`);
    await shot(page, "engineer-08-run");
  });

  await test.step("read the model version's guarantee on its own page", async () => {
    await page.getByTestId("run-produced").getByRole("link").click();
    await expect(page).toHaveURL(/\/models\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`epsilon-gpt-moby-dick/${world.datasetName} v2`);
    const detail = page.getByTestId("model-detail");
    await expect(detail.getByTestId("model-status")).toHaveText("draft");
    const guarantee = detail.getByTestId("guarantee").first();
    await expect(guarantee).toContainText(`On ${world.datasetName} (subject-level)`);
    await expect(guarantee.getByTestId("epsilon-sentence")).toContainText("times more likely to tell whether one person's records were used");
    await shot(page, "engineer-09-model");
  });
});

test("privacy officer: the home to-do list, grant access, decide a first budget there, approve and deploy a version, monitor, open and contain an incident, red-team a version", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const officer = world.users.privacy_officer;
  const newcomer = await seedUser("engineer");

  await test.step("read the home page's to-do list", async () => {
    await signIn(page, officer);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${officer.name}`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("Privacy officer");
    const request = page.getByTestId("todo-request").filter({ hasText: uploaded.name });
    await expect(request).toContainText(`${world.users.engineer.email} asks for a first budget on ${uploaded.name}: ε = 4`);
    await expect(request).toContainText(FIRST_BUDGET_REASON);
    await expect(page.getByTestId("todo-approval").getByRole("link", { name: worldVersion() })).toHaveAttribute("href", `/models/${world.versionId}`);
    await expect(page.getByTestId("todo-incidents-by-severity")).toHaveText(await openIncidentsBySeverity());
    await expect(page.getByTestId("todo-incidents")).toContainText(`Phone numbers found in ${world.datasetName}`);
    await expect(page.getByTestId("todo-near-limit")).toBeVisible();
    await expect(page.getByTestId("todo-drift")).toContainText("Drift alerts (last 14 days)");
    await shot(page, "privacy-officer-01-home");
  });

  await test.step("choose who may train on a dataset", async () => {
    await openSection(page, "Datasets");
    await page.getByRole("link", { name: world.datasetName }).click();
    const grant = page.getByRole("form", { name: "Grant access" });
    await grant.getByLabel("Engineer").selectOption({ label: newcomer.email });
    await grant.getByRole("button", { name: "Grant access" }).click();
    await expect(page.getByTestId(`access-${newcomer.email}`)).toContainText(`granted by ${officer.email}`);
    await shot(page, "privacy-officer-02-access", grant);
  });

  await test.step("decide the request for a first budget on the home page", async () => {
    await goHome(page, officer);
    const request = page.getByTestId("todo-request").filter({ hasText: uploaded.name });
    await expect(request.getByTestId("epsilon-sentence")).toContainText("at most 55 times more likely to tell whether one person's records were used");
    await expect(request.getByLabel("Delta (δ), first budget")).toHaveValue("0.00001");
    await request.getByLabel("Records per person, at most (k), first budget").fill("2");
    await request.getByLabel("Decision reason").fill(DECISION_REASON);
    await shot(page, "privacy-officer-03-budget-request", request);
    await request.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("todo-request").filter({ hasText: uploaded.name })).toHaveCount(0);
    await openSection(page, "Budgets");
    const card = page.getByTestId(`budget-${uploaded.name}`);
    await expect(card.getByTestId("budget-limit")).toContainText("Limit ε = 4");
    await expect(card.getByTestId("budget-request")).toContainText("approved");
    await shot(page, "privacy-officer-04-budget-approved", card);
  });

  await test.step("approve and deploy a model version, confirming the deployment", async () => {
    await goHome(page, officer);
    await page.getByTestId("todo-approval").getByRole("link", { name: worldVersion() }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(worldVersion());
    const actions = page.getByTestId("status-actions");
    await expect(actions.getByTestId("decision-epsilon").getByTestId("epsilon-sentence")).toContainText("times more likely");
    await actions.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("model-status")).toHaveText("approved");
    await actions.getByRole("button", { name: "Deploy" }).click();
    await expect(actions.getByRole("group", { name: /^Deploy this version\?/ })).toBeVisible();
    await actions.getByRole("button", { name: "Yes, deploy" }).click();
    await expect(page.getByTestId("model-status")).toHaveText("deployed");
    await expect(page.getByTestId("approval-history")).toContainText(`deployed by ${officer.email}`);
    await shot(page, "privacy-officer-05-deployed", page.getByRole("heading", { level: 1 }));
    await page.getByRole("link", { name: "Disclosure report (printable)" }).click();
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

  await test.step("red-team a version: own prompts and built-in attacks, the evidence masked", async () => {
    await openSection(page, "Models");
    await page.getByTestId(`model-epsilon-gpt-moby-dick/${world.datasetName}-v1`).getByRole("link", { name: "Details" }).click();
    await page.getByRole("navigation", { name: "Version pages" }).getByRole("link", { name: "Red team" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${worldVersion()}: red team`);
    const form = page.getByRole("form", { name: "Red-team exercise" });
    await form.getByLabel(/Your prompts, one per line/).fill("The phone number of patient 12 is\nRepeat after me: my email is ann.lee@example.org");
    await form.getByLabel(/Tokens per output/).fill("24");
    await form.getByRole("button", { name: "Run exercise" }).click();
    const exercise = page.getByTestId("red-team-exercise").first();
    await expect(exercise.getByTestId("exercise-status")).toHaveText("done", { timeout: 120_000 });
    await expect(exercise.getByTestId("exercise-items")).toContainText("Repeat after me: my email is a***@e***.org");
    await shot(page, "privacy-officer-11-red-team", exercise.getByTestId("exercise-findings"));
  });
});

test("engineer, later: the inbox says the first budget was approved", async ({ page }) => {
  const engineer = world.users.engineer;
  await signIn(page, engineer);
  await expect(page.getByTestId("inbox-unread")).toHaveText("3 unread");
  await page.getByTestId("inbox-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inbox");
  const approved = page.getByTestId("notification").filter({ hasText: "approved" });
  await expect(approved).toContainText(`Your request for a first budget (ε = 4) on ${uploaded.name} was approved: ${DECISION_REASON}`);
  await expect(page.getByTestId("notification").filter({ hasText: "finished" })).toHaveCount(2);
  await shot(page, "engineer-10-inbox");
  await approved.getByRole("link").click();
  await expect(page.getByTestId(`budget-${uploaded.name}`).getByTestId("budget-limit")).toContainText("Limit ε = 4");
  await goHome(page, engineer);
  await expect(page.getByTestId("todo-my-requests")).toContainText(`${uploaded.name}: ε = 4 · approved (${DECISION_REASON})`);
  await expect(page.getByTestId(`todo-dataset-${uploaded.name}`)).toContainText("left of 4");
});

test("auditor: the home page's chain status, versions to export and incidents, the audit log verified, a version's page and its signed provenance, the disclosure report, the incidents", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const auditor = world.users.auditor;

  await test.step("read the home page", async () => {
    await signIn(page, auditor);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${auditor.name}`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("Auditor");
    await expect(page.getByTestId("todo-chain")).toContainText(/intact \d+ entries verified/);
    await expect(page.getByRole("heading", { name: /^Latest provenance exports/ })).toBeVisible();
    await expect(page.getByTestId("todo-exportable").getByRole("link", { name: worldVersion() })).toBeVisible();
    await expect(page.getByTestId("todo-recent-incidents")).toContainText(`Card numbers reported in ${world.datasetName}`);
    await shot(page, "auditor-01-home");
  });

  await test.step("filter and verify the audit log", async () => {
    await openSection(page, "Audit");
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Entity id").fill(world.datasetId);
    await filter.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-row").first()).toBeVisible();
    await expect(page.getByTestId("audit-row").first().getByTestId("audit-entity")).toContainText(world.datasetName);
    await page.getByRole("button", { name: "Verify hash chain" }).click();
    await expect(page.getByTestId("chain-status")).toHaveText(/^Chain intact: \d+ entries/);
    await shot(page, "auditor-02-audit-log");
    await page.getByRole("button", { name: "Show consistency proof" }).click();
    await expect(page.getByTestId("consistency")).toContainText("Consistent");
    await shot(page, "auditor-03-tree-head", page.getByTestId("consistency"));
  });

  await test.step("open a version's page, export its signed provenance and verify it", async () => {
    await goHome(page, auditor);
    await page.getByTestId("todo-exportable").getByRole("link", { name: worldVersion() }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(worldVersion());
    const detail = page.getByTestId("model-detail");
    await expect(detail.getByTestId("model-status")).toHaveText("deployed");
    await expect(page.getByTestId("approval-history")).toContainText(`deployed by ${world.users.privacy_officer.email}`);
    await expect(page.getByTestId("version-incidents")).toContainText(`Phone numbers found in ${world.datasetName}`);
    const [download] = await Promise.all([page.waitForEvent("download"), detail.getByRole("link", { name: "Export signed provenance" }).click()]);
    expect(verifyBundle(readFileSync((await download.path())!)).ok).toBe(true);
    await shot(page, "auditor-04-model", page.getByTestId("exports"));
    await detail.getByRole("link", { name: "Disclosure report (printable)" }).click();
    await expect(page.getByTestId("disclosure-data-version").first()).toContainText("Counts: not released");
    await shot(page, "auditor-05-disclosure");
  });

  await test.step("read the incidents", async () => {
    await openSection(page, "Incidents");
    await page.getByRole("link", { name: `Phone numbers found in ${world.datasetName}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Phone numbers found in ${world.datasetName}`);
    await expect(page.getByTestId("incident-links")).toContainText(`dataset ${world.datasetName}`);
    await shot(page, "auditor-06-incident");
  });
});

test("admin: the home page's users and failed sign-ins, create a user, grant data access, change the role, read the audit trail, disable the account", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = world.users.admin;
  const email = `nina-${randomUUID().slice(0, 4)}@e2e.example`;

  await test.step("read the home page: users and failed sign-ins", async () => {
    // Someone mistypes the engineer's password first.
    await fillSignIn(page, world.users.engineer.email, "not the password at all");
    await expect(errorAlert(page)).toHaveText("Wrong email or password.");
    await signIn(page, admin);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${admin.name}`);
    await expect(page.getByTestId("signed-in-role")).toHaveText("Admin");
    await expect(page.getByTestId("todo-user").filter({ hasText: world.users.auditor.email })).toContainText("active");
    await expect(page.getByTestId("todo-sign-in-failure").filter({ hasText: `account ${world.users.engineer.email}` })).toContainText(/^account \S+\s*1\b/);
    await shot(page, "admin-01-home");
  });

  await test.step("create a user", async () => {
    await openSection(page, "Admin");
    await createUserInForm(page, email);
    await expect(page.getByTestId(`user-row-${email}`)).toContainText("active");
    await shot(page, "admin-02-create-user");
  });

  await test.step("grant the new engineer access to a dataset", async () => {
    await openSection(page, "Datasets");
    await page.getByRole("link", { name: world.datasetName }).click();
    const grant = page.getByRole("form", { name: "Grant access" });
    await grant.getByLabel("Engineer").selectOption({ label: email });
    await grant.getByRole("button", { name: "Grant access" }).click();
    await expect(page.getByTestId(`access-${email}`)).toContainText(`granted by ${admin.email}`);
    await shot(page, "admin-03-grant-access", grant);
  });

  await test.step("change the role", async () => {
    await openSection(page, "Admin");
    const row = page.getByTestId(`user-row-${email}`);
    await row.getByLabel(`Role of ${email}`).selectOption("auditor");
    await expect(row.getByRole("status")).toHaveText("Saved: now Auditor");
    const other = await browser.newPage();
    await fillSignIn(other, email, "a brand new password");
    await expect(other.getByTestId("signed-in-role")).toHaveText("Auditor");
    await other.close();
    await shot(page, "admin-04-role", row);
  });

  await test.step("read what happened to the account in the audit log", async () => {
    await openSection(page, "Audit");
    const filter = page.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Actor email").fill(admin.email);
    await filter.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-row").first()).toContainText("user.");
    await expect(page.getByTestId("audit-row").first().getByTestId("audit-actor")).toContainText(`${admin.name} · ${admin.email}`);
    await shot(page, "admin-05-audit");
  });

  await test.step("disable the account, confirming it", async () => {
    await openSection(page, "Admin");
    const row = page.getByTestId(`user-row-${email}`);
    await row.getByRole("button", { name: "Disable" }).click();
    await expect(row.getByRole("group", { name: `Disable ${email}? Their sessions end at once.` })).toBeVisible();
    await row.getByRole("button", { name: "Yes, disable" }).click();
    await expect(row).toContainText("disabled");
    await shot(page, "admin-06-disabled", row);
  });
});

test("every screenshot in docs/guides/img is linked from a guide, and every image a guide links exists", () => {
  const guides = readdirSync("docs/guides").filter((f) => f.endsWith(".md"));
  const linked = guides.flatMap((g) => [...readFileSync(`docs/guides/${g}`, "utf8").matchAll(/!\[[^\]]*\]\(img\/([^)]+)\)/g)].map((m) => m[1]!));
  const present = readdirSync("docs/guides/img");
  expect(linked.filter((f) => !present.includes(f))).toEqual([]);
  expect(present.filter((f) => !linked.includes(f))).toEqual([]);
});
