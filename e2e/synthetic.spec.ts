// Synthetic datasets in a real browser: an engineer asks for synthetic records from an approved fine-tuned version
// on its Synthetic data tab (a draft version, an empty template, 10^7 records and a 50 MB prompt set are refused,
// changing nothing), and watches the job on the new dataset's page; nobody trains on it or downloads it until a privacy officer approves its
// masked leakage validation report (under the thresholds the officer set); then the download works, a run on it
// charges nothing to the source dataset, and the model it makes shows the source model's guarantee.
import { eq } from "drizzle-orm";
import { expect, test } from "@playwright/test";
import { first } from "../db/client";
import { budgets, runs } from "../db/schema";
import { E2E_URL } from "./env";
import { databaseSnapshot, errorAlert, postChunked, seedTrainedModel, seedUser, signIn, withDb } from "./helpers";

const trpcPost = (page: import("@playwright/test").Page, path: string, input: unknown) =>
  page.request.post(`/api/trpc/${path}`, { headers: { origin: E2E_URL, "content-type": "application/json" }, data: JSON.stringify({ json: input }) });

test("an engineer makes a synthetic dataset; an officer approves its report before it is trained on or downloaded", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const trained = await seedTrainedModel(page);
  await page.goto(`/models/${trained.versionId}`);
  await page.getByRole("navigation", { name: "Version pages" }).getByRole("link", { name: "Synthetic data" }).click();
  await expect(page).toHaveURL(new RegExp(`/models/${trained.versionId}/synthetic$`));
  await expect(page.getByTestId("synthetic-not-approved")).toHaveText("This version is draft: a privacy officer must approve it before synthetic data is made from it.");

  // A draft version, asked for past the page: refused, nothing made.
  const request = { dataset_name: "synthetic notes", records: 24, template: "Note {label}:", prompts: [], labels: ["a", "b"], label_field: "kind", max_tokens: 12, decoding: { kind: "sample", temperature: 1, top_k: 40, top_p: 0.95 } };
  const before = await databaseSnapshot();
  const draft = await trpcPost(page, "synthetic.request", { versionId: trained.versionId, request });
  expect(draft.status()).toBe(409);
  expect(await draft.text()).toContain("Only an approved or deployed version may generate synthetic data; this one is draft.");
  // A 50 MB prompt set, sent past the page: refused before it is read.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const huge = JSON.stringify({ json: { versionId: trained.versionId, request: { ...request, template: "", prompts: Array(25_000).fill("x".repeat(2000)) } } });
  expect(await postChunked("/api/trpc/synthetic.request", Buffer.from(huge), { cookie, origin: E2E_URL, "content-type": "application/json" })).toBe(413);
  expect(await databaseSnapshot()).toEqual(before);

  // The officer approves the version and sets the organisation's thresholds (lenient, so that this tiny model's records pass).
  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  expect((await trpcPost(off, "models.setStatus", { versionId: trained.versionId, status: "approved" })).status()).toBe(200);
  await off.goto(`/models/${trained.versionId}/synthetic`);
  const thresholds = off.getByRole("form", { name: "Validation thresholds" });
  await thresholds.getByLabel("Closer to training (share)").fill("0.3");
  await thresholds.getByRole("button", { name: "Set thresholds" }).click();
  await expect(errorAlert(off)).toHaveText("The DCR share must be at least 0.5 (what chance gives)");
  for (const [label, value] of [["Near-duplicate Jaccard", "0.9"], ["Duplicates allowed (share)", "1"], ["Closer to training (share)", "1"], ["Copied PII values", "1000"]]) {
    await thresholds.getByLabel(label!).fill(value!);
  }
  await thresholds.getByRole("button", { name: "Set thresholds" }).click();
  await expect(off.getByRole("status")).toHaveText("Thresholds set.");
  await expect(off.getByTestId("synthetic-thresholds")).toContainText("MinHash Jaccard ≥ 0.9");

  // The engineer's form: an empty template and 10^7 records get clear messages, and nothing is made.
  await page.reload();
  const form = page.getByRole("form", { name: "Synthetic dataset" });
  const settled = await databaseSnapshot();
  await form.getByLabel("New dataset name").fill("synthetic notes");
  await form.getByLabel(/^Records/).fill("10000000");
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(errorAlert(page)).toContainText("At most 10,000 records per synthetic version");
  await form.getByLabel(/^Records/).fill("24");
  await form.getByLabel(/^Template/).fill("");
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(errorAlert(page)).toContainText("Give a template or at least one prompt: the template is empty");
  expect(await databaseSnapshot()).toEqual(settled);

  // A template per label: the job runs on the new dataset's page, to its masked report.
  await form.getByLabel(/^Template/).fill("Note {label}:");
  await form.getByLabel("Labels, comma-separated").fill("a, b");
  await form.getByLabel("Label field").fill("kind");
  await form.getByLabel(/Tokens per record/).fill("12");
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(page).toHaveURL(/\/datasets\/[0-9a-f-]{36}$/);
  const datasetId = page.url().split("/").pop()!;
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("synthetic notes");
  const job = page.getByTestId("synthetic-job");
  await expect(job.getByTestId("synthetic-status")).toHaveText("done", { timeout: 120_000 });
  await expect(job.getByTestId("validation-report")).toContainText("Leakage validation: passed");
  await expect(job.getByTestId("synthetic-samples").locator("tbody tr")).toHaveCount(10);
  await expect(job.getByTestId("synthetic-samples").locator("tbody tr").first()).toContainText("a");
  await expect(page.getByTestId("version-1")).toContainText("synthetic");
  // Its guarantee: the source model's, on the source dataset.
  await expect(page.getByTestId("synthetic-origin").getByTestId("guarantee")).toContainText(trained.datasetName);
  await expect(job.getByTestId("synthetic-awaiting")).toContainText("Awaiting a privacy officer's approval");

  // Not approved: no run, no download.
  const versionId = await withDb(async (db) => (await first(db.select({ id: runs.id }).from(runs).where(eq(runs.datasetId, datasetId))))?.id ?? null);
  expect(versionId).toBeNull();
  const detail = await (await page.request.get(`/api/trpc/datasets.get?input=${encodeURIComponent(JSON.stringify({ json: { datasetId } }))}`)).json();
  const syntheticVersionId = (detail as { result: { data: { json: { versions: { id: string }[] } } } }).result.data.json.versions[0]!.id;
  const runRequest = {
    datasetVersionId: syntheticVersionId,
    baseModelVersionId: trained.versionId,
    privacyUnit: "record",
    privacy: { mode: "noise_multiplier", noiseMultiplier: 1 },
    batch: { by: "expected_batch_size", expectedBatchSize: 4 },
    length: { by: "steps", steps: 2 },
    clipNorm: 1,
    learningRate: 0.01,
    fineTuning: { method: "lora", rank: 2 },
    maxRecordsPerSubject: 1,
  };
  const early = await trpcPost(page, "runs.launch", runRequest);
  expect(early.status()).toBe(409);
  expect(await early.text()).toContain("This synthetic version is not approved");
  expect((await page.request.get(`/api/datasets/${syntheticVersionId}/download`)).status()).toBe(409);

  // The officer reads the report and approves.
  await off.goto(`/datasets/${datasetId}`);
  const seen = off.getByTestId("synthetic-job");
  await seen.getByRole("button", { name: "Approve" }).click();
  await seen.getByRole("button", { name: "Yes, approve" }).click();
  await expect(seen.getByTestId("synthetic-approved")).toContainText(`Approved by ${officer.email}`);

  // Now the engineer downloads it and trains on it: nothing is charged to the source dataset, and no budget was needed.
  const download = await page.request.get(`/api/datasets/${syntheticVersionId}/download`);
  expect(download.status()).toBe(200);
  const lines = (await download.text()).trim().split("\n");
  expect(lines).toHaveLength(24);
  expect(lines.map((l) => (JSON.parse(l) as { fields: { kind: string } }).fields.kind).slice(0, 2)).toEqual(["a", "b"]);
  const sourceRuns = () => withDb(async (db) => (await db.select().from(runs).where(eq(runs.datasetId, trained.datasetId))).map((r) => [r.id, r.chargedSteps]));
  const sourceBefore = await sourceRuns();
  const launched = await trpcPost(page, "runs.launch", runRequest);
  expect(launched.status()).toBe(200);
  const runId = ((await launched.json()) as { result: { data: { json: string } } }).result.data.json;
  await expect.poll(() => withDb(async (db) => (await first(db.select().from(runs).where(eq(runs.id, runId))))?.status), { timeout: 90_000 }).toBe("finished");
  expect(await sourceRuns()).toEqual(sourceBefore);
  expect(await withDb((db) => first(db.select().from(budgets).where(eq(budgets.datasetId, datasetId))))).toBeUndefined();
  const made = (await withDb((db) => first(db.select().from(runs).where(eq(runs.id, runId)))))!.resultModelVersionId!;
  await page.goto(`/models/${made}`);
  await expect(page.getByTestId("via-synthetic")).toContainText(`model version ${trained.versionId.slice(0, 8)}`);
  await expect(page.getByTestId("guarantee").first()).toContainText(trained.datasetName);
});
