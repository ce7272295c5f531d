// The engineer's day on the launch and run pages, in a real browser: a dataset without a budget cannot be launched on
// (the one reason shown, nothing changed); with a budget, the form's defaults show time and memory estimates, launch
// and train to a model version (with a classification task, whose figures its page shows; a label field the dataset
// lacks is refused); a run that cannot fit in the trainer's memory is refused before anything is reserved;
// a run whose trainer is killed fails with its reason in words, the raw message behind Details and what it charged,
// and "Launch again with these settings" fills the form; cancelling asks first.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { closeDatabase, first } from "../db/client";
import { openDatabase } from "../db/open";
import { runs } from "../db/schema";
import { setBudget } from "../server/budgets/service";
import { E2E_DATABASE, E2E_URL } from "./env";
import { databaseSnapshot, errorAlert, openSection, seedUser, signIn, type SeededUser } from "./helpers";

/** 40 people with two notes each, and one with 700 (too many to fit in the trainer's memory at once). */
function records(): string {
  const lines = Array.from({ length: 80 }, (_, i) => ({ text: `Note ${i}: patient ${i % 40} is recovering well`, patient: `p${i % 40}`, ward: i % 2 ? "cardiology" : "oncology" }));
  const many = Array.from({ length: 700 }, (_, i) => ({ text: `Diary ${i}: a quiet day`, patient: "p-many" }));
  return [...lines, ...many].map((r) => JSON.stringify(r)).join("\n");
}

async function runRow(runId: string) {
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    return (await first(db.select().from(runs).where(eq(runs.id, runId))))!;
  } finally {
    await closeDatabase(db);
  }
}

async function budget(officer: SeededUser, datasetId: string) {
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    await setBudget(db, { id: officer.id, email: officer.email, role: "privacy_officer" }, { datasetId, epsilon: 10, delta: 1e-5, privacyUnit: "subject", renewsOn: "2099-01-01" });
  } finally {
    await closeDatabase(db);
  }
}

/** A forced launch at the API, as a script would send it: refused with 409. */
async function forcedLaunch(page: Page, body: Record<string, unknown>) {
  return page.request.post("/api/trpc/runs.launch", { headers: { origin: E2E_URL }, data: { json: body } });
}

const runIdOf = (page: Page) => new URL(page.url()).pathname.split("/").at(-1)!;

