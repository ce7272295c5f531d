// Each role's home page is its to-do list, in a real browser: an engineer asks for a first budget, the privacy officer
// approves it from the home page, the engineer's inbox says so; auditors see the chain and incidents, admins the users
// and failed sign-ins; the Budgets page shows whether a budget is frozen, since when and by whom.
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { closeDatabase, type Db } from "../db/client";
import { openDatabase } from "../db/open";
import { freezeBudget, openIncident } from "../server/incidents/service";
import { E2E_DATABASE, E2E_URL } from "./env";
import { errorAlert, fillSignIn, openIncidentsBySeverity, seedTrainedModel, seedUser, signIn, type SeededUser } from "./helpers";

/** A dataset of 20 patients uploaded by the engineer signed in on `page`, with no budget. */
async function uploadDataset(page: Page): Promise<{ name: string; id: string }> {
  const name = `triage-${randomUUID().slice(0, 8)}`;
  const records = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `Triage note ${i}`, patient: `p${i % 20}` }));
  const upload = await page.request.post(`/api/datasets/upload?name=${name}&format=jsonl&textField=text&subjectField=patient`, {
    headers: { "x-epsilon-upload": "1", origin: E2E_URL, "content-type": "application/octet-stream" },
    data: records.join("\n"),
  });
  expect(upload.status()).toBe(201);
  return { name, id: ((await upload.json()) as { datasetId: string }).datasetId };
}

/** Changes seeded through the services, as the given officer. */
async function asOfficer<T>(officer: SeededUser, change: (db: Db, actor: { id: string; email: string; role: "privacy_officer" }) => Promise<T>): Promise<T> {
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    return await change(db, { id: officer.id, email: officer.email, role: "privacy_officer" });
  } finally {
    await closeDatabase(db);
  }
}

