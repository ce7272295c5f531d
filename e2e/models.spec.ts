// A model version's own page in a real browser: an auditor opens it from the list and reads its lineage, epsilon (in
// words too) and the runs that produced it, runs a leakage audit and finds it in the disclosure report; a privacy
// officer approves with the epsilon sentence beside the button, and deploy and withdraw ask for confirmation; after a
// withdrawal by an incident the page says why and links the incident, and the auditor still exports the version's
// provenance, marked withdrawn, and it verifies offline; an engineer without access to its data gets a 404.
import { expect, test } from "@playwright/test";
import { verifyBundle } from "../server/provenance/verify";
import { openSection, seedIncidentWithdrawal, seedTrainedModel, seedUser, signIn } from "./helpers";

test("a version's own page: lineage, epsilon, runs, leakage audit in the disclosure, confirmed deploy, withdrawal with its incident, export marked withdrawn", async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000); // training and two leakage evaluations run in the job runner meanwhile
  const trained = await seedTrainedModel(page);
  const name = `epsilon-gpt-moby-dick/${trained.datasetName}`;
  const auditor = await seedUser("auditor");
  const aud = await browser.newPage();
  await signIn(aud, auditor);

  // From the list to the version's own page and URL.
  await openSection(aud, "Models");
  await aud.getByTestId(`model-${name}-v1`).getByRole("link", { name: "Details" }).click();
  await expect(aud).toHaveURL(new RegExp(`/models/${trained.versionId}$`));
  await expect(aud.getByRole("heading", { level: 1 })).toHaveText(`${name} v1`);
  const detail = aud.getByTestId("model-detail");
  await expect(detail.getByTestId("model-status")).toHaveText("draft");
  await expect(detail).toContainText("fine-tuned");
  await expect(detail.getByTestId("lineage")).toContainText("v1 (fine-tuned) ← v1 (base)");
  await expect(detail.getByTestId("lineage").getByRole("link", { name: "v1" })).toHaveAttribute("href", /^\/models\/[0-9a-f-]{36}$/);
  const guarantee = detail.getByTestId("guarantee");
  await expect(guarantee).toContainText(`On ${trained.datasetName} (subject-level): ε = `);
  await expect(guarantee.getByTestId("epsilon-sentence")).toContainText("times more likely to tell whether one person's records were used");
  // The epsilon is rounded for people (3 significant digits), the exact value on hover.
  const figure = guarantee.locator("strong .num").first();
  const exact = Number(await figure.getAttribute("title"));
  expect(exact).toBeGreaterThan(0);
  await expect(figure).toHaveText(String(Number(exact.toPrecision(3))));
  // The run that produced it, linked to its page, also in the table of runs composed.
  const runLink = detail.getByTestId("producing-run");
  const runHref = (await runLink.getAttribute("href"))!;
  expect(runHref).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
  await expect(guarantee.getByTestId("guarantee-runs").getByRole("link", { name: `run ${runHref.slice(6, 14)}` })).toHaveAttribute("href", runHref);
  await expect(guarantee.getByTestId("guarantee-runs")).toContainText("produced this version");
  await expect(aud.getByTestId("version-incidents")).toContainText("None.");

  // A leakage audit on demand, once the post-training one is done; the disclosure report then lists it.
  const leakage = detail.getByTestId("leakage");
  const runTests = leakage.getByRole("button", { name: "Run leakage tests now" });
  await expect(runTests).toBeEnabled({ timeout: 120_000 });
  await runTests.click();
  await expect(leakage.getByTestId("leakage-pending")).toContainText(/^Leakage tests requested on demand are (queued for the job runner|running)…$/);
  await expect(runTests).toBeEnabled({ timeout: 120_000 });
  await expect(leakage.getByTestId("one-run-audit")).toContainText("on demand");
  // The patients' notes name them but give no e-mail address or phone number: attribute inference says it had nothing to ask.
  await expect(leakage.getByTestId("attribute-inference")).toContainText("Attribute inference did not run");
  await detail.getByRole("link", { name: "Disclosure report (printable)" }).click();
  await expect(aud.getByRole("heading", { level: 1 })).toContainText("Disclosure report");
  await expect(aud.getByText("No leakage audit has been recorded for this version.")).toHaveCount(0);
  const audits = aud.getByTestId("leakage-audit");
  await expect(audits).toHaveCount(2);
  await expect(audits.filter({ hasText: "on demand" })).toContainText("empirical ε ≥");
  await expect(audits.filter({ hasText: "on demand" })).toContainText("against the accountant's ε =");
  await expect(audits.filter({ hasText: "after training" })).toContainText("no alert");
  await expect(aud.getByTestId("internal-probes")).toContainText("membership inference");

  // The privacy officer approves with the epsilon in words beside the button; deploy asks first.
  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  await off.goto(`/models/${trained.versionId}`);
  const actions = off.getByTestId("status-actions");
  await expect(actions.getByTestId("decision-epsilon").getByTestId("epsilon-sentence")).toContainText("times more likely");
  await actions.getByRole("button", { name: "Approve" }).click();
  await expect(off.getByTestId("model-status")).toHaveText("approved");
  await actions.getByRole("button", { name: "Deploy" }).click();
  await expect(actions.getByRole("group", { name: /^Deploy this version\?/ })).toBeVisible();
  await actions.getByRole("button", { name: "Keep it" }).click();
  await expect(off.getByTestId("model-status")).toHaveText("approved");
  await actions.getByRole("button", { name: "Deploy" }).click();
  await actions.getByRole("button", { name: "Yes, deploy" }).click();
  await expect(off.getByTestId("model-status")).toHaveText("deployed");
  await expect(off.getByTestId("approval-history")).toContainText(`deployed by ${officer.email}`);

  // Withdraw asks for a reason and then for confirmation; keeping it changes nothing.
  await expect(actions.getByRole("button", { name: "Withdraw" })).toBeDisabled();
  await actions.getByLabel("Reason for withdrawing").fill("second thoughts");
  await actions.getByRole("button", { name: "Withdraw" }).click();
  await expect(actions.getByRole("group", { name: /^Withdraw this version for good\?/ })).toBeVisible();
  await actions.getByRole("button", { name: "Keep it" }).click();
  await expect(off.getByTestId("model-status")).toHaveText("deployed");

  // An incident withdraws it: the page says why and links the incident; nothing is offered to change any more.
  const title = `Canaries memorised in ${trained.datasetName}`;
  const incidentId = await seedIncidentWithdrawal(officer, trained.versionId, title, "canary exposure far above the base model");
  await off.reload();
  await expect(off.getByTestId("model-status")).toHaveText("withdrawn");
  const why = off.getByTestId("withdrawal");
  await expect(why).toContainText("Reason: canary exposure far above the base model");
  await expect(why.getByRole("link", { name: title })).toHaveAttribute("href", `/incidents/${incidentId}`);
  await expect(off.getByTestId("status-actions")).toHaveCount(0);
  await expect(off.getByTestId("version-incidents").getByRole("link", { name: title })).toHaveAttribute("href", `/incidents/${incidentId}`);

  // The auditor sees the same, and still exports the provenance: marked withdrawn in the signed statement, verified.
  await aud.goto(`/models/${trained.versionId}`);
  await expect(aud.getByTestId("withdrawal").getByRole("link", { name: title })).toBeVisible();
  await expect(aud.getByTestId("exports")).toContainText("Export signed provenance (marked withdrawn)");
  await expect(aud.getByTestId("exports")).toContainText("The weights of a withdrawn version cannot be downloaded.");
  const exported = await aud.request.get(`/api/models/${trained.versionId}/provenance`);
  expect(exported.status()).toBe(200);
  const text = await exported.text();
  const report = verifyBundle(text);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.find((c) => c.name === "withdrawal")?.detail).toMatch(/^WITHDRAWN by incident /);
  const { envelope } = JSON.parse(text) as { envelope: { payload: string } };
  const { predicate } = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
    predicate: { model_version: { status: string }; withdrawal: { reason: string; incident_id: string } | null; audit_results: unknown[] };
  };
  expect(predicate.model_version.status).toBe("withdrawn");
  expect(predicate.withdrawal).toMatchObject({ reason: "canary exposure far above the base model", incident_id: incidentId });
  expect(predicate.audit_results).toHaveLength(2);
  const weights = await aud.request.get(`/api/models/${trained.versionId}/weights`);
  expect(weights.status()).toBe(409);

  // An engineer without access to its data is not told the version exists: its page answers 404, as for none.
  const outsider = await seedUser("engineer");
  const out = await browser.newPage();
  await signIn(out, outsider);
  expect((await out.goto(`/models/${trained.versionId}`))?.status()).toBe(404);
  expect((await out.goto("/models/5a1c7e52-0000-4000-8000-00000000dead"))?.status()).toBe(404);
  expect((await out.goto(`/models/${trained.versionId}/disclosure`))?.status()).toBe(404);
  // The engineer who trained it reads it (no approval actions: those are the privacy officer's).
  await page.goto(`/models/${trained.versionId}`);
  await expect(page.getByTestId("model-status")).toHaveText("withdrawn");
  await expect(page.getByTestId("withdrawal")).toContainText("Reason: canary exposure far above the base model");
});