test("launch with the defaults, refusals before anything is spent, a failed run explained and launched again, cancel confirmed", async ({ page }) => {
  test.setTimeout(240_000);
  const engineer = await seedUser("engineer");
  const officer = await seedUser("privacy_officer");
  await signIn(page, engineer);
  const name = `clinic-${randomUUID().slice(0, 8)}`;
  const upload = await page.request.post(`/api/datasets/upload?name=${name}&format=jsonl&textField=text&subjectField=patient`, {
    headers: { "x-epsilon-upload": "1", origin: E2E_URL, "content-type": "application/octet-stream" },
    data: records(),
  });
  expect(upload.status()).toBe(201);
  const { datasetId, versionId } = (await upload.json()) as { datasetId: string; versionId: string };

  // No budget yet: Launch is disabled and says why, once; a forced launch changes nothing.
  await openSection(page, "Runs");
  const form = page.getByRole("form", { name: "Launch a run" });
  const launchButton = form.getByRole("button", { name: "Launch" });
  await expect(errorAlert(page)).toHaveText("This dataset has no privacy budget yet; a privacy officer must set one.");
  await expect(errorAlert(page)).toHaveCount(1);
  await expect(launchButton).toBeDisabled();
  const noBudget = await databaseSnapshot();
  const base = (await (await page.request.get("/api/trpc/runs.options")).json()) as { result: { data: { json: { modelVersions: { id: string }[] } } } };
  const baseModelVersionId = base.result.data.json.modelVersions[0]!.id;
  const request = {
    datasetVersionId: versionId,
    baseModelVersionId,
    privacyUnit: "subject",
    privacy: { mode: "target_epsilon", targetEpsilon: 1 },
    batch: { by: "expected_batch_size", expectedBatchSize: 16 },
    length: { by: "steps", steps: 20 },
    fineTuning: { method: "lora", rank: 4 },
  };
  expect((await forcedLaunch(page, request)).status()).toBe(409);
  expect(await databaseSnapshot()).toEqual(noBudget);

  // The officer sets a budget; the form's defaults now show the run's epsilon, time and memory, with help beside each
  // DP field.
  await budget(officer, datasetId);
  await page.reload();
  const projection = page.getByTestId("projection");
  await expect(projection).toContainText("left ε = 10;");
  await expect(page.getByTestId("estimate")).toContainText(/Estimated time: about \d+ (s|min)/);
  await expect(page.getByTestId("estimate")).toContainText(/Trainer memory: about [\d.]+ (MiB|GiB) of the 3\.2 GiB it can use \(micro-batches of up to \d+ subjects of at most 8 records\)/);
  for (const field of ["privacyUnit", "epsilon", "expectedBatchSize", "clipNorm", "recordsPerSubject", "delta"]) {
    await expect(page.getByTestId(`help-${field}`)).toBeVisible();
  }
  await page.getByLabel("What is Clip norm (C)?").click();
  await expect(page.getByTestId("help-clipNorm")).toContainText("The largest gradient any one unit may contribute to a step");

  // A subject's 700 records at once cannot fit in the trainer's memory: refused in the form and at the API, nothing
  // reserved.
  await form.getByLabel("Records per subject (cap)").fill("700");
  await expect(projection.getByRole("alert")).toContainText("This run cannot fit in the trainer's memory: one subject's 700 records need about");
  await expect(projection.getByRole("alert")).toContainText(/Set records per subject to at most \d+/);
  await expect(launchButton).toBeDisabled();
  const beforeHuge = await databaseSnapshot();
  expect((await forcedLaunch(page, { ...request, maxRecordsPerSubject: 700 })).status()).toBe(409);
  expect(await databaseSnapshot()).toEqual(beforeHuge);

  // LoRA on no layer at all: refused in the form, naming why; every layer again (the default) after.
  await form.getByLabel("Records per subject (cap)").fill("8");
  const targets = form.getByTestId("lora-targets");
  for (const target of ["c_attn", "c_proj", "c_fc"]) await targets.getByLabel(target).uncheck();
  await expect(errorAlert(page)).toContainText("Choose at least one layer for the LoRA adapters");
  await expect(launchButton).toBeDisabled();
  for (const target of ["c_attn", "c_proj", "c_fc"]) await targets.getByLabel(target).check();

  // A classification task on a field the dataset does not have: refused before anything is spent.
  await form.getByLabel("Records per subject (cap)").fill("8");
  await form.getByLabel("Label field for a classification task (blank for none)").fill("colour");
  await form.getByLabel("Labels, comma-separated").fill("cardiology, oncology");
  await expect(errorAlert(page)).toHaveText('The dataset version has no field "colour" to take labels from.');
  await expect(launchButton).toBeDisabled();

  // Back to the defaults, with the task of telling the wards apart: the run trains and produces a model version,
  // linked by its name, whose page shows the task's figures (internal, not DP).
  await form.getByLabel("Label field for a classification task (blank for none)").fill("ward");
  await expect(launchButton).toBeEnabled();
  await launchButton.click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status")).toHaveText("finished", { timeout: 90_000 });
  await expect(page.getByTestId("run-progress")).toContainText("20 of 20 steps charged");
  const produced = page.getByTestId("run-produced").getByRole("link");
  await expect(produced).toHaveText(`epsilon-gpt-moby-dick/${name} v1`);
  expect(await produced.getAttribute("href")).toBe(`/models/${(await runRow(runIdOf(page))).resultModelVersionId}`);
  const runPage = page.url();
  await produced.click();
  const task = page.getByTestId("task-metric");
  await expect(task).toContainText(/^Task: classifying by ward \(cardiology, oncology\), accuracy [01]\.\d{3}, macro-F1 [01]\.\d{3} on \d+ held-out records/);
  await expect(task.getByTestId("internal-not-dp")).toBeVisible();
  await page.goto(runPage);

  // A long run whose trainer is killed (as the kernel's out-of-memory killer would) fails: the reason in words, the raw
  // message behind Details, and what it charged.
  await openSection(page, "Runs");
  await form.getByLabel("Steps", { exact: true }).fill("3000");
  await launchButton.click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const failing = runIdOf(page);
  await expect.poll(async () => (await runRow(failing)).chargedSteps, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const trainer = Number(execFileSync("pgrep", ["-f", `${failing}/spec.json`]).toString().trim().split("\n")[0]);
  process.kill(trainer, "SIGKILL");
  await expect(page.getByTestId("run-status")).toHaveText("failed", { timeout: 30_000 });
  const failure = page.getByTestId("run-failure");
  await expect(failure.getByTestId("failure-reason")).toHaveText("The trainer stopped unexpectedly: it was killed or crashed.");
  await expect(failure.getByTestId("failure-details")).toBeHidden();
  await failure.getByText("Details").click();
  await expect(failure.getByTestId("failure-details")).toHaveText("the trainer exited without a final message (SIGKILL)");
  const charged = (await runRow(failing)).chargedSteps;
  await expect(failure.getByTestId("failure-charged")).toContainText(new RegExp(`Charged: ε = [\\d.e-]+ at δ = 1\\.0e-5 for ${charged} of 3000 planned steps`));

  // "Launch again with these settings" fills the form with the failed run's settings.
  await failure.getByRole("link", { name: "Launch again with these settings" }).click();
  await expect(page).toHaveURL(`/runs?from=${failing}`);
  await expect(page.getByTestId("cloned-from")).toContainText(`Settings copied from run ${failing.slice(0, 8)}`);
  await expect(form.getByLabel("Steps", { exact: true })).toHaveValue("3000");
  await expect(form.getByLabel("Target epsilon", { exact: true })).toHaveValue("1");

  // Cancelling the relaunched run asks first; only "Yes, cancel the run" cancels it.
  await launchButton.click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const relaunched = runIdOf(page);
  await page.getByRole("button", { name: "Cancel run" }).click();
  const confirm = page.getByRole("group", { name: "Cancel this run? Steps already charged stay charged." });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Keep it" }).click();
  const relaunchedRow = await runRow(relaunched);
  expect(relaunchedRow.cancelRequested).toBe(false);
  expect(relaunchedRow.status).not.toBe("cancelled");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await confirm.getByRole("button", { name: "Yes, cancel the run" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("cancelled", { timeout: 60_000 });
});