test("each role's to-do list; a first budget asked for, approved from the home page and answered in the inbox; freeze state", async ({ page, browser }) => {
  test.setTimeout(180_000); // a tiny run trains in the job runner first
  const trained = await seedTrainedModel(page);
  const engineer = trained.engineer;
  const officer = await seedUser("privacy_officer");
  const auditor = await seedUser("auditor");
  const admin = await seedUser("admin");

  // The engineer's home: the finished run, no request yet, and a new dataset without a budget.
  const dataset = await uploadDataset(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${engineer.name}`);
  await expect(page.getByTestId("todo-runs")).toContainText(`on ${trained.datasetName}: finished`);
  await expect(page.getByTestId("todo-my-requests")).toContainText("You have asked for no budget yet.");
  const row = page.getByTestId(`todo-dataset-${dataset.name}`);
  await expect(row).toContainText("no budget yet");
  await expect(page.getByTestId(`todo-dataset-${trained.datasetName}`)).toContainText("left of 10");
  // The run's end is in the inbox already.
  await expect(page.getByTestId("inbox-unread")).toHaveText("1 unread");

  // It asks for a first budget from the Budgets page the home page links to.
  await row.getByRole("link", { name: "ask for a first budget" }).click();
  await expect(page).toHaveURL(new RegExp(`/budgets#budget-${dataset.id}$`));
  const card = page.getByTestId(`budget-${dataset.name}`);
  await expect(card).toContainText("No budget set yet");
  const ask = card.getByRole("form", { name: "Ask for a first budget" });
  await ask.getByLabel("First budget (epsilon)").fill("4");
  await ask.getByLabel("Reason").fill("first fine-tune of the triage assistant");
  await ask.getByRole("button", { name: "Ask for a first budget" }).click();
  await expect(card.getByTestId("budget-request")).toContainText("pending");

  // The officer's home: the request waits, with the epsilon in words; the fine-tuned version awaits approval.
  const off = await browser.newPage();
  await signIn(off, officer);
  const requests = off.getByTestId("todo-requests");
  const request = requests.getByTestId("todo-request").filter({ hasText: dataset.name });
  await expect(request).toContainText(`${engineer.email} asks for a first budget on ${dataset.name}: ε = 4`);
  await expect(request.getByTestId("epsilon-sentence")).toContainText("at most 55 times more likely to tell whether one person's records were used");
  await expect(off.getByTestId("todo-approval").getByRole("link", { name: new RegExp(`${trained.datasetName} v1$`) })).toHaveAttribute("href", `/models/${trained.versionId}`);
  await request.getByLabel("Decision reason").fill("covered by the triage DPIA");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(requests.getByTestId("todo-request").filter({ hasText: dataset.name })).toHaveCount(0);

  // The engineer's inbox says "approved", and the budget is there.
  await page.goto("/");
  await expect(page.getByTestId("inbox-unread")).toHaveText("2 unread");
  await page.getByTestId("inbox-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inbox");
  const approved = page.getByTestId("notification").filter({ hasText: "approved" });
  await expect(approved).toContainText(`Your request for a first budget (ε = 4) on ${dataset.name} was approved: covered by the triage DPIA`);
  await expect(page.getByTestId("notification").filter({ hasText: "finished" })).toHaveCount(1);
  await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByTestId("inbox-summary")).toHaveText("Nothing unread.");
  await expect(page.getByTestId("inbox-unread")).toHaveCount(0);
  await approved.getByRole("link").click();
  await expect(page.getByTestId(`budget-${dataset.name}`)).toContainText("Limit ε = 4");
  await page.goto("/");
  await expect(page.getByTestId("todo-my-requests")).toContainText(`${dataset.name}: ε = 4 · approved (covered by the triage DPIA)`);

  // The Budgets page: one labelled bar per run, and the spend by model version, linked to the version's page.
  await off.goto("/budgets");
  const trainedCard = off.getByTestId(`budget-${trained.datasetName}`);
  await expect(trainedCard.getByTestId("spend-bar")).toHaveCount(1);
  await expect(trainedCard.getByTestId("spend-bar")).toContainText(/\+[\d.]+run [0-9a-f]{8}$/);
  const entry = trainedCard.getByTestId("spend-entry");
  await expect(entry.getByRole("link", { name: /^run [0-9a-f]{8}$/ })).toHaveAttribute("href", /^\/runs\/[0-9a-f-]{36}$/);
  await expect(entry).toContainText(engineer.email);
  await expect(trainedCard.getByTestId("spend-by-model").getByRole("link")).toHaveAttribute("href", `/models/${trained.versionId}`);
  await expect(trainedCard.getByTestId("spend-by-model")).toContainText("from 1 run");

  // Freeze state on the Budgets page: not frozen, then frozen by an incident (since when, by whom), then unfrozen.
  const offCard = off.getByTestId(`budget-${dataset.name}`);
  await expect(offCard.getByTestId("budget-freeze")).toContainText("Not frozen");
  await expect(offCard.getByRole("form", { name: "Renew budget" }).getByTestId("epsilon-sentence")).toContainText("ε = 4 means");
  const incidentId = await asOfficer(officer, async (db, actor) => {
    const id = await openIncident(db, actor, { title: `Names found in ${dataset.name}`, description: "", severity: "high", links: [{ entityType: "dataset", entityId: dataset.id }] });
    await freezeBudget(db, actor, { incidentId: id, datasetId: dataset.id, frozen: true, reason: "until minimised" });
    return id;
  });
  await off.reload();
  await expect(offCard.getByTestId("budget-freeze")).toContainText(`frozen by an incident since`);
  await expect(offCard.getByTestId("budget-freeze")).toContainText(`by ${officer.email}`);
  // The count by severity is the database's: other specs' incidents may be open too.
  const bySeverity = await openIncidentsBySeverity();
  expect(bySeverity).not.toContain(" 0 high");
  await off.goto("/");
  await expect(off.getByTestId("todo-incidents-by-severity")).toHaveText(bySeverity);
  await expect(off.getByTestId("todo-incidents").getByRole("link", { name: `Names found in ${dataset.name}` })).toHaveAttribute("href", `/incidents/${incidentId}`);
  await asOfficer(officer, async (db, actor) => {
    await freezeBudget(db, actor, { incidentId, datasetId: dataset.id, frozen: false, reason: "minimised" });
  });
  await off.goto("/budgets");
  await expect(offCard.getByTestId("budget-freeze")).toContainText(`Not frozen (unfrozen since`);

  // The auditor's home: the chain is intact, the versions to export and the recent incident.
  const aud = await browser.newPage();
  await signIn(aud, auditor);
  await expect(aud.getByTestId("todo-chain")).toContainText("intact");
  await expect(aud.getByTestId("todo-exportable").getByRole("link", { name: "export provenance" }).first()).toBeVisible();
  await expect(aud.getByTestId("todo-recent-incidents")).toContainText(`Names found in ${dataset.name}`);

  // The admin's home: the users, and a failed sign-in of a moment ago.
  const adm = await browser.newPage();
  await fillSignIn(adm, engineer.email, "not the password at all");
  await expect(errorAlert(adm)).toHaveText("Wrong email or password.");
  await signIn(adm, admin);
  await expect(adm.getByTestId("todo-users").getByTestId("todo-user").filter({ hasText: engineer.email })).toContainText("active");
  await expect(adm.getByTestId("todo-sign-in-failures").getByTestId("todo-sign-in-failure").filter({ hasText: `account ${engineer.email}` })).toContainText(/^account \S+\s*1\b/);
});
