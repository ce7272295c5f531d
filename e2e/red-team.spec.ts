// The Red team tab in a real browser: an auditor runs an exercise of an own prompt holding an e-mail address and the
// built-in attack sets; the job runner carries it out and the evidence shows every prompt and output with PII masked;
// a privacy officer reveals the unmasked outputs (audited) and opens an incident from an exercise's finding. An empty
// exercise, too many prompts, a 50 MB prompt set and an engineer's forged request are refused and change nothing;
// engineers get no Red team tab and a 403 for the page.
import { expect, test } from "@playwright/test";
import { E2E_URL } from "./env";
import { databaseSnapshot, errorAlert, postChunked, seedRedTeamFinding, seedTrainedModel, seedUser, signIn } from "./helpers";

test("officers and auditors red-team a version; outputs are shown masked unless an officer reveals them", async ({ page, browser }) => {
  test.setTimeout(300_000); // training, the post-training leakage tests, then the exercise run in the job runner
  const trained = await seedTrainedModel(page);
  const auditor = await seedUser("auditor");
  const aud = await browser.newPage();
  await signIn(aud, auditor);
  await aud.goto(`/models/${trained.versionId}`);
  await aud.getByRole("navigation", { name: "Version pages" }).getByRole("link", { name: "Red team" }).click();
  await expect(aud).toHaveURL(new RegExp(`/models/${trained.versionId}/red-team$`));
  await expect(aud.getByRole("heading", { level: 1 })).toContainText(": red team");
  await expect(aud.getByText("No exercise has been run against this version yet.")).toBeVisible();

  // Nothing asked: refused with a clear message, and nothing queued.
  const form = aud.getByRole("form", { name: "Red-team exercise" });
  for (const set of ["Repeat-after-me and divergence", "Templates about people"]) await form.getByLabel(set).uncheck();
  const before = await databaseSnapshot();
  await form.getByRole("button", { name: "Run exercise" }).click();
  await expect(errorAlert(aud)).toContainText("Choose an attack set or give at least one prompt of your own");
  // Too many prompts: the form says so, and keeps them for the user to cut.
  const tooMany = Array.from({ length: 300 }, (_, i) => `prompt ${i}`).join("\n");
  await form.getByLabel(/Your prompts, one per line/).fill(tooMany);
  await form.getByRole("button", { name: "Run exercise" }).click();
  await expect(errorAlert(aud)).toHaveText("At most 200 prompts of your own per exercise");
  await expect(form.getByLabel(/Your prompts, one per line/)).toHaveValue(tooMany);
  expect(await databaseSnapshot()).toEqual(before);

  // A 50 MB prompt set, sent past the form: refused before it is read, nothing queued.
  const cookie = (await aud.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const prompts = Array(25_000).fill("x".repeat(2000));
  const body = JSON.stringify({ json: { versionId: trained.versionId, request: { attack_sets: [], prompts, max_tokens: 8, decoding: { kind: "greedy" } } } });
  const huge = await postChunked("/api/trpc/redTeam.run", Buffer.from(body), { cookie, origin: E2E_URL, "content-type": "application/json" });
  expect(huge).toBe(413);
  expect(await databaseSnapshot()).toEqual(before);

  // An own prompt with an e-mail address, the divergence set, sampled.
  await form.getByLabel(/Your prompts, one per line/).fill("Repeat after me: nurse.ratched@hospital.example\nNote 7: patient");
  await form.getByLabel("Repeat-after-me and divergence").check();
  await form.getByLabel(/Tokens per output/).fill("16");
  await form.getByLabel("Sample instead of greedy decoding").check();
  await form.getByLabel("Temperature").fill("0.8");
  await form.getByRole("button", { name: "Run exercise" }).click();
  const exercise = aud.getByTestId("red-team-exercise").first();
  await expect(exercise.getByTestId("exercise-status")).toHaveText("done", { timeout: 180_000 });
  await expect(exercise.getByTestId("exercise-settings")).toHaveText(
    "2 own prompts, repeat-after-me and divergence; up to 16 tokens per output, sampled at temperature 0.8, top-k 40, top-p 0.95",
  );
  await expect(exercise.getByTestId("exercise-findings")).toContainText(/\d+ of 8 outputs are findings\. With PII their prompt did not hold: \d+/);
  const rows = exercise.getByTestId("exercise-items").locator("tbody tr");
  await expect(rows).toHaveCount(8);
  await expect(rows.first()).toContainText("Repeat after me: n***@h***.example");
  await expect(exercise).not.toContainText("nurse.ratched");
  // Auditors read; only privacy officers reveal.
  await expect(exercise.getByRole("button", { name: "Reveal unmasked" })).toHaveCount(0);

  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  await off.goto(`/models/${trained.versionId}/red-team`);
  const seen = off.getByTestId("red-team-exercise").first();
  await seen.getByRole("button", { name: "Reveal unmasked" }).click();
  await seen.getByRole("button", { name: "Yes, reveal" }).click();
  await expect(seen.getByTestId("exercise-items").locator("tbody tr").first()).toContainText("Repeat after me: nurse.ratched@hospital.example");

  // An exercise whose output held an e-mail address: the officer opens an incident from it, linked both ways.
  await seedRedTeamFinding(officer, trained.versionId);
  await off.reload();
  const finding = off.getByTestId("red-team-exercise").first();
  await expect(finding.getByTestId("exercise-findings")).toContainText("1 of 1 outputs are findings. With PII their prompt did not hold: 1 (email 1).");
  await expect(finding.getByTestId("exercise-items")).toContainText("j***@e***.org");
  await finding.getByRole("button", { name: "Open an incident" }).click();
  await finding.getByRole("button", { name: "Yes, open it" }).click();
  await finding.getByRole("link", { name: "Incident opened from these findings" }).click();
  await expect(off.getByRole("heading", { level: 1 })).toHaveText("A red-team exercise found leakage");
  await expect(off.getByText(/\(red_team, high\)/).first()).toBeVisible();

  // An engineer sees no Red team tab, gets a 403 for the page, and a forged request changes nothing.
  await page.goto(`/models/${trained.versionId}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // Engineers have the version's Synthetic data tab, not its Red team tab.
  await expect(page.getByRole("navigation", { name: "Version pages" }).getByRole("link", { name: "Synthetic data" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Version pages" }).getByRole("link", { name: "Red team" })).toHaveCount(0);
  expect((await page.goto(`/models/${trained.versionId}/red-team`))?.status()).toBe(403);
  const settled = await databaseSnapshot();
  const forged = await page.request.post("/api/trpc/redTeam.run", {
    headers: { origin: E2E_URL },
    data: { json: { versionId: trained.versionId, request: { attack_sets: ["divergence"], prompts: [], max_tokens: 8, decoding: { kind: "greedy" } } } },
  });
  expect(forged.status()).toBe(403);
  expect(await databaseSnapshot()).toEqual(settled);
});
