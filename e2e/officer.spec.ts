// A privacy officer in a real browser: renews a budget, refuses a request for more with a reason, and approves and
// deploys a fine-tuned model version.
import { expect, test } from "@playwright/test";
import { openSection, seedTrainedModel, seedUser, signIn } from "./helpers";

test("a privacy officer renews and refuses budgets and approves a model version", async ({ page, browser }) => {
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
  await off.getByTestId(`model-epsilon-gpt-moby-dick/${trained.datasetName}-v1`).getByRole("button", { name: "Details" }).click();
  const detail = off.getByTestId("model-detail");
  await detail.getByRole("button", { name: "Approve" }).click();
  await expect(detail.getByRole("heading")).toContainText("approved");
  await detail.getByRole("button", { name: "Deploy" }).click();
  await expect(detail.getByRole("heading")).toContainText("deployed");
  // Engineers cannot approve: the button is not theirs, and the server refuses the call.
  const forged = await page.request.post("/api/trpc/models.setStatus", {
    headers: { origin: new URL(page.url()).origin },
    data: { json: { versionId: trained.versionId, status: "withdrawn" } },
  });
  expect(forged.status()).toBe(403);
});
