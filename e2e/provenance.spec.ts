// An auditor in a real browser: opens a fine-tuned version, reads its disclosure report (no exact counts), exports the
// signed provenance and verifies it offline (the same check as `npm run verify`), and sees the audit log's tree head;
// a privacy officer releases the data's DP counts from the report.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { verifyBundle } from "../server/provenance/verify";
import { openSection, seedTrainedModel, seedUser, signIn } from "./helpers";

test("an auditor exports a provenance bundle and it verifies offline", async ({ page, browser }) => {
  const trained = await seedTrainedModel(page);
  const auditor = await seedUser("auditor");
  const aud = await browser.newPage();
  await signIn(aud, auditor);
  await openSection(aud, "Models");
  const row = aud.getByTestId(`model-epsilon-gpt-moby-dick/${trained.datasetName}-v1`);
  await row.getByRole("link", { name: "Details" }).click();
  const detail = aud.getByTestId("model-detail");
  await expect(detail.getByTestId("guarantee")).toContainText(`On ${trained.datasetName} (subject-level)`);

  const [download] = await Promise.all([aud.waitForEvent("download"), detail.getByRole("link", { name: "Export signed provenance" }).click()]);
  const file = readFileSync((await download.path())!);
  const report = verifyBundle(file);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ok).toBe(true);
  const flipped = Buffer.from(file);
  flipped[Math.floor(flipped.length / 2)]! ^= 1;
  expect(verifyBundle(flipped).ok).toBe(false);

  await detail.getByRole("link", { name: "Disclosure report (printable)" }).click();
  await expect(aud.getByRole("heading", { level: 1 })).toContainText("Disclosure report");
  await expect(aud.getByTestId("disclosure-lineage")).toContainText("a person (subject): all of one person's records");
  await expect(aud.getByTestId("disclosure-lineage")).toContainText("add-or-remove-one-subject");
  // 24 records of 8 people, at most 3 each: none of these exact figures is disclosed; k is the stated bound.
  const data = aud.getByTestId("disclosure-data-version");
  await expect(data).toContainText("Counts: not released");
  await expect(data).toContainText("at most k = 1, a bound stated by the privacy officer");
  await expect(aud.getByTestId("disclosure-lineage")).not.toContainText(/24 records|8 subjects|at most 3/);
  await expect(aud.getByRole("button", { name: "Release DP counts (charged to the budget)" })).toHaveCount(0);

  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  await off.goto(aud.url());
  await off.getByRole("button", { name: "Release DP counts (charged to the budget)" }).click();
  await expect(off.getByTestId("dp-counts")).toContainText("DP counts, charged to the lineage's budget");
  await expect(off.getByTestId("dp-counts")).toContainText("each person's counted up to 1");
  await aud.reload();
  await expect(aud.getByTestId("dp-counts")).toContainText("noise multiplier σ = 10");

  await openSection(aud, "Audit");
  await expect(aud.getByTestId("tree-head")).toContainText("Size");
  await aud.getByRole("button", { name: "Show consistency proof" }).click();
  await expect(aud.getByTestId("consistency")).toContainText("Consistent");
});
