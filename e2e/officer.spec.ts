// A privacy officer in a real browser: renews a budget, refuses a request for more with a reason, approves and deploys
// a fine-tuned model version, and monitors it for privacy drift.
import { expect, test } from "@playwright/test";
import { openSection, seedTrainedModel, seedUser, signIn } from "./helpers";

test("a privacy officer renews and refuses budgets, approves a model version and monitors it", async ({ page, browser }) => {
  test.setTimeout(240_000); // training and two leakage evaluations run in the job runner meanwhile
  const trained = await seedTrainedModel(page);
  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);

  // Renew: move the renewal date on.
  await openSection(off, "Budgets");
  const card = off.getByTestId(`budget-${trained.datasetName}`);
  await card.getByLabel("Renews on").fill("2100-06-30");
  await card.getByRole("button", { name: "Update budget" }).click();
  await expect(card).toContainText("renews on 2100-06-30");

  // The engineer asks for more; the officer refuses with a reason, and the limit stays.
  await openSection(page, "Budgets");
  const engCard = page.getByTestId(`budget-${trained.datasetName}`);
  await engCard.getByLabel("New limit (epsilon)").fill("40");
  await engCard.getByLabel("Reason").fill("one more experiment");
  await engCard.getByRole("button", { name: "Request more budget" }).click();
  await expect(engCard.getByTestId("budget-request")).toContainText("pending");
  await off.reload();
  const request = card.getByTestId("budget-request");
  await request.getByLabel("Decision reason").fill("patient notes are capped at epsilon 10");
  await request.getByRole("button", { name: "Refuse" }).click();
  await expect(request).toContainText("refused");
  await expect(request).toContainText("patient notes are capped at epsilon 10");
  await expect(card).toContainText("Limit ε = 10");

  // Approve, then deploy, the fine-tuned version.
  await openSection(off, "Models");
  await off.getByTestId(`model-epsilon-gpt-moby-dick/${trained.datasetName}-v1`).getByRole("link", { name: "Details" }).click();
  const detail = off.getByTestId("model-detail");
  await detail.getByRole("button", { name: "Approve" }).click();
  await expect(detail.getByTestId("model-status")).toHaveText("approved");
  await detail.getByRole("button", { name: "Deploy" }).click();
  await detail.getByRole("button", { name: "Yes, deploy" }).click();
  await expect(detail.getByTestId("model-status")).toHaveText("deployed");
  // Monitoring: the deployed version's post-training leakage report (canaries were inserted at launch), drift
  // thresholds, and a probe by hand that adds to the timeline.
  await openSection(off, "Monitoring");
  const monitored = off.getByTestId(`monitored-epsilon-gpt-moby-dick/${trained.datasetName}-v1`);
  await expect(monitored.getByTestId("one-run-audit")).toContainText("against the accountant's", { timeout: 90_000 });
  await expect(monitored.getByTestId("one-run-audit")).toContainText("consistent");
  const thresholds = monitored.getByRole("form", { name: "Drift thresholds" });
  await thresholds.getByLabel("Max MIA AUC").fill("0.99");
  await thresholds.getByRole("button", { name: "Set thresholds" }).click();
  await monitored.getByRole("button", { name: "Probe for drift now" }).click();
  await expect(monitored.getByRole("button", { name: "Probe for drift now" })).toBeDisabled();
  await expect(monitored.getByRole("button", { name: "Probe for drift now" })).toBeEnabled({ timeout: 120_000 });
  // The drift timeline: one chart per figure over dates, each with its threshold drawn and labelled.
  const auc = monitored.getByTestId("drift-timeline").getByRole("img", { name: "Membership inference AUC over time" });
  await expect(auc).toBeVisible();
  await expect(auc).toContainText("threshold 0.99");
  await expect(auc).toContainText("date (UTC)");

  // Engineers cannot approve: the button is not theirs, and the server refuses the call.
  const forged = await page.request.post("/api/trpc/models.setStatus", {
    headers: { origin: new URL(page.url()).origin },
    data: { json: { versionId: trained.versionId, status: "withdrawn" } },
  });
  expect(forged.status()).toBe(403);
});
