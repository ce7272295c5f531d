// An incident in a real browser: a privacy officer opens one about a dataset, sees the blast radius (the model
// version fine-tuned on it), contains it by withdrawing that version and freezing the budget, and resolves it;
// the withdrawn version can no longer be downloaded.
import { expect, test } from "@playwright/test";
import { openSection, seedTrainedModel, seedUser, signIn } from "./helpers";

test("open, contain (withdraw a version, freeze the budget) and resolve an incident", async ({ page, browser }) => {
  const trained = await seedTrainedModel(page);
  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  await openSection(off, "Incidents");
  const form = off.getByRole("form", { name: "Open an incident" });
  await form.getByLabel("Title").fill(`PII found in ${trained.datasetName}`);
  await form.getByLabel("Severity").selectOption("critical");
  await form.getByLabel("Affected dataset").selectOption({ label: trained.datasetName });
  await form.getByRole("button", { name: "Open incident" }).click();

  await expect(off.getByRole("heading", { level: 1 })).toHaveText(`PII found in ${trained.datasetName}`);
  const blast = off.getByTestId("blast-model");
  await expect(blast).toHaveCount(1);
  await expect(blast).toContainText("trained on affected data");
  await blast.getByLabel("Reason").fill("may have memorised patient notes");
  await blast.getByRole("button", { name: "Withdraw" }).click();
  await blast.getByRole("button", { name: "Yes, withdraw" }).click();
  await expect(blast).toContainText("withdrawn");
  const freeze = off.getByRole("form", { name: "Freeze budget" });
  await freeze.getByLabel("Reason").fill("until the data is minimised");
  await freeze.getByRole("button", { name: "Freeze budget" }).click();
  await expect(off.getByTestId("incident-note").last()).toContainText("froze the budget");

  for (const [status, note] of [
    ["contained", "model withdrawn, budget frozen"],
    ["resolved", "dataset minimised"],
    ["review_done", "post-incident review held"],
  ] as const) {
    const change = off.getByRole("form", { name: "Change status" });
    await change.getByLabel("New status").selectOption(status);
    await change.getByLabel("Status note").fill(note);
    await change.getByRole("button", { name: "Change status" }).click();
    await expect(off.getByTestId("incident-status")).toHaveText(status);
  }

  // Contained for real: the engineer can no longer download the withdrawn version, nor launch on the frozen budget.
  const download = await page.request.get(`/api/models/${trained.versionId}/weights`);
  expect(download.status()).toBe(409);
  await openSection(page, "Budgets");
  await expect(page.getByTestId(`budget-${trained.datasetName}`)).toContainText("frozen by an incident");
});
